// What finance's MRR and renewals insights read: subscriptions with their whole history
// (transitions, changes of terms, billing periods and their recurring coupons) and the plan
// versions they were billed on; renewals in a window. Reads only (receivables: receivables.ts).
import type { PlanVersion } from '../../domain/catalog/types.ts';
import type { SubscriptionHistory } from '../../domain/insights/timeline.ts';
import type { Db } from '../connect.ts';
import { laterThan, toPage } from '../pagination.ts';
import { couponPeriodKey, recurringCouponsByPeriod } from './coupon-applications.ts';
import { toCatalogVersion, toStoredVersion } from './plans.ts';

/** A plan version's key in the map subscriptionHistories answers. */
export function versionKey(planId: string, version: number): string {
  return `${planId}/${version}`;
}

/** Every subscription on a plan priced in `currency`, with its history, and those plans' versions. */
export async function subscriptionHistories(
  db: Db,
  currency: string,
): Promise<{ histories: SubscriptionHistory[]; versions: Map<string, PlanVersion> }> {
  const subscriptions = await db
    .selectFrom('subscriptions as s')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select([
      's.id',
      's.customer_id',
      's.status',
      's.plan_id',
      's.plan_version',
      's.quantity',
      's.started_at',
    ])
    .where('p.currency', '=', currency)
    .orderBy('s.id')
    .execute();
  const transitions = await db
    .selectFrom('subscription_transitions as t')
    .innerJoin('subscriptions as s', 's.id', 't.subscription_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select(['t.subscription_id', 't.from_status', 't.to_status', 't.occurred_at'])
    .where('p.currency', '=', currency)
    .orderBy('t.occurred_at')
    .orderBy('t.id')
    .execute();
  const changes = await db
    .selectFrom('subscription_plan_version_changes as c')
    .innerJoin('subscriptions as s', 's.id', 'c.subscription_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select([
      'c.subscription_id',
      's.plan_id',
      'c.from_plan_id',
      'c.to_plan_id',
      'c.from_version',
      'c.to_version',
      'c.from_quantity',
      'c.to_quantity',
      'c.occurred_at',
    ])
    .where('p.currency', '=', currency)
    .orderBy('c.occurred_at')
    .orderBy('c.id')
    .execute();
  const versionRows = await db
    .selectFrom('plan_versions as v')
    .innerJoin('plans as p', 'p.id', 'v.plan_id')
    .selectAll('v')
    .select('p.code')
    .where('p.currency', '=', currency)
    .execute();

  const byId = new Map<string, SubscriptionHistory>();
  const histories = subscriptions.map((s) => {
    const history: SubscriptionHistory = {
      id: s.id,
      customerId: s.customer_id,
      startedAt: s.started_at,
      status: s.status,
      terms: { planId: s.plan_id, version: s.plan_version, quantity: s.quantity },
      transitions: [],
      changes: [],
      periods: [],
    };
    byId.set(s.id, history);
    return history;
  });
  for (const t of transitions) {
    byId.get(t.subscription_id)?.transitions.push({
      from: t.from_status,
      to: t.to_status,
      at: t.occurred_at,
    });
  }
  for (const c of changes) {
    const history = byId.get(c.subscription_id);
    if (!history) continue;
    history.changes.push({
      from: {
        planId: c.from_plan_id ?? c.plan_id,
        version: c.from_version,
        quantity: c.from_quantity ?? history.terms.quantity,
      },
      to: {
        planId: c.to_plan_id ?? c.plan_id,
        version: c.to_version,
        quantity: c.to_quantity ?? history.terms.quantity,
      },
      at: c.occurred_at,
    });
  }
  // Each billing period opens with its boundary invoice ("<period start>/boundary").
  const boundaries = await db
    .selectFrom('invoices as i')
    .innerJoin('subscriptions as s', 's.id', 'i.subscription_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select(['s.id as subscription_id', 'i.billing_key'])
    .where('p.currency', '=', currency)
    .where('i.billing_key', 'like', '%/boundary')
    .execute();
  const coupons = await recurringCouponsByPeriod(db, currency);
  for (const { subscription_id, billing_key } of boundaries) {
    const start = billing_key!.slice(0, billing_key!.indexOf('/'));
    byId.get(subscription_id)?.periods.push({
      start: new Date(start),
      coupons: coupons.get(couponPeriodKey(subscription_id, start)) ?? [],
    });
  }
  for (const history of histories) history.periods.sort((a, b) => +a.start - +b.start);
  const versions = new Map<string, PlanVersion>();
  for (const row of versionRows) {
    versions.set(
      versionKey(row.plan_id, row.version),
      toCatalogVersion(toStoredVersion(row, row.code)),
    );
  }
  return { histories, versions };
}

export interface Renewal {
  subscriptionId: string;
  customerId: string;
  customerName: string;
  planCode: string;
  renewsAt: Date;
  plan: PlanVersion;
  quantity: number;
}

/** Billed subscriptions whose current period ends in [from, to), soonest first, one page. */
export async function renewalsBetween(
  db: Db,
  options: {
    from: Date;
    to: Date;
    currency?: string | undefined;
    limit: number;
    startingAfter?: string | undefined;
  },
): Promise<{ items: Renewal[]; hasMore: boolean }> {
  let query = db
    .selectFrom('subscriptions as s')
    .innerJoin('customers as c', 'c.id', 's.customer_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .innerJoin('plan_versions as v', (join) =>
      join.onRef('v.plan_id', '=', 's.plan_id').onRef('v.version', '=', 's.plan_version'),
    )
    .selectAll('v')
    .select([
      's.id as subscription_id',
      's.customer_id',
      'c.name as customer_name',
      'p.code as plan_code',
      's.current_period_end',
      's.quantity',
    ])
    .where('s.status', 'in', ['active', 'past_due'])
    .where('s.current_period_end', '>=', options.from)
    .where('s.current_period_end', '<', options.to);
  if (options.currency !== undefined) query = query.where('p.currency', '=', options.currency);
  if (options.startingAfter !== undefined)
    query = query.where(
      laterThan('subscriptions', 's', 'current_period_end', options.startingAfter),
    );
  const rows = await query
    .orderBy('s.current_period_end')
    .orderBy('s.id')
    .limit(options.limit + 1)
    .execute();
  return toPage(
    rows.map((row) => ({
      subscriptionId: row.subscription_id,
      customerId: row.customer_id,
      customerName: row.customer_name,
      planCode: row.plan_code,
      renewsAt: row.current_period_end!,
      plan: toCatalogVersion(toStoredVersion(row, row.plan_code)),
      quantity: row.quantity,
    })),
    options.limit,
  );
}
