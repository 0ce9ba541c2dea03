// The portal's pages as the routes answer them: each use case's answer mapped by a `to…Page`
// function onto its template's context (documents/portal-pages.ts), in the customer's locale,
// under the seller's brand. Dates go to the templates as ISO instants (the {{date}} helper shows
// them in the customer's zone); amounts as integer minor units with their currency.
import type { FastifyInstance } from 'fastify';
import type { CreditNote, Customer, Invoice, Payment, PortalSession } from '../../db/database.ts';
import {
  createPortalPages,
  type PortalFrame,
  type PortalPageName,
} from '../../documents/portal-pages.ts';
import { translatorFor } from '../../i18n/catalogue.ts';
import type { PortalDocuments, PortalOverview } from '../../services/portal.ts';
import { PORTAL_LINK_MINUTES, type PortalLinkRefusal } from '../../services/portal-sessions.ts';
import { LOGIN_PATH } from './session-cookie.ts';

let pages: ReturnType<typeof createPortalPages> | undefined;

/** Who a page speaks to: a signed-in customer, or a visitor in their browser's language. */
export type Reader =
  { customer: Customer; session: PortalSession } | { locale: string; customer?: undefined };

/** A page's HTML for `reader`, with its brand, seller, language and (in a session) CSRF token. */
export function renderPortalPage(
  app: FastifyInstance,
  name: PortalPageName,
  reader: Reader,
  context: Record<string, unknown> = {},
): string {
  pages ??= createPortalPages();
  const frame: PortalFrame = {
    ...context,
    brand: { ...app.documents.brand, productName: productName(app) },
    seller: app.documents.seller,
    customer: reader.customer
      ? {
          name: reader.customer.name,
          locale: reader.customer.locale,
          timezone: reader.customer.timezone,
        }
      : { locale: reader.locale, timezone: 'UTC' },
    csrfToken: reader.customer ? reader.session.csrf_token : undefined,
    page: name,
    linkMinutes: PORTAL_LINK_MINUTES,
  };
  return pages(name, frame);
}

function productName(app: FastifyInstance): string {
  return app.documents.brand.productName || app.documents.seller.legalName;
}

/** A notice page (a refused link, signed out, not found) with one way on. */
export function noticePage(
  app: FastifyInstance,
  reader: Reader,
  notice: { heading: string; message: string; actionHref: string; actionLabel: string },
): string {
  return renderPortalPage(app, 'notice', reader, notice);
}

/** The locale of a reader without a session: their browser's first language. */
export function visitorLocale(acceptLanguage: string | undefined): string {
  return acceptLanguage?.split(/[,;]/)[0]?.trim() || 'en';
}

/** The translator for the reader's locale. */
export function translatorOf(reader: Reader) {
  return translatorFor(reader.customer ? reader.customer.locale : reader.locale);
}

/** The page for a refused link: what happened, in the visitor's language, and a new link. */
export function refusalPage(reason: PortalLinkRefusal, t: ReturnType<typeof translatorOf>) {
  const [status, heading, message] = {
    invalid: [403, t('portal.notice.invalidTitle'), t('portal.notice.invalidText')],
    expired: [
      410,
      t('portal.notice.expiredTitle'),
      t('portal.notice.expiredText', { minutes: PORTAL_LINK_MINUTES }),
    ],
    used: [410, t('portal.notice.usedTitle'), t('portal.notice.usedText')],
  }[reason] as [number, string, string];
  return {
    status,
    notice: { heading, message, actionHref: LOGIN_PATH, actionLabel: t('portal.notice.newLink') },
  };
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);
const UNPAID = new Set(['open', 'partially_paid']);

/** The portal's own link to a document: it checks ownership, then opens the signed page. */
export function documentPath(
  kind: 'invoices' | 'credit-notes' | 'receipts',
  id: string,
  pdf = false,
): string {
  return `/portal/${kind}/${encodeURIComponent(id)}${pdf ? '/pdf' : ''}`;
}

function toInvoiceRow(invoice: Invoice) {
  return {
    id: invoice.id,
    // Not `number`: templates have a {{number}} helper.
    documentNumber: invoice.number,
    issuedAt: iso(invoice.issued_at),
    dueAt: iso(invoice.due_at),
    total: invoice.total,
    amountDue: invoice.amount_due,
    currency: invoice.currency,
    status: invoice.status,
    payable: UNPAID.has(invoice.status),
    href: documentPath('invoices', invoice.id),
    pdfHref: documentPath('invoices', invoice.id, true),
  };
}

export function toOverviewPage(overview: PortalOverview) {
  return {
    amountDue: overview.amountDue,
    unpaidInvoices: overview.unpaidInvoices.map(toInvoiceRow),
    unpaidCount: overview.unpaidInvoices.length,
    subscriptions: overview.subscriptions.map(({ subscription, planName, upcoming }) => ({
      id: subscription.id,
      planName,
      quantity: subscription.quantity,
      status: subscription.status,
      // Periods end exclusively: the last day shown is the one holding the last instant.
      period: subscription.currentPeriod && {
        start: subscription.currentPeriod.start,
        lastDay: new Date(Date.parse(subscription.currentPeriod.end) - 1).toISOString(),
      },
      upcoming: upcoming && {
        total: upcoming.total.amount,
        currency: upcoming.total.currency,
        issuedAt: upcoming.issuedAt,
      },
    })),
  };
}

function toCreditNoteRow(note: CreditNote, numbers: Map<string, string | null>) {
  return {
    id: note.id,
    documentNumber: note.number,
    issuedAt: iso(note.issued_at),
    invoiceNumber: numbers.get(note.invoice_id) ?? '',
    total: note.total,
    currency: note.currency,
    href: documentPath('credit-notes', note.id),
    pdfHref: documentPath('credit-notes', note.id, true),
  };
}

function toReceiptRow(payment: Payment & { invoice_number: string | null }) {
  return {
    id: payment.id,
    paidAt: iso(payment.paid_at),
    invoiceNumber: payment.invoice_number ?? '',
    method: payment.method,
    amount: payment.amount,
    currency: payment.currency,
    href: documentPath('receipts', payment.id),
    pdfHref: documentPath('receipts', payment.id, true),
  };
}

export function toDocumentsPage(documents: PortalDocuments) {
  const numbers = new Map(documents.invoices.map((i) => [i.id, i.number]));
  return {
    invoices: documents.invoices.map(toInvoiceRow),
    creditNotes: documents.creditNotes.map((note) => toCreditNoteRow(note, numbers)),
    receipts: documents.payments.map(toReceiptRow),
  };
}
