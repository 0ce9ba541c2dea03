// Renders invoices and their emails from Handlebars templates. Templates are read and parsed once,
// when the renderer is created, so a broken override folder fails at worker start rather than in
// the middle of a billing run. An operator's folder may hold any subset of the built-in files
// (see templates/README.md); each missing file falls back to the built-in one. Documents are laid
// out by their design (documents/designs.ts): the document's own, else the brand's.
import Handlebars from 'handlebars';
import {
  assertDocumentDesign,
  designOf,
  DOCUMENT_DESIGNS,
  type DocumentDesign,
  type DocumentType,
} from './designs.ts';
import {
  BUILT_IN_TEMPLATES_DIR,
  compileFile,
  compileSource,
  readTemplate,
  registerPartials,
  templateDirs,
} from './template-files.ts';
import { registerHelpers, type TemplateRoot } from './template-helpers.ts';
import {
  REMINDER_TONES,
  type Brand,
  type CreditNoteView,
  type EstimateView,
  type QuoteDocumentView,
  type InvoiceLineView,
  type InvoiceView,
  type PortalLinkView,
  type ReceiptView,
  type ReminderView,
} from './views.ts';

export { BUILT_IN_TEMPLATES_DIR };

export interface DocumentRendererOptions {
  /** Operator's template folder; files it lacks come from the built-in templates. */
  templatesDir?: string;
  /** Operator's brand settings; each field given here wins over the view's brand. */
  brand?: Partial<Brand>;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** What goes along with an email, so its words can mention it. */
export interface EmailExtras {
  /** File name of the PDF attached to the email, e.g. "INV-2027-000001.pdf". */
  attachmentName?: string | undefined;
}

export interface DocumentRenderer {
  /** A complete, self-contained HTML document (inline CSS), ready for print or PDF. */
  renderInvoiceHtml(view: InvoiceView): string;
  /** The "invoice issued" email: one-line subject, HTML part and a plain-text part. */
  renderInvoiceEmail(view: InvoiceView, extras?: EmailExtras): RenderedEmail;
  /** An estimate with its arithmetic, as a self-contained HTML document. */
  renderEstimateHtml(view: EstimateView): string;
  /** A credit note as a self-contained HTML document, in its design (its invoice's). */
  renderCreditNoteHtml(view: CreditNoteView): string;
  /** A payment receipt as a self-contained HTML document, in its design (its invoice's). */
  renderReceiptHtml(view: ReceiptView): string;
  /** "Payment received, thank you": what was paid and what, if anything, remains. */
  renderReceiptEmail(view: ReceiptView, extras?: EmailExtras): RenderedEmail;
  /** "We credited you": what was credited, why, and what happens to the money. */
  renderCreditNoteEmail(view: CreditNoteView, extras?: EmailExtras): RenderedEmail;
  /** A payment reminder worded for its dunning step (view.tone). */
  renderReminderEmail(view: ReminderView): RenderedEmail;
  /** The customer portal's sign-in link, in the customer's language. */
  renderPortalLinkEmail(view: PortalLinkView): RenderedEmail;
  /** A quote for the customer to accept or decline through its signed link (quote.hostedUrl). */
  renderQuoteEmail(view: EstimateView & { quote: QuoteDocumentView }): RenderedEmail;
}

/** A line as templates see it: the view plus whether its priced parts are listed under it. */
export interface InvoiceLineContext extends InvoiceLineView {
  /**
   * The priced parts (tiers, fees) are shown as sub-rows: several parts, or one part and no
   * single unit price on the line. A line at one unit price says it all in its own row.
   */
  itemized: boolean;
  /** The amount is not quantity × unit price: the line is prorated or capped. */
  adjusted: boolean;
}

/** What every document template sees besides its view: which document, in which design. */
export interface DocumentFrame {
  documentType: DocumentType;
  /** The design the document is laid out in (designs/<documentDesign>/layout.hbs). */
  documentDesign: DocumentDesign;
  /** Some line carries its tax (rate or treatment): the line table shows a Tax column. */
  lineTax: boolean;
}

/** What every template sees: the view plus a few facts derived from it. */
export interface InvoiceTemplateContext extends Omit<InvoiceView, 'lines' | 'documentDesign'> {
  lines: InvoiceLineContext[];
  /** The invoice currency, for helpers (see TemplateRoot). */
  currency: string;
  /** What the customer still owes: the total, or 0 once paid or voided. */
  amountDue: number;
  isPaid: boolean;
  isVoid: boolean;
  isDraft: boolean;
  /** Set for emails that carry the invoice as a PDF. */
  attachmentName?: string | undefined;
}

const TEMPLATE_FILES = {
  invoiceHtml: 'invoice.hbs',
  estimateHtml: 'estimate.hbs',
  creditNoteHtml: 'credit-note.hbs',
  receiptHtml: 'receipt.hbs',
} as const;

/** Each email is three files: emails/<name>.subject.hbs, .html.hbs and .text.hbs. */
const EMAILS = [
  'invoice-issued',
  'receipt',
  'credit-note',
  'payment-reminder',
  'portal-link',
  'quote',
] as const;
type EmailName = (typeof EMAILS)[number];

const DEFAULT_ACCENT_COLOR = '#4f46e5';
const HEX_COLOR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

export function createDocumentRenderer(options: DocumentRendererOptions = {}): DocumentRenderer {
  const dirs = templateDirs(options.templatesDir);
  const brandOverrides = definedFields(options.brand ?? {});
  assertBrandFields(brandOverrides);

  // Two instances: HTML escapes every {{value}}; subject and plain text must not (an "O'Brien"
  // in a text part must stay O'Brien, not O&#x27;Brien). Both share helpers and partials.
  const html = Handlebars.create();
  const plain = Handlebars.create();
  for (const hb of [html, plain]) registerHelpers(hb);
  registerPartials(html, dirs, false);
  registerPartials(plain, dirs, true);
  registerDesigns(html, dirs);

  const invoiceHtml = compileFile(html, dirs, TEMPLATE_FILES.invoiceHtml, false);
  const estimateHtml = compileFile(html, dirs, TEMPLATE_FILES.estimateHtml, false);
  const creditNoteHtml = compileFile(html, dirs, TEMPLATE_FILES.creditNoteHtml, false);
  const receiptHtml = compileFile(html, dirs, TEMPLATE_FILES.receiptHtml, false);
  const emails = Object.fromEntries(
    EMAILS.map((name) => {
      const subject = compileFile(plain, dirs, `emails/${name}.subject.hbs`, true);
      const htmlPart = compileFile(html, dirs, `emails/${name}.html.hbs`, false);
      const text = compileFile(plain, dirs, `emails/${name}.text.hbs`, true);
      const render = (context: TemplateRoot): RenderedEmail => ({
        // Line breaks and indentation only: \s would also eat the no-break space in "49,00 €".
        subject: subject(context)
          .replace(/[ \t\r\n]+/g, ' ')
          .trim(),
        html: htmlPart(context),
        text: tidyPlainText(text(context)),
      });
      return [name, render];
    }),
  ) as Record<EmailName, (context: TemplateRoot) => RenderedEmail>;

  function brandOf(view: { brand: Brand; seller: { legalName: string } }): Brand {
    const brand: Brand = { ...view.brand, ...brandOverrides };
    brand.productName ||= view.seller.legalName;
    brand.accentColor ||= DEFAULT_ACCENT_COLOR;
    assertBrandFields(brand);
    return brand;
  }

  /** What every document and email context shares: brand, currency, a usable locale. */
  function commonContext<
    V extends {
      brand: Brand;
      seller: { legalName: string };
      customer: { locale: string; timezone: string };
      hostedUrl?: string;
      lines?: InvoiceLineView[];
    },
  >(view: V, currency: string, extras: EmailExtras = {}) {
    if (view.hostedUrl !== undefined) assertWebUrl(view.hostedUrl, 'hostedUrl');
    return {
      ...view,
      ...(view.lines ? { lines: view.lines.map(lineContext) } : {}),
      brand: brandOf(view),
      currency,
      customer: { ...view.customer, locale: displayLocale(view.customer.locale) },
      ...(extras.attachmentName ? { attachmentName: extras.attachmentName } : {}),
    };
  }

  /** Which document, in which design: the one it was issued with, else the brand's. */
  function frameOf(
    documentType: DocumentType,
    view: { brand: Brand; documentDesign?: string; lines: { tax?: unknown }[] },
  ): DocumentFrame {
    return {
      documentType,
      documentDesign: designOf(
        view.documentDesign,
        brandOverrides.documentDesign ?? view.brand.documentDesign,
      ),
      lineTax: view.lines.some((line) => line.tax !== undefined),
    };
  }

  function contextOf(view: InvoiceView, extras?: EmailExtras): InvoiceTemplateContext {
    const status = view.invoice.status.toLowerCase();
    const settled = status === 'paid' || status === 'void';
    return {
      ...commonContext(view, view.invoice.currency, extras),
      // Payments and credit notes reduce what is owed, when the view knows them.
      amountDue: settled ? 0 : (view.invoice.amountDue ?? view.invoice.total),
      isPaid: status === 'paid',
      isVoid: status === 'void',
      isDraft: status === 'draft',
    };
  }

  function creditNoteContext(view: CreditNoteView, extras?: EmailExtras) {
    return commonContext(view, view.creditNote.currency, extras);
  }

  function receiptContext(view: ReceiptView, extras?: EmailExtras) {
    return {
      ...commonContext(view, view.invoice.currency, extras),
      isPaidInFull: view.remainingBalance <= 0,
    };
  }

  function reminderContext(view: ReminderView) {
    if (!(REMINDER_TONES as readonly string[]).includes(view.tone)) {
      throw new RangeError(
        `reminder tone must be one of ${REMINDER_TONES.join(', ')}, got ${view.tone}`,
      );
    }
    return commonContext(view, view.invoice.currency);
  }

  function estimateContext(view: EstimateView): EstimateView & TemplateRoot {
    return {
      ...view,
      brand: brandOf(view),
      currency: view.estimate.currency,
      customer: { ...view.customer, locale: displayLocale(view.customer.locale) },
    };
  }

  return {
    renderInvoiceHtml(view) {
      return invoiceHtml({ ...contextOf(view), ...frameOf('invoice', view) });
    },
    renderInvoiceEmail(view, extras) {
      return emails['invoice-issued'](contextOf(view, extras));
    },
    renderCreditNoteHtml(view) {
      return creditNoteHtml({ ...creditNoteContext(view), ...frameOf('credit-note', view) });
    },
    renderReceiptHtml(view) {
      return receiptHtml({ ...receiptContext(view), ...frameOf('receipt', view) });
    },
    renderReceiptEmail(view, extras) {
      return emails.receipt(receiptContext(view, extras));
    },
    renderCreditNoteEmail(view, extras) {
      return emails['credit-note'](creditNoteContext(view, extras));
    },
    renderReminderEmail(view) {
      return emails['payment-reminder'](reminderContext(view));
    },
    renderPortalLinkEmail(view) {
      assertWebUrl(view.portalUrl, 'portalUrl');
      return emails['portal-link'](commonContext(view, ''));
    },
    renderEstimateHtml(view) {
      return estimateHtml({ ...estimateContext(view), ...frameOf('estimate', view) });
    },
    renderQuoteEmail(view) {
      if (view.quote.hostedUrl !== undefined) assertWebUrl(view.quote.hostedUrl, 'hostedUrl');
      return emails.quote(estimateContext(view));
    },
  };
}

function lineContext(line: InvoiceLineView): InvoiceLineContext {
  const parts = line.arithmetic?.components.length ?? 0;
  return {
    ...line,
    itemized: parts > 1 || (parts === 1 && line.unitAmount === undefined),
    adjusted: Boolean(line.arithmetic?.proration || line.arithmetic?.cappedAt),
  };
}

/**
 * Each design's layout and stylesheet become partials `designs/<name>/layout` and
 * `designs/<name>/styles`; an operator's file replaces the built-in one of the same path.
 */
function registerDesigns(hb: typeof Handlebars, dirs: string[]): void {
  for (const design of DOCUMENT_DESIGNS) {
    for (const part of ['layout', 'styles']) {
      const { path, source } = readTemplate(dirs, `designs/${design}/${part}.hbs`);
      hb.registerPartial(`designs/${design}/${part}`, compileSource(hb, path, source, false));
    }
  }
}

/** A malformed stored locale ("fr_FR", "") must not stop an invoice from going out. */
export function displayLocale(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag.replace(/_/g, '-'))[0] ?? 'en';
  } catch {
    return 'en';
  }
}

function definedFields<T extends object>(value: Partial<T>): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== ''),
  ) as Partial<T>;
}

// The accent colour lands inside CSS and the logo inside src="": HTML escaping does not make an
// arbitrary string safe there, so both are checked.
function assertBrandFields(brand: Partial<Brand>): void {
  if (brand.accentColor !== undefined && !HEX_COLOR.test(brand.accentColor)) {
    throw new RangeError(
      `brand accentColor must be a hex colour like #4f46e5, got ${brand.accentColor}`,
    );
  }
  if (brand.documentDesign !== undefined) {
    assertDocumentDesign(brand.documentDesign, 'brand documentDesign');
  }
  if (brand.logoUrl !== undefined && !/^data:image\/[a-z0-9.+-]+[;,]/i.test(brand.logoUrl)) {
    assertWebUrl(brand.logoUrl, 'brand logoUrl');
  }
}

function assertWebUrl(value: string, what: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new RangeError(`${what} must be an http(s) URL, got ${value}`);
  }
}

/** Plain text reads well when blank lines come singly and no line ends in spaces. */
function tidyPlainText(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
