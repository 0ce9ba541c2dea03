// Printed invoice documents (PDF), stored once per invoice beside the HTML they were printed
// from. The bytes are kept as base64 text in invoice_documents.content, so one table holds every
// format; source_hash names the HTML version. The (invoice_id, format) key keeps the first print.
import type { Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { Database } from '../database.ts';

type Executor = Db | Transaction<Database>;

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
  doc: { invoiceId: string; pdf: Buffer; contentHash: string; sourceHash: string },
): Promise<StoredPdf> {
  await db
    .insertInto('invoice_documents')
    .values({
      invoice_id: doc.invoiceId,
      format: 'pdf',
      content: doc.pdf.toString('base64'),
      content_hash: doc.contentHash,
      source_hash: doc.sourceHash,
    })
    .onConflict((oc) => oc.columns(['invoice_id', 'format']).doNothing())
    .execute();
  return (await getInvoicePdf(db, doc.invoiceId))!;
}

export async function getInvoicePdf(
  db: Executor,
  invoiceId: string,
): Promise<StoredPdf | undefined> {
  const row = await db
    .selectFrom('invoice_documents')
    .select(['content', 'content_hash', 'source_hash'])
    .where('invoice_id', '=', invoiceId)
    .where('format', '=', 'pdf')
    .executeTakeFirst();
  return (
    row && {
      pdf: Buffer.from(row.content, 'base64'),
      contentHash: row.content_hash,
      sourceHash: row.source_hash,
    }
  );
}
