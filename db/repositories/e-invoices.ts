// E-invoices as first generated: stored once, served and attached as stored ever after.
import type { Db } from '../connect.ts';
import type { StoredEInvoice } from '../database.ts';

export interface EInvoiceRef {
  kind: 'invoice' | 'credit_note';
  documentId: string;
  format: string;
}

export async function getStoredEInvoice(
  db: Db,
  ref: EInvoiceRef,
): Promise<StoredEInvoice | undefined> {
  return db
    .selectFrom('e_invoices')
    .selectAll()
    .where('document_kind', '=', ref.kind)
    .where('document_id', '=', ref.documentId)
    .where('format', '=', ref.format)
    .executeTakeFirst();
}

/** Stores the e-invoice unless one is stored already; either way, gives the stored one. */
export async function storeEInvoice(
  db: Db,
  ref: EInvoiceRef,
  file: Pick<StoredEInvoice, 'content' | 'content_type' | 'filename' | 'content_hash'>,
): Promise<StoredEInvoice> {
  await db
    .insertInto('e_invoices')
    .values({ document_kind: ref.kind, document_id: ref.documentId, format: ref.format, ...file })
    .onConflict((oc) => oc.columns(['document_kind', 'document_id', 'format']).doNothing())
    .execute();
  return (await getStoredEInvoice(db, ref))!;
}
