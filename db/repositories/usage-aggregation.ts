// Usage reduced to one quantity per period in SQL: count, sum and max from the hourly totals
// (hourlyParts), the others over the (customer_id, metric_code, billing_timestamp) index. Raw
// events never travel to Node for rating; quantities come back as exact decimal strings from
// `numeric`.
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { PercentageUsage, PlanVersion } from '../../domain/catalog/types.ts';
import type { BillableMetric, UsageQuantity } from '../../domain/catalog/metrics.ts';
import { percentageUsageQuery, type PercentageUsageQuery } from '../../domain/rating/percentage.ts';
import type { Db } from '../connect.ts';
import type { Database } from '../database.ts';
import { getMetric } from './metrics.ts';

type Executor = Db | Transaction<Database>;

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
      query = sql<{ q: string }>`
        select coalesce(sum(n), 0)::text as q from (${hourlyParts(window)}) parts`;
      break;
    case 'sum':
      query = sql<{ q: string }>`
        select trim_scale(coalesce(sum(s), 0))::text as q from (${hourlyParts(window)}) parts`;
      break;
    case 'max':
      query = sql<{ q: string }>`
        select trim_scale(coalesce(max(m), 0))::text as q from (${hourlyParts(window)}) parts`;
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

/**
 * Count, sum and max of the window's events as parts to add up (n, s, m), from the hourly totals
 * (usage_hourly_totals, kept by triggers in the transaction that stores the events): an hour
 * whose events all lie in the window (its first and last billing timestamps tell) counts whole;
 * an hour the window cuts (the period's first and last, or "now" in a preview) is read from its
 * events in the window. Exact: the same events, from one snapshot, in a period of any length read
 * in about as many rows as it has hours instead of one per event.
 */
function hourlyParts(window: UsageWindow): RawBuilder<unknown> {
  const { customerId, metric, from, to } = window;
  return sql`
    with hours as (
      select hour, event_count, value_sum, value_max,
        first_at >= ${from} and last_at < ${to} as whole
      from usage_hourly_totals
      where customer_id = ${customerId} and metric_code = ${metric.code}
        and hour > ${from}::timestamptz - interval '1 hour' and hour < ${to}
    )
    select event_count as n, value_sum as s, value_max as m from hours where whole
    union all
    select count(*), sum(e.value), max(e.value)
    from hours h join usage_events e
      on e.customer_id = ${customerId} and e.metric_code = ${metric.code}
        and e.billing_timestamp >= greatest(h.hour, ${from}::timestamptz)
        and e.billing_timestamp < least(h.hour + interval '1 hour', ${to}::timestamptz)
    where not h.whole`;
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
  // free: waived by the allowances; c: the chargeable amount of each transaction (catalog.ts,
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
