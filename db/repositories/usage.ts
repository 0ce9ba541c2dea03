// Usage events: stored once per (customer, transaction id), judged against the period already
// invoiced (usage_closed_through); usage-aggregation.ts reduces them to quantities.
import { sql, type Transaction } from 'kysely';
import { executePrepared, type Db } from '../connect.ts';
import type { Database } from '../database.ts';

type Executor = Db | Transaction<Database>;

/**
 * What happens to an event whose timestamp falls before its customer's
 * `usage_closed_through` (a usage period already invoiced):
 * - `reject`: not stored; the sender is told the period is closed;
 * - `carry_forward`: stored with `billing_timestamp = usage_closed_through`, so it is counted
 *   in the first open period; `timestamp` keeps when it happened.
 */
export const LATE_EVENT_POLICIES = ['reject', 'carry_forward'] as const;
export type LateEventsPolicy = (typeof LATE_EVENT_POLICIES)[number];

/** An event already validated against its metric (services/usage.ts checks it). */
export interface UsageEventInput {
  /** Exactly one of customerId and subscriptionId is set. */
  customerId?: string | undefined;
  subscriptionId?: string | undefined;
  transactionId: string;
  metricCode: string;
  /** ISO 8601 instant. */
  timestamp: string;
  properties: Record<string, unknown>;
  /** The metric's field as a decimal string, for sum, max, latest and weighted_sum. */
  value?: string | undefined;
  /** The metric's field as text, for unique_count. */
  uniqueKey?: string | undefined;
}

export type RecordOutcome =
  | { status: 'accepted'; customerId: string; billingTimestamp: Date; carriedForward: boolean }
  | { status: 'duplicate'; customerId: string }
  | { status: 'unknown-customer' }
  | { status: 'unknown-subscription' }
  | { status: 'period-closed'; customerId: string; closedThrough: Date };

/** A row of the ingestion statement: only events that were NOT plainly accepted come back. */
interface OutcomeRow {
  ord: number;
  customer_id: string | null;
  nth: number | null;
  closed_through: Date | null;
  late: boolean | null;
  inserted: boolean;
  already_stored: boolean | null;
}

