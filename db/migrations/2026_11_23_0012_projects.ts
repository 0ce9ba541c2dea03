// Project billing: projects with a contract value, an optional deposit and milestones (fixed,
// percentage or the balance), each moved by the project's workflow; change orders versioned and
// audited; time entries rounded, budgeted and invoiced once; invoices of a project keyed by
// (project, business key); manual invoices marked as such. Frozen in time: Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('contract_value', 'bigint', (c) => c.notNull().check(sql`contract_value > 0`))
    // The terms as the workflow started with them (deposit, milestones, retainage, hours).
    .addColumn('terms', 'jsonb', (c) => c.notNull())
    // Bumped by every change order.
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('active')
        .check(sql`status in ('active', 'completed')`),
    )
    .addColumn('budget_warned_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('projects_customer').on('projects').column('customer_id').execute();

  await db.schema
    .createTable('project_milestones')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // As priced now (percentages resolved); what was invoiced once invoiced.
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'awaiting_approval', 'approved', 'invoiced')`),
    )
    .addColumn('invoice_id', 'text', (c) => c.references('invoices.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('project_milestones_pkey', ['project_id', 'key'])
    .execute();

  // Everything that happened to a project, once per business key: completions, approvals,
  // rejections (with the reason), invoices, reminders, change orders.
  await db.schema
    .createTable('project_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('event_key', 'text', (c) => c.notNull().unique())
    .addColumn('milestone_key', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('project_events_project')
    .on('project_events')
    .columns(['project_id', 'id'])
    .execute();

  await db.schema
    .createTable('project_change_orders')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    // The project version this change order produced (2, 3, …).
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('change', 'jsonb', (c) => c.notNull())
    .addColumn('contract_value_before', 'bigint', (c) => c.notNull())
    .addColumn('contract_value_after', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_change_orders_pkey', ['project_id', 'version'])
    .execute();

  await db.schema
    .alterTable('invoices')
    .addColumn('project_id', 'text', (c) => c.references('projects.id'))
    // Where an invoice came from when not a subscription: manual (POST /v1/invoices) or project.
    .addColumn('origin', 'text', (c) => c.check(sql`origin in ('manual', 'project')`))
    .execute();
  await db.schema
    .createIndex('invoices_project_billing_key')
    .on('invoices')
    .columns(['project_id', 'billing_key'])
    .unique()
    .where(sql.ref('project_id'), 'is not', null)
    .execute();

  await db.schema
    .createTable('time_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('person', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    // The day worked in the customer's calendar, YYYY-MM-DD (text: no zone to shift it).
    .addColumn('work_date', 'text', (c) =>
      c.notNull().check(sql`work_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`),
    )
    .addColumn('minutes', 'integer', (c) => c.notNull().check(sql`minutes > 0`))
    // Rounded up to the project's increment: what is billed.
    .addColumn('billed_minutes', 'integer', (c) => c.notNull().check(sql`billed_minutes > 0`))
    .addColumn('hourly_rate', 'bigint', (c) => c.notNull().check(sql`hourly_rate >= 0`))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('billable', 'boolean', (c) => c.notNull())
    // Set once, in the transaction that creates the invoice: never invoiced twice.
    .addColumn('invoice_id', 'text', (c) => c.references('invoices.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // An invoiced entry is what the invoice says: it never changes again, whoever asks (a
  // correction is a credit note on its invoice).
  await sql`create function time_entry_invoiced_is_final() returns trigger language plpgsql as $$
    begin
      raise exception 'time entry % is invoiced (%): correct it with a credit note', old.id, old.invoice_id
        using errcode = 'check_violation';
    end $$`.execute(db);
  await sql`create trigger time_entries_invoiced_final before update or delete on time_entries
    for each row when (old.invoice_id is not null)
    execute function time_entry_invoiced_is_final()`.execute(db);
  await db.schema
    .createIndex('time_entries_uninvoiced')
    .on('time_entries')
    .columns(['project_id', 'work_date'])
    .where(sql.ref('invoice_id'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('time_entries').execute();
  await sql`drop function time_entry_invoiced_is_final()`.execute(db);
  await db.schema.dropIndex('invoices_project_billing_key').execute();
  await db.schema.alterTable('invoices').dropColumn('origin').execute();
  await db.schema.alterTable('invoices').dropColumn('project_id').execute();
  await db.schema.dropTable('project_change_orders').execute();
  await db.schema.dropTable('project_events').execute();
  await db.schema.dropTable('project_milestones').execute();
  await db.schema.dropTable('projects').execute();
}
