// Collections: dunning policies as data, payments received against invoices (idempotent by
// reference), the customer credit ledger that carries overpayments to the next invoice, and one
// collection row per invoice (what its workflow is doing, and disputes). Frozen in time:
// Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dunning_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // Exactly one scope: a plan, a customer, or the default.
    .addColumn('plan_id', 'text', (c) => c.references('plans.id'))
    .addColumn('customer_id', 'text', (c) => c.references('customers.id'))
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    // The steps, end actions and sending window (domain/dunning.ts DunningPolicy).
    .addColumn('policy', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'dunning_policies_one_scope_check',
      sql`(plan_id is not null)::int + (customer_id is not null)::int + is_default::int = 1`,
    )
    .execute();
  await sql`create unique index dunning_policies_plan on dunning_policies (plan_id) where plan_id is not null`.execute(
    db,
  );
  await sql`create unique index dunning_policies_customer on dunning_policies (customer_id) where customer_id is not null`.execute(
    db,
  );
  await sql`create unique index dunning_policies_default on dunning_policies (is_default) where is_default`.execute(
    db,
  );

  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('invoice_id', 'text', (c) => c.notNull().references('invoices.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    // What went to the invoice, and what was more than it owed (carried as customer credit).
    .addColumn('applied_amount', 'bigint', (c) => c.notNull().check(sql`applied_amount >= 0`))
    .addColumn('overpaid_amount', 'bigint', (c) => c.notNull().check(sql`overpaid_amount >= 0`))
    .addColumn('method', 'text', (c) => c.notNull())
    // The payer's or provider's reference: a repeat with the same one is the same payment.
    .addColumn('reference', 'text', (c) => c.notNull())
    // api, credit_balance, or a provider's name (stripe).
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('paid_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('payments_split_check', sql`amount = applied_amount + overpaid_amount`)
    .addUniqueConstraint('payments_invoice_reference', ['invoice_id', 'reference'])
    .execute();

  await db.schema
    .createTable('customer_credit_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    // Positive: credit granted (an overpayment); negative: credit applied to an invoice.
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount <> 0`))
    .addColumn('payment_id', 'text', (c) => c.references('payments.id'))
    .addColumn('invoice_id', 'text', (c) => c.references('invoices.id'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('customer_credit_entries_customer')
    .on('customer_credit_entries')
    .columns(['customer_id', 'currency'])
    .execute();

  await db.schema
    .createTable('invoice_collections')
    .addColumn('invoice_id', 'text', (c) => c.primaryKey().references('invoices.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.references('dunning_policies.id'))
    // open, overdue, disputed, paid, void, uncollectible (ended: the workflow has nothing left).
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(sql`status in ('open', 'overdue', 'disputed', 'paid', 'void', 'uncollectible')`),
    )
    .addColumn('ended', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('dispute_reason', 'text')
    .addColumn('disputed_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolution', 'text')
    .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_action_at', 'timestamptz')
    .addColumn('next_action', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invoice_collections').execute();
  await db.schema.dropTable('customer_credit_entries').execute();
  await db.schema.dropTable('payments').execute();
  await db.schema.dropTable('dunning_policies').execute();
}
