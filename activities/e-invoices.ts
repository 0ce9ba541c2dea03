// A finalized invoice's or credit note's e-invoice in its customer's format, generated on first
// use (its email, or a request to the API) and stored, then served and attached as stored: a
// retried email attaches the very same bytes. The document's data is its issued snapshot (the
// seller and customer as they were); the format and its references are the customer's setting.
import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import type { InvoiceLine, StoredEInvoice } from '../db/database.ts';
import { getCreditNote } from '../db/repositories/credit-notes.ts';
import { getStoredEInvoice, storeEInvoice } from '../db/repositories/e-invoices.ts';
import { customerDetailsOf } from '../db/repositories/invoice-finalization.ts';
import {
  vatCategoryOf,
  type EInvoiceBuyer,
  type EInvoiceSeller,
  type EInvoiceSource,
  type EInvoiceTax,
  type VatCategory,
} from '../documents/e-invoice-data.ts';
import { generateEInvoice } from '../documents/e-invoices.ts';
import type { EmailAttachment } from '../email/port.ts';
import type { EInvoiceFormat } from '../domain/invoicing/e-invoices.ts';
import { loadCreditNoteView } from './customer-documents.ts';
import {
  invoiceViewOf,
  loadInvoiceRecords,
  type InvoiceRecords,
  type InvoiceViewSettings,
} from './invoice-view.ts';

/** The document an e-invoice is of. */
export interface EInvoiceDocumentRef {
  kind: 'invoice' | 'credit_note';
  id: string;
}

/** Why a document has no e-invoice: it does not exist, is a draft, or its customer wants none. */
export type NoEInvoice = 'not_found' | 'draft' | 'none' | 'tax_inclusive';

/** A line as the mapper wants it, from its invoice line. */
function categoryOf(line: Pick<InvoiceLine, 'tax_treatment' | 'tax_rate'>): VatCategory {
  return vatCategoryOf(line.tax_treatment ?? 'outside_scope', line.tax_rate ?? '0');
}

