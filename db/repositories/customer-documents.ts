// Credit notes' and receipts' documents: the HTML rendered once and the PDF printed from it,
// stored once per (kind, subject, format); a second store keeps the first, so what the customer
// was sent stays. A PDF's bytes are kept as base64 text, as invoice_documents does.
import type { Db } from '../connect.ts';
import type { CustomerDocumentsTable } from '../schema/invoices.ts';
import type { StoredPdf } from './invoice-documents.ts';

export type CustomerDocumentKind = CustomerDocumentsTable['kind'];

/** Which document: a credit note (by its id) or a payment's receipt (by the payment's id). */
export interface CustomerDocumentRef {
  kind: CustomerDocumentKind;
  subjectId: string;
}

async function store(
  db: Db,
  ref: CustomerDocumentRef,
  row: { format: 'html' | 'pdf'; content: string; contentHash: string; sourceHash?: string },
): Promise<void> {
  await db
    .insertInto('customer_documents')
    .values({
      kind: ref.kind,
      subject_id: ref.subjectId,
      format: row.format,
      content: row.content,
      content_hash: row.contentHash,
      source_hash: row.sourceHash ?? null,
    })
    .onConflict((oc) => oc.columns(['kind', 'subject_id', 'format']).doNothing())
    .execute();
}

function read(db: Db, ref: CustomerDocumentRef, format: 'html' | 'pdf') {
  return db
    .selectFrom('customer_documents')
    .select(['content', 'content_hash', 'source_hash'])
    .where('kind', '=', ref.kind)
    .where('subject_id', '=', ref.subjectId)
    .where('format', '=', format)
    .executeTakeFirst();
}

export async function getCustomerDocumentHtml(
  db: Db,
  ref: CustomerDocumentRef,
): Promise<{ content: string; contentHash: string } | undefined> {
  const row = await read(db, ref, 'html');
  return row && { content: row.content, contentHash: row.content_hash };
}

/** Stores the rendered HTML unless some is stored already; returns the stored one either way. */
export async function storeCustomerDocumentHtml(
  db: Db,
  ref: CustomerDocumentRef,
  doc: { content: string; contentHash: string },
): Promise<{ content: string; contentHash: string }> {
  await store(db, ref, { format: 'html', ...doc });
  return (await getCustomerDocumentHtml(db, ref))!;
}

export async function getCustomerDocumentPdf(
  db: Db,
  ref: CustomerDocumentRef,
): Promise<StoredPdf | undefined> {
  const row = await read(db, ref, 'pdf');
  return (
    row && {
      pdf: Buffer.from(row.content, 'base64'),
      contentHash: row.content_hash,
      sourceHash: row.source_hash,
    }
  );
}

/** Stores the printed PDF unless one is stored already; returns the stored one either way. */
export async function storeCustomerDocumentPdf(
  db: Db,
  ref: CustomerDocumentRef,
  doc: { pdf: Buffer; contentHash: string; sourceHash: string },
): Promise<StoredPdf> {
  await store(db, ref, {
    format: 'pdf',
    content: doc.pdf.toString('base64'),
    contentHash: doc.contentHash,
    sourceHash: doc.sourceHash,
  });
  return (await getCustomerDocumentPdf(db, ref))!;
}
