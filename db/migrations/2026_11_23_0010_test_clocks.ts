// Test clocks: virtual time a customer can be billed on, advanced through the API. A customer is
// created on a clock or not, never moved. Frozen in time: Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('test_clocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('frozen_time', 'timestamptz', (c) => c.notNull())
    // ready, or advancing (to advancing_to) while an advance walks the boundaries in between.
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('ready', 'advancing', 'deleting')`),
    )
    .addColumn('advancing_to', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable('customers')
    .addColumn('test_clock_id', 'text', (c) => c.references('test_clocks.id'))
    .execute();
  await db.schema
    .createIndex('customers_test_clock')
    .on('customers')
    .column('test_clock_id')
    .where(sql.ref('test_clock_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('customers_test_clock').execute();
  await db.schema.alterTable('customers').dropColumn('test_clock_id').execute();
  await db.schema.dropTable('test_clocks').execute();
}
