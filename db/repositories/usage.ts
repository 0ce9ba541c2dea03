// Usage events: stored once per (customer, transaction id), and reduced to one quantity per
// period in SQL over the (customer_id, metric_code, billing_timestamp) index. Raw events never
// travel to Node for rating; quantities come back as exact decimal strings from `numeric`.
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { PercentageUsage, PlanVersion } from '../../domain/catalog/types.ts';
import type { BillableMetric, UsageQuantity } from '../../domain/catalog/metrics.ts';
import { percentageUsageQuery, type PercentageUsageQuery } from '../../domain/rating/percentage.ts';
import { executePrepared, type Db } from '../connect.ts';
import type { Database } from '../database.ts';
import { getMetric } from './metrics.ts';

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

/** An event already validated against its metric (see services/usage.ts). */
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

export interface UsageWindow {
  customerId: string;
  metric: BillableMetric;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** Decimal places a weighted_sum (a time-weighted average, so a division) is rounded to. */
export const WEIGHTED_SUM_SCALE = 12;

function checkWindow(window: UsageWindow): void {
  if (!(window.from.getTime() < window.to.getTime()))
    throw new RangeError(
      `usage window must have from < to, got ${window.from.toISOString()} – ${window.to.toISOString()}`,
    );
}

/**
 * The metric's quantity for the customer over [from, to), by `billing_timestamp`, computed in
 * PostgreSQL on `numeric` and returned as a decimal string without trailing zeros ("0" for an
 * empty period):
 *
 * - count: number of events; sum / max: of the field; unique_count: distinct field values;
 * - latest: the field of the last event (by billing timestamp, ties by transaction id);
 * - weighted_sum: each event's field is a delta to a running total that carries across
 *   periods; the result is the time-weighted average of that total over [from, to). The
 *   opening balance is the sum of all deltas before `from`, and a delta d at time t adds
 *   d × (to − t) / (to − from), so no ordering is needed. Rounded half away from zero to
 *   WEIGHTED_SUM_SCALE decimal places.
 *   Example, a 30-day month: 10 before it, +5 on day 10 (20 days left), −15 on day 20
 *   (10 days left): 10 + 5 × 20/30 − 15 × 10/30 = 10 + 3.333… − 5 = 8.333333333333.
 *   The total was 10 for 10 days, 15 for 10 days, 0 for 10 days: (100 + 150 + 0) / 30.
 */
export function aggregationQuery(window: UsageWindow): RawBuilder<{ q: string }> {
  checkWindow(window);
  const { customerId, metric, from, to } = window;
  const scope = sql`customer_id = ${customerId} and metric_code = ${metric.code}`;
  const inWindow = sql`${scope} and billing_timestamp >= ${from} and billing_timestamp < ${to}`;
  let query: RawBuilder<{ q: string }>;
  switch (metric.aggregation) {
    case 'count':
      query = sql<{ q: string }>`select count(*)::text as q from usage_events where ${inWindow}`;
      break;
    case 'sum':
      query = sql<{ q: string }>`
        select trim_scale(coalesce(sum(value), 0))::text as q from usage_events where ${inWindow}`;
      break;
    case 'max':
      query = sql<{ q: string }>`
        select trim_scale(coalesce(max(value), 0))::text as q from usage_events where ${inWindow}`;
      break;
    case 'unique_count':
      query = sql<{ q: string }>`
        select count(*)::text as q
        from (select distinct unique_key from usage_events where ${inWindow}) keys`;
      break;
    case 'latest':
      query = sql<{ q: string }>`
        select trim_scale(coalesce((
          select value from usage_events where ${inWindow}
          order by billing_timestamp desc, transaction_id desc limit 1
        ), 0))::text as q`;
      break;
    case 'weighted_sum':
      query = sql<{ q: string }>`
        select trim_scale(round(
          coalesce(sum(value) filter (where billing_timestamp < ${from}), 0)
          + coalesce(sum(value * extract(epoch from (${to}::timestamptz - billing_timestamp)))
              filter (where billing_timestamp >= ${from}), 0)
            / extract(epoch from (${to}::timestamptz - ${from}::timestamptz)),
          ${WEIGHTED_SUM_SCALE}::int))::text as q
        from usage_events where ${scope} and billing_timestamp < ${to}`;
      break;
  }
  return query;
}

/** The period's quantity of `metric` (see aggregationQuery for each aggregation's meaning). */
export async function aggregateUsage(db: Executor, window: UsageWindow): Promise<UsageQuantity> {
  const { rows } = await aggregationQuery(window).execute(db);
  return rows[0]!.q;
}

/**
 * The aggregates percentage pricing is rated from (domain/catalog/types.ts, PercentageUsage), over
 * the metric's field as transaction amounts in [from, to), in one SQL statement:
 * - always `transactionCount` and `totalAmount`;
 * - `chargeable` when `query` has free transactions or a free amount: numbered by billing
 *   timestamp, then transaction id, a transaction is free while BOTH allowances last (its
 *   number ≤ freeTransactions and the running sum up to it ≤ freeAmount; an allowance of 0 is
 *   none): whichever runs out first ends them. The transaction that crosses freeAmount is
 *   charged the part above it; those after the free transactions are charged in full;
 * - `belowMinimum` / `aboveMaximum` when their thresholds are set: chargeable transactions
 *   whose chargeable amount a has a × rate below / above them (exact in numeric).
 * Without `query` only the totals are computed. A negative amount (a refund sent as usage) is
 * a transaction of amount 0 here: percentage fees are not refunded through usage.
 */
export async function percentageUsage(
  db: Executor,
  window: UsageWindow,
  query?: PercentageUsageQuery,
): Promise<PercentageUsage> {
  checkWindow(window);
  const { customerId, metric, from, to } = window;
  if (metric.aggregation === 'count' || metric.aggregation === 'unique_count')
    throw new RangeError(`metric ${metric.code} has no numeric field to take a percentage of`);
  const freeTransactions = query?.freeTransactions ?? '0';
  const freeAmount = query?.freeAmount ?? '0';
  const hasFree = isNonZero(freeTransactions) || isNonZero(freeAmount);
  const rate = query?.rate ?? '0';
  const below = query?.belowMinimumIfProductBelow ?? null;
  const above = query?.aboveMaximumIfProductAbove ?? null;
  const inWindow = sql`customer_id = ${customerId} and metric_code = ${metric.code}
    and billing_timestamp >= ${from} and billing_timestamp < ${to}`;
  // free: waived by the allowances; c: the chargeable amount of each transaction (catalog/types.ts,
  // PercentageUsage: both allowances run side by side and end when either runs out).
  const transactions = hasFree
    ? sql`
        select a, free,
          case when free then 0
            when ${freeAmount}::numeric = 0
              or (${freeTransactions}::numeric > 0 and n > ${freeTransactions}::numeric) then a
            else greatest(0, least(a, run - ${freeAmount}::numeric)) end as c
        from (
          select a, n, run,
            (${freeTransactions}::numeric = 0 or n <= ${freeTransactions}::numeric)
              and (${freeAmount}::numeric = 0 or run <= ${freeAmount}::numeric) as free
          from (
            select a, n, sum(a) over (order by n rows unbounded preceding) as run
            from (
              select greatest(coalesce(value, 0), 0) as a,
                row_number() over (order by billing_timestamp, transaction_id) as n
              from usage_events where ${inWindow}
            ) numbered
          ) running
        ) allowed`
    : sql`select greatest(coalesce(value, 0), 0) as a, false as free,
            greatest(coalesce(value, 0), 0) as c
          from usage_events where ${inWindow}`;
  const { rows } = await sql<{
    transaction_count: string;
    total_amount: string;
    chargeable_count: string;
    chargeable_amount: string;
    below_count: string;
    below_amount: string;
    above_count: string;
    above_amount: string;
  }>`
    select count(*)::text as transaction_count,
      trim_scale(coalesce(sum(a), 0))::text as total_amount,
      count(*) filter (where not free)::text as chargeable_count,
      trim_scale(coalesce(sum(c) filter (where not free), 0))::text as chargeable_amount,
      count(*) filter (where not free and c * ${rate}::numeric < ${below}::numeric)::text
        as below_count,
      trim_scale(coalesce(sum(c) filter (where not free and c * ${rate}::numeric < ${below}::numeric), 0))::text
        as below_amount,
      count(*) filter (where not free and c * ${rate}::numeric > ${above}::numeric)::text
        as above_count,
      trim_scale(coalesce(sum(c) filter (where not free and c * ${rate}::numeric > ${above}::numeric), 0))::text
        as above_amount
    from (${transactions}) t`.execute(db);
  const row = rows[0]!;
  return {
    transactionCount: row.transaction_count,
    totalAmount: row.total_amount,
    ...(hasFree && { chargeable: { count: row.chargeable_count, amount: row.chargeable_amount } }),
    ...(below !== null && { belowMinimum: { count: row.below_count, amount: row.below_amount } }),
    ...(above !== null && { aboveMaximum: { count: row.above_count, amount: row.above_amount } }),
  };
}

/** A non-negative decimal string is non-zero when it has a non-zero digit. */
function isNonZero(value: string): boolean {
  return /[1-9]/.test(value);
}

/**
 * A plan's usage over [from, to): each usage charge's metric aggregated (percentage charges:
 * their aggregates, by charge key), as the rating engine takes it. Shared by the invoicing
 * activity and the API's previews, so both rate the same numbers.
 */
export async function usageForPlan(
  db: Executor,
  request: { customerId: string; plan: PlanVersion; from: string; to: string },
): Promise<{
  usage: Record<string, UsageQuantity>;
  transactions: Record<string, PercentageUsage>;
}> {
  const usage: Record<string, UsageQuantity> = {};
  const transactions: Record<string, PercentageUsage> = {};
  const from = new Date(request.from);
  const to = new Date(request.to);
  if (to.getTime() <= from.getTime()) return { usage, transactions };
  for (const charge of request.plan.charges) {
    if (charge.type !== 'usage') continue;
    const metric = await getMetric(db, charge.metricCode);
    if (!metric) throw new Error(`metric ${charge.metricCode} does not exist`);
    const window = { customerId: request.customerId, metric, from, to };
    if (charge.pricing.model === 'percentage') {
      transactions[charge.key] = await percentageUsage(
        db,
        window,
        percentageUsageQuery(charge.pricing),
      );
    } else {
      usage[charge.metricCode] = await aggregateUsage(db, window);
    }
  }
  return { usage, transactions };
}

/**
 * Each arrears segment with its usage over [from, to), cut at `until` when given (a preview's
 * "usage so far"): what ratePeriodInvoice takes, for the invoicing activity and the previews.
 */
export async function segmentsWithUsage<S extends { plan: PlanVersion; from: string; to: string }>(
  db: Executor,
  request: { customerId: string; segments: readonly S[]; until?: string },
) {
  const until = request.until === undefined ? Infinity : Date.parse(request.until);
  return Promise.all(
    request.segments.map(async (segment) => ({
      ...segment,
      ...(await usageForPlan(db, {
        customerId: request.customerId,
        plan: segment.plan,
        from: segment.from,
        to: new Date(Math.min(until, Date.parse(segment.to))).toISOString(),
      })),
    })),
  );
}
