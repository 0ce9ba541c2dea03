// A document printed from another (the PDF from the stored HTML) records the hash of its source,
// so anyone can check that the PDF and the HTML of an invoice are the same version.
// Frozen in time: takes Kysely<any>.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoice_documents').addColumn('source_hash', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoice_documents').dropColumn('source_hash').execute();
}
