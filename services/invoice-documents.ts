// An invoice's documents as stored: the HTML that was rendered and sent, the PDF printed from it
// once, and what its hosted page (the customer's signed link) shows. A void or written-off
// invoice is shown in its copy stamped with that status (documents/status-mark.ts), stored once
// beside the copy as issued: the issued record is never rewritten, and the stamped copy, made on
// the first request after the change from the issued one, is itself fixed, so its PDF and ETag
// stay true. Nothing else is made here: a document that is missing is refused, saying whether
// the invoice exists.
import { createHash } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import type { Invoice } from '../db/database.ts';
import {
  getInvoiceDocument,
  storeInvoiceDocument,
  type StoredPdf,
} from '../db/repositories/invoice-documents.ts';
import { getInvoice } from '../db/repositories/invoices.ts';
import { displayLocale } from '../documents/renderer.ts';
import { isMarkedStatus, markInvoiceDocument } from '../documents/status-mark.ts';
import { Refused } from './refused.ts';

/** Where stored PDFs come from: printed from the stored HTML on first request (the API's). */
export interface PdfSource {
  forInvoice(invoiceId: string, mark?: string): Promise<StoredPdf | undefined>;
}

interface ShownDocument {
  invoice: Invoice;
  content: string;
  contentHash: string;
  /** The status the copy is stamped with; undefined for the document as issued. */
  mark: string | undefined;
}

/**
 * The language and zone what is shown around a stored document speaks: the document's own
 * language (the customer's at finalization, as the document was issued in it), so a stamp or a
 * banner never mixes two languages on one page; today's customer for an invoice without one.
 */
async function customerDisplay(db: Db, invoice: Invoice) {
  const customer = await db
    .selectFrom('customers')
    .select(['locale', 'timezone'])
    .where('id', '=', invoice.customer_id)
    .executeTakeFirst();
  return {
    locale: invoice.customer_details?.locale ?? customer?.locale,
    timezone: customer?.timezone ?? 'UTC',
  };
}

/** The copy to show now: as issued, or stamped with the invoice's status (stored on first use). */
async function shownDocument(db: Db, id: string): Promise<ShownDocument | undefined> {
  const [invoice, issued] = await Promise.all([
    getInvoice(db, id),
    getInvoiceDocument(db, id, 'html'),
  ]);
  if (!invoice || !issued) return undefined;
  const status = invoice.status;
  if (!isMarkedStatus(status)) return { invoice, ...issued, mark: undefined };
  const stamped = await getInvoiceDocument(db, id, 'html', status);
  if (stamped) return { invoice, ...stamped, mark: status };
  const at = status === 'void' ? invoice.voided_at : invoice.marked_uncollectible_at;
  const { locale, timezone } = await customerDisplay(db, invoice);
  const content = markInvoiceDocument(issued.content, {
    status,
    at: at ?? new Date(),
    amount: invoice.amount_due,
    currency: invoice.currency,
    locale: displayLocale(locale ?? 'en'),
    timezone,
  });
  const stored = await storeInvoiceDocument(db, {
    invoiceId: id,
    format: 'html',
    content,
    contentHash: createHash('sha256').update(content).digest('hex'),
    mark: status,
  });
  return { invoice, ...stored, mark: status };
}

async function notRendered(db: Db, id: string): Promise<Refused> {
  const exists = await getInvoice(db, id);
  return new Refused(
    'not_found',
    exists ? `Invoice ${id} has not been rendered yet.` : `Invoice ${id} does not exist.`,
  );
}

/** The invoice's HTML as stored: as sent, or its copy stamped void or uncollectible. */
export async function invoiceHtml(db: Db, id: string) {
  const document = await shownDocument(db, id);
  if (!document) throw await notRendered(db, id);
  return { content: document.content, contentHash: document.contentHash };
}

/** The PDF of the copy shown now and the file name it goes by (the invoice's number). */
async function namedPdf(db: Db, pdfs: PdfSource, id: string, missing: () => Promise<Refused>) {
  const document = await shownDocument(db, id);
  const stored = document && (await pdfs.forInvoice(id, document.mark));
  if (!document || !stored) throw await missing();
  return { stored, filename: document.invoice.number ?? id };
}

/** The invoice's stored PDF (printed from the HTML it shows on first request). */
export function invoicePdf(db: Db, pdfs: PdfSource, id: string) {
  return namedPdf(db, pdfs, id, () => notRendered(db, id));
}

/** Refuses a hosted link to an invoice that does not exist, or whose page would be empty. */
export async function requireLinkableInvoice(db: Db, id: string): Promise<void> {
  if (!(await getInvoice(db, id))) throw new Refused('not_found', `Invoice ${id} does not exist.`);
  if (!(await getInvoiceDocument(db, id, 'html'))) {
    throw new Refused(
      'conflict',
      `Invoice ${id} has not been rendered yet; its page would be empty.`,
    );
  }
}

const NOTHING_TO_SHOW = 'This invoice has no document to show yet.';

/** What the invoice's hosted page shows: the document it shows now, the invoice as it stands,
 * and the customer's locale and zone to show it in. */
export async function hostedInvoice(
  db: Db,
  id: string,
): Promise<{ invoice: Invoice; html: string; locale: string | undefined; timezone: string }> {
  const document = await shownDocument(db, id);
  if (!document) throw new Refused('not_found', NOTHING_TO_SHOW);
  const { locale, timezone } = await customerDisplay(db, document.invoice);
  return { invoice: document.invoice, html: document.content, locale, timezone };
}

/** The hosted page's PDF download: as the API's, refused without saying why. */
export function hostedPdf(db: Db, pdfs: PdfSource, id: string) {
  return namedPdf(db, pdfs, id, () => Promise.resolve(new Refused('not_found', NOTHING_TO_SHOW)));
}
