// Invoice documents: the rendered HTML and the PDF printed from it, stored once per invoice,
// format and mark (the primary key keeps the first, so what was sent stays). The copy as issued
// has the plain format ('html', 'pdf'); a copy stamped later with the invoice's status (void,
// uncollectible) is another record beside it, 'html/void' and its 'pdf/void'. A PDF's bytes are
// kept as base64 text in invoice_documents.content, so one table holds every format; its
// source_hash names the HTML version it was printed from.
import type { Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { Database } from '../database.ts';

type Executor = Db | Transaction<Database>;

/** The status a copy is stamped with; undefined for the document as issued. */
type Mark = string | undefined;

function formatOf(format: 'html' | 'pdf', mark: Mark): string {
  return mark === undefined ? format : `${format}/${mark}`;
}

export interface StoredPdf {
  pdf: Buffer;
  /** sha256 of the PDF bytes (hex): its ETag. */
  contentHash: string;
  /** Content hash of the stored HTML it was printed from. */
  sourceHash: string | null;
}

/** Stores an invoice's PDF unless one is stored already; returns the stored one either way. */
export async function storeInvoicePdf(
  db: Executor,
  doc: { invoiceId: string; pdf: Buffer; contentHash: string; sourceHash: string; mark?: Mark },
): Promise<StoredPdf> {
  await db
    .insertInto('invoice_documents')
    .values({
      invoice_id: doc.invoiceId,
      format: formatOf('pdf', doc.mark),
      content: doc.pdf.toString('base64'),
      content_hash: doc.contentHash,
      source_hash: doc.sourceHash,
    })
    .onConflict((oc) => oc.columns(['invoice_id', 'format']).doNothing())
    .execute();
  return (await getInvoicePdf(db, doc.invoiceId, doc.mark))!;
}

export async function getInvoicePdf(
  db: Executor,
  invoiceId: string,
  mark?: Mark,
): Promise<StoredPdf | undefined> {
  const row = await db
    .selectFrom('invoice_documents')
    .select(['content', 'content_hash', 'source_hash'])
    .where('invoice_id', '=', invoiceId)
    .where('format', '=', formatOf('pdf', mark))
    .executeTakeFirst();
  return (
    row && {
      pdf: Buffer.from(row.content, 'base64'),
      contentHash: row.content_hash,
      sourceHash: row.source_hash,
    }
  );
}

/** Stores a rendered document once; a second store keeps the first (what was sent stays). */
export async function storeInvoiceDocument(
  db: Executor,
  doc: { invoiceId: string; format: 'html'; content: string; contentHash: string; mark?: Mark },
): Promise<{ content: string; contentHash: string }> {
  await db
    .insertInto('invoice_documents')
    .values({
      invoice_id: doc.invoiceId,
      format: formatOf(doc.format, doc.mark),
      content: doc.content,
      content_hash: doc.contentHash,
    })
    .onConflict((oc) => oc.columns(['invoice_id', 'format']).doNothing())
    .execute();
  return (await getInvoiceDocument(db, doc.invoiceId, doc.format, doc.mark))!;
}

export async function getInvoiceDocument(
  db: Executor,
  invoiceId: string,
  format: 'html',
  mark?: Mark,
): Promise<{ content: string; contentHash: string } | undefined> {
  const row = await db
    .selectFrom('invoice_documents')
    .select(['content', 'content_hash'])
    .where('invoice_id', '=', invoiceId)
    .where('format', '=', formatOf(format, mark))
    .executeTakeFirst();
  return row && { content: row.content, contentHash: row.content_hash };
}
