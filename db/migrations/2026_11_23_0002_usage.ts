// Usage metering: billable metrics, the usage events that feed them, and how far each
// subscription's usage has been invoiced (late events are judged against it).
// Frozen in time: a migration takes Kysely<any> and never imports today's table types.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Metrics are immutable once created: events are validated and their aggregated value
  // extracted against the metric at ingestion, so changing `field` later would mix meanings.
  await db.schema
    .createTable('billable_metrics')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('aggregation', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`aggregation in ('count', 'sum', 'max', 'unique_count', 'latest', 'weighted_sum')`,
        ),
    )
    .addColumn('field', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'billable_metrics_field_check',
      sql`(aggregation = 'count') = (field is null)`,
    )
    .execute();

  // No foreign keys on this table: the ingestion statement resolves the customer and checks
  // the metric itself, customers and metrics are never deleted, and per-row RI triggers (a
  // lookup and a row lock on the customer for every event) cost a third of an insert.
  await db.schema
    .createTable('usage_events')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    // Idempotency key chosen by the sender, unique per customer (the primary key below).
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('metric_code', 'text', (c) => c.notNull())
    // Set when the event was sent for a subscription rather than a customer.
    .addColumn('subscription_id', 'text')
    // When the usage happened, as sent.
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    // The instant the event is billed at: `timestamp`, or the start of the first open period
    // when a late event is carried forward. Every aggregation ranges over this column.
    .addColumn('billing_timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('properties', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // The metric's field, extracted and validated at ingestion so aggregation never parses
    // JSON: `value` for sum, max, latest and weighted_sum; `unique_key` for unique_count.
    .addColumn('value', 'numeric')
    .addColumn('unique_key', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('usage_events_pkey', ['customer_id', 'transaction_id'])
    .execute();
  // Aggregating a period is one range scan of this index, and it covers the aggregated
  // columns, so the scan never visits the table (an index-only scan once vacuumed).
  await sql`
    create index usage_events_aggregation_idx
    on usage_events (customer_id, metric_code, billing_timestamp)
    include (value, unique_key)`.execute(db);

  // Usage before this instant is invoiced; set by billing when it rates a usage period.
  await db.schema
    .alterTable('subscriptions')
    .addColumn('usage_closed_through', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('subscriptions').dropColumn('usage_closed_through').execute();
  await db.schema.dropTable('usage_events').execute();
  await db.schema.dropTable('billable_metrics').execute();
}
