// What taxing a customer needs: a postal address (the region decides US, Canadian and Indian
// tax), whether they buy as a business, a VAT number, an exemption; and their payment terms.
// Frozen in time: takes Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('customers')
    .addColumn('address_line1', 'text')
    .addColumn('address_line2', 'text')
    .addColumn('city', 'text')
    .addColumn('region', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('customer_type', 'text', (c) =>
      c
        .notNull()
        .defaultTo('individual')
        .check(sql`customer_type in ('business', 'individual')`),
    )
    .addColumn('vat_number', 'text')
    .addColumn('tax_exempt_reference', 'text')
    // 0: due on receipt; 15, 30: net 15, net 30; any other number of days.
    .addColumn('payment_terms_days', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`payment_terms_days between 0 and 365`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of [
    'address_line1',
    'address_line2',
    'city',
    'region',
    'postal_code',
    'customer_type',
    'vat_number',
    'tax_exempt_reference',
    'payment_terms_days',
  ]) {
    await db.schema.alterTable('customers').dropColumn(column).execute();
  }
}
