// Invoice lifecycle: drafts (unnumbered, editable) finalized into open invoices (numbered,
// immutable, taxed, with the customer's and seller's details as they were), then paid,
// partially paid, void or uncollectible; credit notes against them. Existing invoices were
// issued open with no tax and no discount: they stay valid as exclusive-priced, finalized rows.
// Frozen in time: takes Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('invoices')
    .addColumn('tax_behavior', 'text', (c) =>
      c
        .notNull()
        .defaultTo('exclusive')
        .check(sql`tax_behavior in ('exclusive', 'inclusive')`),
    )
    .addColumn('discount_total', 'bigint', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`discount_total >= 0`),
    )
    .addColumn('amount_paid', 'bigint', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`amount_paid >= 0`),
    )
    // Sum of the credit notes issued against the invoice.
    .addColumn('amount_credited', 'bigint', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`amount_credited >= 0`),
    )
    // The tax summary per rate (and per untaxed treatment) and the legal mentions to print,
    // as the tax provider answered at finalization.
    .addColumn('tax_breakdown', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('tax_notes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('tax_provider', 'text')
    // The date the rates were taken at, YYYY-MM-DD (text: no time zone to shift it).
    .addColumn('tax_date', 'text', (c) => c.check(sql`tax_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    // Who was billed and who billed, as they were at finalization (later edits do not rewrite
    // an issued invoice).
    .addColumn('customer_details', 'jsonb')
    .addColumn('seller_details', 'jsonb')
    .addColumn('finalized_at', 'timestamptz')
    .addColumn('paid_at', 'timestamptz')
    .addColumn('voided_at', 'timestamptz')
    .addColumn('marked_uncollectible_at', 'timestamptz')
    .execute();

  // What is still owed, derived so it can never disagree with its parts.
  await sql`
    alter table invoices add column amount_due bigint
      generated always as (greatest(total - amount_paid - amount_credited, 0)) stored`.execute(db);

  // Numbers, issue and due dates come with finalization.
  await sql`alter table invoices alter column number drop not null`.execute(db);
  await sql`alter table invoices alter column issued_at drop not null`.execute(db);
  await sql`alter table invoices alter column due_at drop not null`.execute(db);

  // Backfill: every existing invoice was finalized when it was issued.
  await sql`update invoices set finalized_at = issued_at where finalized_at is null`.execute(db);
  await sql`update invoices set status = 'open' where status not in
    ('draft', 'open', 'paid', 'partially_paid', 'void', 'uncollectible')`.execute(db);

  await db.schema.alterTable('invoices').dropConstraint('invoices_total_check').execute();
  await db.schema
    .alterTable('invoices')
    .addCheckConstraint(
      'invoices_status_check',
      sql`status in ('draft', 'open', 'paid', 'partially_paid', 'void', 'uncollectible')`,
    )
    .execute();
  await db.schema
    .alterTable('invoices')
    .addCheckConstraint(
      'invoices_totals_check',
      sql`tax >= 0 and discount_total <= subtotal and total = case tax_behavior
            when 'exclusive' then subtotal - discount_total + tax
            else subtotal - discount_total end`,
    )
    .execute();
  await db.schema
    .alterTable('invoices')
    .addCheckConstraint(
      'invoices_finalized_check',
      sql`case when status = 'draft' then number is null
            else number is not null and issued_at is not null and due_at is not null end`,
    )
    .execute();
  await db.schema
    .alterTable('invoices')
    .addCheckConstraint('invoices_credited_within_total_check', sql`amount_credited <= total`)
    .execute();
  await db.schema
    .alterTable('invoices')
    .addCheckConstraint(
      'invoices_status_dates_check',
      sql`(status <> 'void' or voided_at is not null)
        and (status <> 'uncollectible' or marked_uncollectible_at is not null)`,
    )
    .execute();

  await db.schema
    .alterTable('invoice_lines')
    // The line's share of the invoice's discounts.
    .addColumn('discount_amount', 'bigint', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`discount_amount >= 0`),
    )
    .addColumn('tax_category', 'text', (c) =>
      c
        .notNull()
        .defaultTo('standard')
        .check(sql`tax_category in ('standard', 'ebook', 'exempt')`),
    )
    .addColumn('tax_amount', 'bigint', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`tax_amount >= 0`),
    )
    // Percent, the sum of the line's tax components ("20", "14.975"); null until taxed.
    .addColumn('tax_rate', 'numeric')
    .addColumn('tax_jurisdiction', 'text')
    .addColumn('tax_treatment', 'text')
    .addColumn('tax_components', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // What the customer pays for the line, tax included.
    .addColumn('total_amount', 'bigint')
    .execute();
  await sql`update invoice_lines set total_amount = amount where total_amount is null`.execute(db);
  await sql`alter table invoice_lines alter column total_amount set not null`.execute(db);
  await db.schema
    .alterTable('invoice_lines')
    .addCheckConstraint('invoice_lines_discount_check', sql`discount_amount <= amount`)
    .execute();

  // Series keys now come from the number format: INV-2026 becomes INV-2026-{SEQ}, so the
  // counters of existing series carry on.
  await sql`update number_series set series = series || '-{SEQ}'
    where series ~ '^INV-[0-9]{4}$'`.execute(db);

  await db.schema
    .createTable('credit_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Numbered in its own series when issued; a credit note is never a draft.
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('invoice_id', 'text', (c) => c.notNull().references('invoices.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('reason', 'text', (c) =>
      c.notNull().check(sql`reason in ('void', 'refund', 'correction', 'other')`),
    )
    .addColumn('memo', 'text')
    // total = subtotal + tax: what the credit takes off the invoice, and the tax inside it.
    .addColumn('subtotal', 'bigint', (c) => c.notNull())
    .addColumn('tax', 'bigint', (c) => c.notNull().check(sql`tax >= 0`))
    .addColumn('total', 'bigint', (c) => c.notNull().check(sql`total > 0`))
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('credit_notes_amounts_check', sql`total = subtotal + tax and subtotal >= 0`)
    .execute();
  await db.schema
    .createIndex('credit_notes_invoice_idx')
    .on('credit_notes')
    .column('invoice_id')
    .execute();

  await db.schema
    .createTable('credit_note_lines')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('credit_note_id', 'text', (c) => c.notNull().references('credit_notes.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('invoice_line_id', 'bigint', (c) => c.notNull().references('invoice_lines.id'))
    .addColumn('description', 'text', (c) => c.notNull())
    // Tax included; tax_amount is the part of it that was tax.
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('tax_amount', 'bigint', (c) => c.notNull().check(sql`tax_amount >= 0`))
    .addCheckConstraint('credit_note_lines_tax_check', sql`tax_amount <= amount`)
    .addUniqueConstraint('credit_note_lines_position_key', ['credit_note_id', 'position'])
    .execute();
  await db.schema
    .createIndex('credit_note_lines_invoice_line_idx')
    .on('credit_note_lines')
    .column('invoice_line_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('credit_note_lines').execute();
  await db.schema.dropTable('credit_notes').execute();
  await sql`update number_series set series = left(series, length(series) - 6)
    where series ~ '^INV-[0-9]{4}-\\{SEQ\\}$'`.execute(db);
  for (const constraint of ['invoice_lines_discount_check']) {
    await db.schema.alterTable('invoice_lines').dropConstraint(constraint).execute();
  }
  for (const column of [
    'discount_amount',
    'tax_category',
    'tax_amount',
    'tax_rate',
    'tax_jurisdiction',
    'tax_treatment',
    'tax_components',
    'total_amount',
  ]) {
    await db.schema.alterTable('invoice_lines').dropColumn(column).execute();
  }
  for (const constraint of [
    'invoices_status_check',
    'invoices_totals_check',
    'invoices_finalized_check',
    'invoices_credited_within_total_check',
    'invoices_status_dates_check',
  ]) {
    await db.schema.alterTable('invoices').dropConstraint(constraint).execute();
  }
  await db.schema.alterTable('invoices').dropColumn('amount_due').execute();
  for (const column of [
    'tax_behavior',
    'discount_total',
    'amount_paid',
    'amount_credited',
    'tax_breakdown',
    'tax_notes',
    'tax_provider',
    'tax_date',
    'customer_details',
    'seller_details',
    'finalized_at',
    'paid_at',
    'voided_at',
    'marked_uncollectible_at',
  ]) {
    await db.schema.alterTable('invoices').dropColumn(column).execute();
  }
  await db.schema
    .alterTable('invoices')
    .addCheckConstraint('invoices_total_check', sql`total = subtotal + tax`)
    .execute();
}
