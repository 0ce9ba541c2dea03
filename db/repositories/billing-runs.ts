// The billing runs: every invoice a subscription owes at a period boundary (its first period and
// each renewal), by when it fell due, and where it stands. What the database knows answers it:
// the boundary invoices issued (billing key "<boundary>/boundary", invoice date the due time,
// created_at when it was issued), the failed attempts the invoicing activity recorded
// (billing_run_failures), and each running subscription's next renewal (current_period_end).
import { sql } from 'kysely';
import type { Db } from '../connect.ts';

/** Where one renewal stands. */
export type BillingRunState =
  /** Its invoice exists. */
  | 'issued'
  /** An attempt failed and Temporal tries it again. */
  | 'retrying'
  /** An attempt failed and Temporal will not try it again: an operator must act. */
  | 'failed'
  /** Due (by the subscription's clock), not issued, no failure recorded: being invoiced, or late. */
  | 'late'
  /** Not due yet by the subscription's clock. */
  | 'scheduled';

export const BILLING_RUN_STATES: readonly BillingRunState[] = [
  'issued',
  'retrying',
  'failed',
  'late',
  'scheduled',
];

export interface BillingRunCount {
  currency: string;
  state: BillingRunState;
  count: number;
}

/** Seconds from due to issued over the issued renewals of subscriptions on real time. */
export interface BillingRunLag {
  count: number;
  p50Seconds: number | null;
  p95Seconds: number | null;
  maxSeconds: number | null;
}

