// The subscription lifecycle bills several invoices per period (a boundary's advance and arrears
// charges, a final invoice on cancel) and credits unused time: each is keyed by its business key
// (subscription, boundary, kind) in `billing_key`, unique per subscription. Invoices of the flat
// workflow (no key) keep their one-per-(subscription, period) rule. Frozen in time: Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoices').addColumn('billing_key', 'text').execute();
  await db.schema.alterTable('credit_notes').addColumn('billing_key', 'text').execute();
  await db.schema.dropIndex('invoices_subscription_period_key').execute();
  await db.schema
    .createIndex('invoices_subscription_period_key')
    .on('invoices')
    .columns(['subscription_id', 'period_start'])
    .unique()
    .where(sql.ref('billing_key'), 'is', null)
    .execute();
  await db.schema
    .createIndex('invoices_subscription_billing_key')
    .on('invoices')
    .columns(['subscription_id', 'billing_key'])
    .unique()
    .where(sql.ref('billing_key'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('credit_notes_billing_key')
    .on('credit_notes')
    .column('billing_key')
    .unique()
    .where(sql.ref('billing_key'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('credit_notes_billing_key').execute();
  await db.schema.dropIndex('invoices_subscription_billing_key').execute();
  await db.schema.dropIndex('invoices_subscription_period_key').execute();
  await db.schema.alterTable('credit_notes').dropColumn('billing_key').execute();
  await db.schema.alterTable('invoices').dropColumn('billing_key').execute();
  await db.schema
    .createIndex('invoices_subscription_period_key')
    .on('invoices')
    .columns(['subscription_id', 'period_start'])
    .unique()
    .execute();
}
