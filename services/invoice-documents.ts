// An invoice's documents as stored: the HTML that was rendered and sent, the PDF printed from it
// once, and what its hosted page (the customer's signed link) shows. Neither is made here: a
// document that is missing is refused, saying whether the invoice exists.
import type { Db } from '../db/connect.ts';
import type { Invoice } from '../db/database.ts';
import type { StoredPdf } from '../db/repositories/invoice-documents.ts';
import { getInvoice } from '../db/repositories/invoices.ts';
import { getInvoiceDocument } from '../db/repositories/invoice-documents.ts';
import { Refused } from './refused.ts';

/** Where stored PDFs come from: printed from the stored HTML on first request (the API's). */
export interface PdfSource {
  forInvoice(invoiceId: string): Promise<StoredPdf | undefined>;
}

async function notRendered(db: Db, id: string): Promise<Refused> {
  const exists = await getInvoice(db, id);
  return new Refused(
    'not_found',
    exists ? `Invoice ${id} has not been rendered yet.` : `Invoice ${id} does not exist.`,
  );
}

/** The invoice's HTML exactly as stored and sent. */
export async function invoiceHtml(db: Db, id: string) {
  const document = await getInvoiceDocument(db, id, 'html');
  if (!document) throw await notRendered(db, id);
  return document;
}

/** The stored PDF and the file name it goes by (the invoice's number); `missing` refuses. */
async function namedPdf(db: Db, pdfs: PdfSource, id: string, missing: () => Promise<Refused>) {
  const stored = await pdfs.forInvoice(id);
  if (!stored) throw await missing();
  const invoice = await getInvoice(db, id);
  return { stored, filename: invoice?.number ?? id };
}

/** The invoice's stored PDF (printed from its stored HTML on first request). */
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

/** What the invoice's hosted page shows: the stored document, the invoice as it stands now, and
 * the customer's locale and zone to show it in. */
export async function hostedInvoice(
  db: Db,
  id: string,
): Promise<{ invoice: Invoice; html: string; locale: string | undefined; timezone: string }> {
  const [invoice, document] = await Promise.all([
    getInvoice(db, id),
    getInvoiceDocument(db, id, 'html'),
  ]);
  if (!invoice || !document) throw new Refused('not_found', NOTHING_TO_SHOW);
  const customer = await db
    .selectFrom('customers')
    .select(['locale', 'timezone'])
    .where('id', '=', invoice.customer_id)
    .executeTakeFirst();
  return {
    invoice,
    html: document.content,
    locale: customer?.locale,
    timezone: customer?.timezone ?? 'UTC',
  };
}

/** The hosted page's PDF download: as the API's, refused without saying why. */
export function hostedPdf(db: Db, pdfs: PdfSource, id: string) {
  return namedPdf(db, pdfs, id, () => Promise.resolve(new Refused('not_found', NOTHING_TO_SHOW)));
}