/** Tax per VAT category: the taxable base and the tax of the lines of each. */
function taxesOf(lines: { category: VatCategory; net: number; tax: number }[]): EInvoiceTax[] {
  const byKey = new Map<string, EInvoiceTax>();
  for (const line of lines) {
    const key = `${line.category.code}/${line.category.percent}`;
    const entry = byKey.get(key) ?? { category: line.category, taxableAmount: 0, taxAmount: 0 };
    entry.taxableAmount += line.net;
    entry.taxAmount += line.tax;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

function sellerOf(records: InvoiceRecords, settings: InvoiceViewSettings): EInvoiceSeller {
  const { seller } = invoiceViewOf(records, settings, 'issued');
  const details = settings.seller.eInvoice;
  if (!details) throw new Error('the seller’s e-invoice details are not configured');
  return {
    legalName: seller.legalName,
    street: details.street,
    city: details.city,
    postalCode: details.postalCode,
    country: seller.country ?? 'IE',
    vatId: seller.taxId,
    email: seller.email,
    phone: details.phone,
    endpoint: details.endpoint,
    iban: details.iban,
    bic: details.bic,
  };
}

function buyerOf({ invoice, customer }: InvoiceRecords): EInvoiceBuyer {
  const details = invoice.customer_details ?? customerDetailsOf(customer);
  return {
    name: details.name,
    email: details.email,
    street: details.address.line1,
    additionalStreet: details.address.line2,
    city: details.address.city,
    postalCode: details.address.postalCode,
    region: details.address.region,
    country: details.address.country,
    vatId: details.vatNumber,
    ...(customer.peppol_endpoint_scheme !== null && customer.peppol_endpoint_id !== null
      ? { endpoint: { scheme: customer.peppol_endpoint_scheme, id: customer.peppol_endpoint_id } }
      : {}),
  };
}

/** What every e-invoice of the customer's documents shares. */
function common(records: InvoiceRecords, settings: InvoiceViewSettings) {
  const { invoice, customer } = records;
  const details = invoice.customer_details ?? customerDetailsOf(customer);
  return {
    format: customer.e_invoice_format as Exclude<EInvoiceFormat, 'none'>,
    timezone: details.timezone,
    locale: details.locale,
    currency: invoice.currency,
    // Peppol asks for a buyer reference or an order reference: the customer's id stands in.
    buyerReference: customer.buyer_reference ?? customer.id,
    seller: sellerOf(records, settings),
    buyer: buyerOf(records),
  };
}

/** The data of the document's e-invoice, or why it has none. */
export async function loadEInvoiceSource(
  db: Db,
  ref: EInvoiceDocumentRef,
  settings: InvoiceViewSettings,
): Promise<EInvoiceSource | NoEInvoice> {
  if (ref.kind === 'invoice') {
    const records = await loadInvoiceRecords(db, ref.id).catch(() => undefined);
    if (!records) return 'not_found';
    const { invoice, lines, customer } = records;
    if (invoice.status === 'draft' || !invoice.number) return 'draft';
    if (customer.e_invoice_format === 'none') return 'none';
    // EN 16931 states net line amounts; a tax-inclusive invoice's are gross.
    if (invoice.tax_behavior === 'inclusive') return 'tax_inclusive';
    const mapped = lines.map((line) => ({
      name: line.description,
      quantity: line.quantity,
      unitAmount: line.unit_amount ?? undefined,
      amount: line.amount,
      discount: line.discount_amount,
      category: categoryOf(line),
      periodStart: line.period_start?.toISOString(),
      periodEnd: line.period_end?.toISOString(),
    }));
    return {
      kind: 'invoice',
      ...common(records, settings),
      number: invoice.number,
      issuedAt: (invoice.issued_at ?? invoice.created_at).toISOString(),
      dueAt: invoice.due_at?.toISOString(),
      paymentTermsDays: customer.payment_terms_days,
      lines: mapped,
      taxes: taxesOf(
        lines.map((line, i) => ({
          category: mapped[i]!.category,
          net: line.amount - line.discount_amount,
          tax: line.tax_amount,
        })),
      ),
      prepaid: Math.max(invoice.total - invoice.amount_due, 0),
    };
  }
  const found = await getCreditNote(db, ref.id);
  if (!found) return 'not_found';
  const { creditNote, lines } = found;
  const records = await loadInvoiceRecords(db, creditNote.invoice_id);
  if (records.customer.e_invoice_format === 'none') return 'none';
  if (records.invoice.tax_behavior === 'inclusive') return 'tax_inclusive';
  const view = (await loadCreditNoteView(db, ref.id, settings, 'issued'))!;
  const invoiceLines = new Map(records.lines.map((line) => [line.id, line]));
  const mapped = lines.map((line) => {
    const credited = invoiceLines.get(line.invoice_line_id);
    return {
      name: line.description,
      quantity: '1',
      // A credit note's lines are tax included; EN 16931 states them net.
      unitAmount: String(line.amount - line.tax_amount),
      amount: line.amount - line.tax_amount,
      discount: 0,
      // A credited line is taxed as the invoice line it credits.
      category: credited ? categoryOf(credited) : vatCategoryOf('outside_scope', '0'),
      tax: line.tax_amount,
    };
  });
  return {
    kind: 'credit_note',
    ...common(records, settings),
    number: creditNote.number,
    issuedAt: creditNote.issued_at.toISOString(),
    note: view.creditNote.reason,
    settlement: view.creditNote.settlement,
    precedingInvoice: {
      number: records.invoice.number ?? records.invoice.id,
      issuedAt: (records.invoice.issued_at ?? records.invoice.created_at).toISOString(),
    },
    lines: mapped.map(({ tax: _tax, ...line }) => line),
    taxes: taxesOf(mapped.map((line) => ({ ...line, net: line.amount }))),
    prepaid: 0,
  };
}

/** Where Factur-X's PDF comes from: the document's stored PDF, undefined when none is printed. */
export type PrintedPdf = () => Promise<Buffer | undefined>;

/**
 * The document's stored e-invoice, generated and stored on first use; 'no_pdf' for Factur-X
 * when no PDF can be printed.
 */
export async function eInvoiceOf(
  db: Db,
  settings: InvoiceViewSettings,
  ref: EInvoiceDocumentRef,
  printedPdf: PrintedPdf,
): Promise<StoredEInvoice | NoEInvoice | 'no_pdf'> {
  const source = await loadEInvoiceSource(db, ref, settings);
  if (typeof source === 'string') return source;
  const key = { kind: ref.kind, documentId: ref.id, format: source.format };
  const stored = await getStoredEInvoice(db, key);
  if (stored) return stored;
  let pdf: Buffer | undefined;
  if (source.format === 'factur-x-en16931') {
    pdf = await printedPdf();
    if (!pdf) return 'no_pdf';
  }
  const file = await generateEInvoice(source, pdf);
  // If another process stored one meanwhile, theirs was first and is the one kept.
  return storeEInvoice(db, key, {
    content: file.content,
    content_type: file.contentType,
    filename: file.filename,
    content_hash: createHash('sha256').update(file.content).digest('hex'),
  });
}

/**
 * An email's attachments with the customer's e-invoice: Factur-X replaces the plain PDF (under
 * the same name: it is that PDF, with its XML inside), an XML format is attached beside it.
 */
export async function withEInvoice(
  deps: InvoiceViewSettings & { db: Db },
  ref: EInvoiceDocumentRef,
  attachments: EmailAttachment[] | undefined,
): Promise<EmailAttachment[] | undefined> {
  const pdf = attachments?.find((a) => a.contentType === 'application/pdf');
  const printed = () => Promise.resolve(pdf && Buffer.from(pdf.content, 'base64'));
  const eInvoice = await eInvoiceOf(deps.db, deps, ref, printed);
  if (typeof eInvoice === 'string') {
    if (eInvoice === 'no_pdf' || eInvoice === 'tax_inclusive') {
      log.warn('e-invoice not attached', { ...ref, reason: eInvoice });
    }
    return attachments;
  }
  const attachment: EmailAttachment = {
    filename: eInvoice.filename,
    contentType: eInvoice.content_type,
    content: eInvoice.content.toString('base64'),
  };
  if (eInvoice.content_type === 'application/pdf') {
    return (attachments ?? []).map((a) =>
      a === pdf ? { ...attachment, filename: a.filename } : a,
    );
  }
  return [...(attachments ?? []), attachment];
}