export interface BillingRunFailure {
  subscriptionId: string;
  customerId: string;
  billingKey: string;
  currency: string;
  dueAt: Date;
  state: 'retrying' | 'failed';
  attempts: number;
  lastError: string;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

export interface BillingWindow {
  from: Date;
  to: Date;
}

/** Records a failed attempt at an invoice of the lifecycle; a later attempt's failure overwrites. */
export async function recordBillingRunFailure(
  db: Db,
  failure: {
    subscriptionId: string;
    customerId: string;
    billingKey: string;
    dueAt: string;
    attempt: number;
    error: string;
    retrying: boolean;
  },
): Promise<void> {
  await db
    .insertInto('billing_run_failures')
    .values({
      subscription_id: failure.subscriptionId,
      customer_id: failure.customerId,
      billing_key: failure.billingKey,
      due_at: failure.dueAt,
      attempts: failure.attempt,
      last_error: failure.error,
      retrying: failure.retrying,
    })
    .onConflict((oc) =>
      oc.columns(['subscription_id', 'billing_key']).doUpdateSet((eb) => ({
        attempts: sql<number>`greatest(${eb.ref('billing_run_failures.attempts')}, ${eb.ref('excluded.attempts')})`,
        last_error: eb.ref('excluded.last_error'),
        retrying: eb.ref('excluded.retrying'),
        last_failed_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

const BOUNDARY = '%/boundary';
const RUNNING = sql`('trialing', 'active', 'past_due')`;

/** Renewals due in the window, counted by currency and state. */
export async function countBillingRuns(db: Db, window: BillingWindow): Promise<BillingRunCount[]> {
  const { from, to } = window;
  const { rows } = await sql<{ currency: string; state: BillingRunState; count: number }>`
    with issued as (
      select i.currency, 'issued' as state
      from invoices i
      where i.subscription_id is not null and i.billing_key like ${BOUNDARY}
        and i.issued_at >= ${from} and i.issued_at < ${to}
    ), failing as (
      select p.currency, case when f.retrying then 'retrying' else 'failed' end as state
      from billing_run_failures f
      join subscriptions s on s.id = f.subscription_id
      join plans p on p.id = s.plan_id
      where f.billing_key like ${BOUNDARY} and f.due_at >= ${from} and f.due_at < ${to}
        and not exists (select 1 from invoices i
          where i.subscription_id = f.subscription_id and i.billing_key = f.billing_key)
    ), upcoming as (
      select p.currency,
        case when s.current_period_end <= coalesce(tc.frozen_time, now()) then 'late'
          else 'scheduled' end as state
      from subscriptions s
      join plans p on p.id = s.plan_id
      join customers c on c.id = s.customer_id
      left join test_clocks tc on tc.id = c.test_clock_id
      where s.status in ${RUNNING}
        and s.current_period_end >= ${from} and s.current_period_end < ${to}
        and not exists (select 1 from invoices i where i.subscription_id = s.id
          and i.billing_key like ${BOUNDARY} and i.issued_at = s.current_period_end)
        and not exists (select 1 from billing_run_failures f where f.subscription_id = s.id
          and f.billing_key like ${BOUNDARY} and f.due_at = s.current_period_end)
    )
    select trim(currency) as currency, state, count(*)::int as count
    from (select * from issued union all select * from failing union all select * from upcoming) runs
    group by 1, 2
    order by 1, 2`.execute(db);
  return rows;
}

/**
 * Due → issued over the window's issued renewals. Subscriptions on a test clock are left out:
 * their invoices are dated in the clock's time and created in real time.
 */
export async function billingRunLag(db: Db, window: BillingWindow): Promise<BillingRunLag> {
  const { rows } = await sql<BillingRunLag>`
    select count(*)::int as "count",
      percentile_cont(0.5) within group (order by lag) as "p50Seconds",
      percentile_cont(0.95) within group (order by lag) as "p95Seconds",
      max(lag) as "maxSeconds"
    from (
      select greatest(extract(epoch from i.created_at - i.issued_at), 0)::float8 as lag
      from invoices i
      join customers c on c.id = i.customer_id
      where i.subscription_id is not null and i.billing_key like ${BOUNDARY}
        and c.test_clock_id is null
        and i.issued_at >= ${window.from} and i.issued_at < ${window.to}
    ) lags`.execute(db);
  const row = rows[0]!;
  // To the millisecond: percentile_cont interpolates in floating point (523.4999… for 523.5).
  const seconds = (value: number | null) =>
    value === null ? null : Math.round(Number(value) * 1000) / 1000;
  return {
    count: row.count,
    p50Seconds: seconds(row.p50Seconds),
    p95Seconds: seconds(row.p95Seconds),
    maxSeconds: seconds(row.maxSeconds),
  };
}

/** A cursor over failures: "<subscription>/<due instant>", in (due, subscription) order. */
export function failureCursor(failure: Pick<BillingRunFailure, 'subscriptionId' | 'dueAt'>) {
  return `${failure.subscriptionId}/${failure.dueAt.toISOString()}`;
}

/** The window's renewals failing (retrying or failed) and not issued, soonest due first. */
export async function listBillingRunFailures(
  db: Db,
  request: BillingWindow & { limit: number; startingAfter?: string | undefined },
): Promise<{ items: BillingRunFailure[]; hasMore: boolean }> {
  const after = request.startingAfter ? parseCursor(request.startingAfter) : undefined;
  if (request.startingAfter && !after) return { items: [], hasMore: false };
  const { rows } = await sql<BillingRunFailure>`
    select f.subscription_id as "subscriptionId", f.customer_id as "customerId",
      f.billing_key as "billingKey", trim(p.currency) as currency, f.due_at as "dueAt",
      case when f.retrying then 'retrying' else 'failed' end as state,
      f.attempts, f.last_error as "lastError",
      f.first_failed_at as "firstFailedAt", f.last_failed_at as "lastFailedAt"
    from billing_run_failures f
    join subscriptions s on s.id = f.subscription_id
    join plans p on p.id = s.plan_id
    where f.billing_key like ${BOUNDARY}
      and f.due_at >= ${request.from} and f.due_at < ${request.to}
      and not exists (select 1 from invoices i
        where i.subscription_id = f.subscription_id and i.billing_key = f.billing_key)
      ${after ? sql`and (f.due_at, f.subscription_id) > (${after.dueAt}, ${after.subscriptionId})` : sql``}
    order by f.due_at, f.subscription_id
    limit ${request.limit + 1}`.execute(db);
  return { items: rows.slice(0, request.limit), hasMore: rows.length > request.limit };
}

function parseCursor(cursor: string): { subscriptionId: string; dueAt: Date } | undefined {
  const slash = cursor.indexOf('/');
  const dueAt = new Date(cursor.slice(slash + 1));
  if (slash <= 0 || Number.isNaN(dueAt.getTime())) return undefined;
  return { subscriptionId: cursor.slice(0, slash), dueAt };
}