/** A text[] parameter as a PostgreSQL array literal (node-postgres would build the same). */
function textArray(values: readonly (string | undefined)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === undefined ? 'NULL' : `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

/**
 * Stores a batch of events in ONE statement and reports each event's fate, in input order.
 *
 * - Idempotent by (customer, transaction id): `insert … on conflict do nothing returning`
 *   decides, so a resent or concurrently sent event is stored once and reported `duplicate`;
 *   a repeated id within the batch is a duplicate of its first occurrence. Rows are inserted
 *   in key order so two batches sharing ids cannot deadlock.
 * - A subscription resolves to its customer; unknown customers and subscriptions are reported.
 * - Late events: the statement reads the customer's `usage_closed_through` WITHOUT locking
 *   the subscription rows (row share locks cost a multixact and a WAL record per row and
 *   batch, a third of the statement). The guarantee "no event lands in a period after that
 *   period was closed and aggregated" comes from table locks instead (see closeUsageThrough):
 *   this statement takes ROW EXCLUSIVE on usage_events when it is parsed, BEFORE it takes the
 *   snapshot it reads `usage_closed_through` with, and holds it until commit; closing takes
 *   SHARE on usage_events (which conflicts with it) until it commits. So a batch either holds
 *   its lock first, and closing waits until the batch has committed (its events are in the
 *   table before the period is aggregated, whatever boundary it read), or it gets its lock
 *   after the close committed, and its snapshot, taken later still, sees the new boundary.
 *   Keep the read of the boundary and the insert in one statement (or insert/lock before
 *   reading) for this to hold.
 *
 * The statement's input is one typed array per column (unnest), cheaper to parse than a
 * jsonb document, and only the exceptions come back (rejections, duplicates, late events and
 * subscription-addressed events); every event not returned was stored as sent, for its own
 * customerId.
 */
export async function recordUsageEvents(
  db: Executor,
  events: readonly UsageEventInput[],
  policy: LateEventsPolicy,
): Promise<RecordOutcome[]> {
  if (events.length === 0) return [];
  const n = events.length;
  const customerIds = new Array<string | undefined>(n);
  const subscriptionIds = new Array<string | undefined>(n);
  const metricCodes = new Array<string>(n);
  const transactionIds = new Array<string>(n);
  const timestamps = new Array<string>(n);
  const properties = new Array<Record<string, unknown>>(n);
  const values = new Array<string | undefined>(n);
  const uniqueKeys = new Array<string | undefined>(n);
  for (let i = 0; i < n; i++) {
    const event = events[i]!;
    customerIds[i] = event.customerId ?? undefined;
    subscriptionIds[i] = event.subscriptionId ?? undefined;
    metricCodes[i] = event.metricCode;
    transactionIds[i] = event.transactionId;
    timestamps[i] = event.timestamp;
    properties[i] = event.properties;
    values[i] = event.value ?? undefined;
    uniqueKeys[i] = event.uniqueKey ?? undefined;
  }
  const statement = sql<OutcomeRow>`
    with input as (
      select * from rows from (
        unnest(${textArray(customerIds)}::text[], ${textArray(subscriptionIds)}::text[],
          ${textArray(metricCodes)}::text[], ${textArray(transactionIds)}::text[],
          ${textArray(timestamps)}::timestamptz[], ${textArray(values)}::numeric[],
          ${textArray(uniqueKeys)}::text[]),
        jsonb_array_elements(${JSON.stringify(properties)}::jsonb)
      ) with ordinality as t(customer_id, subscription_id, metric_code, transaction_id, ts,
        value, unique_key, properties, ord)
    ),
    resolved as (
      select i.*, coalesce(s.customer_id, c.id) as cust
      from input i
      left join subscriptions s on s.id = i.subscription_id
      left join customers c on c.id = i.customer_id
    ),
    closed as (
      select s.customer_id, max(s.usage_closed_through) as through
      from subscriptions s
      where s.customer_id in (select r.cust from resolved r)
        and s.usage_closed_through is not null
      group by s.customer_id
    ),
    candidates as (
      select r.*, cl.through,
        coalesce(r.ts < cl.through, false) as late,
        row_number() over (partition by r.cust, r.transaction_id order by r.ord) as nth
      from resolved r left join closed cl on cl.customer_id = r.cust
    ),
    inserted as (
      insert into usage_events (customer_id, transaction_id, metric_code, subscription_id,
        timestamp, billing_timestamp, properties, value, unique_key)
      select cust, transaction_id, metric_code, subscription_id,
        ts, case when late then through else ts end, properties, value, unique_key
      from candidates
      where cust is not null and nth = 1 and (not late or ${policy}::text = 'carry_forward')
      order by cust, transaction_id
      on conflict (customer_id, transaction_id) do nothing
      returning customer_id, transaction_id
    )
    select c.ord::int as ord, c.cust as customer_id, c.nth::int as nth,
      c.through as closed_through, c.late, (i.transaction_id is not null) as inserted,
      case when c.late and c.nth = 1 and ${policy}::text = 'reject' then exists (
        select 1 from usage_events e
        where e.customer_id = c.cust and e.transaction_id = c.transaction_id
      ) end as already_stored
    from candidates c
    left join inserted i
      on c.nth = 1 and i.customer_id = c.cust and i.transaction_id = c.transaction_id
    where i.transaction_id is null or c.late or c.subscription_id is not null
    order by c.ord`.compile(db);
  // The same text every batch: prepared once per connection, not parsed and planned each time.
  const rows = await executePrepared<OutcomeRow>(
    db,
    'record_usage_events',
    statement.sql,
    statement.parameters,
  );

  // Rows are the exceptions, in input order (ord is 1-based); every other event was accepted.
  const outcomes: RecordOutcome[] = [];
  // The outcome of the first occurrence of each (customer, transaction id) in the batch.
  const firsts = new Map<string, RecordOutcome>();
  let next = 0;
  for (let i = 0; i < n; i++) {
    const event = events[i]!;
    const row = rows[next]?.ord === i + 1 ? rows[next++]! : undefined;
    if (row === undefined) {
      // Stored, not late, sent for its customer: the common case, reported without a row.
      const outcome: RecordOutcome = {
        status: 'accepted',
        customerId: event.customerId!,
        billingTimestamp: new Date(event.timestamp),
        carriedForward: false,
      };
      firsts.set(`${event.customerId!}\u0000${event.transactionId}`, outcome);
      outcomes.push(outcome);
      continue;
    }
    const customerId = row.customer_id;
    let outcome: RecordOutcome;
    if (customerId === null) {
      outcome = { status: event.subscriptionId ? 'unknown-subscription' : 'unknown-customer' };
    } else if (row.nth !== 1) {
      const first = firsts.get(`${customerId}\u0000${event.transactionId}`);
      outcome =
        first && first.status !== 'accepted' && first.status !== 'duplicate'
          ? first
          : { status: 'duplicate', customerId };
    } else if (row.inserted) {
      const carriedForward = row.late === true;
      outcome = {
        status: 'accepted',
        customerId,
        // A carried-forward event is billed at the close instant, the others when they happened.
        billingTimestamp: carriedForward ? row.closed_through! : new Date(event.timestamp),
        carriedForward,
      };
    } else if (row.late && policy === 'reject' && !row.already_stored) {
      outcome = { status: 'period-closed', customerId, closedThrough: row.closed_through! };
    } else {
      outcome = { status: 'duplicate', customerId };
    }
    if (row.nth === 1) firsts.set(`${customerId}\u0000${event.transactionId}`, outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * Marks usage before `through` as invoiced for a subscription (billing calls it when it rates
 * a usage period). Never moves backwards. Commit it BEFORE aggregating the period it closes.
 *
 * It first takes a SHARE lock on usage_events, held until its transaction commits: that waits
 * for the ingestion batches in flight (each holds ROW EXCLUSIVE on usage_events until it
 * commits) and holds back new ones until the new boundary is committed, so they see it (see
 * recordUsageEvents for the argument). Ingestion pauses for as long as the closing
 * transaction lasts: with `db`, a few milliseconds (one batch); given a transaction, until the
 * caller commits, so commit promptly, and do not close from a transaction that has itself
 * written usage events.
 */
export async function closeUsageThrough(
  db: Executor,
  subscriptionId: string,
  through: Date,
): Promise<Date | undefined> {
  const close = async (trx: Executor) => {
    await sql`lock table usage_events in share mode`.execute(trx);
    const row = await trx
      .updateTable('subscriptions')
      .set({
        usage_closed_through: sql<Date>`greatest(usage_closed_through, ${through}::timestamptz)`,
      })
      .where('id', '=', subscriptionId)
      .returning('usage_closed_through')
      .executeTakeFirst();
    return row?.usage_closed_through ?? undefined;
  };
  return db.isTransaction ? close(db) : db.transaction().execute(close);
}
