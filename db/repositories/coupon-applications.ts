// What coupons take off invoices: the redemptions a subscription's period is rated with, and each
// invoice's discount recorded in its creating transaction, a period counted once per redemption.
import { sql, type Transaction } from 'kysely';
import type { CouponRedemption } from '../../domain/catalog/types.ts';
import type { Db } from '../connect.ts';
import type { Database } from '../database.ts';
import { fromJoin, selectRedemptions, toCatalogCoupon } from './coupons.ts';

type Executor = Db | Transaction<Database>;

/** A redemption as the rating engine takes it, with the ids needed to record its use. */
export interface ActiveCoupon extends CouponRedemption {
  redemptionId: string;
  /** Null when applied to the customer rather than to the subscription. */
  subscriptionId: string | null;
}

/** Redemptions that discount a subscription: its customer's and its own, oldest first. */
function redemptionsDiscounting(
  db: Executor,
  target: { customerId: string; subscriptionId: string },
) {
  return selectRedemptions(db)
    .where('r.customer_id', '=', target.customerId)
    .where((eb) =>
      eb.or([
        eb('r.subscription_id', 'is', null),
        eb('r.subscription_id', '=', target.subscriptionId),
      ]),
    )
    .orderBy('r.created_at')
    .orderBy('r.id');
}

/**
 * The coupons that discount a subscription's next invoice: those applied to its customer and
 * those applied to the subscription itself, with periods left, oldest first, in the shape the
 * rating engine takes (CouponRedemption). Expiry does not matter here: it only stops new
 * applications.
 */
export async function activeCouponsFor(
  db: Db,
  target: { customerId: string; subscriptionId: string },
): Promise<ActiveCoupon[]> {
  const rows = await redemptionsDiscounting(db, target).execute();
  return rows
    .map(fromJoin)
    .filter((applied) => applied.remainingPeriods === null || applied.remainingPeriods > 0)
    .map((applied) => ({
      redemptionId: applied.id,
      subscriptionId: applied.subscriptionId,
      coupon: toCatalogCoupon(applied.coupon),
      periodsApplied: applied.periodsApplied,
    }));
}

/** The key under which a redemption counts a subscription's billing period once. */
export function couponPeriodKey(subscriptionId: string, periodStart: string): string {
  return `${subscriptionId}/${new Date(periodStart).toISOString()}`;
}

/**
 * The coupons that may discount an invoice of `periodKey`: the customer's and the
 * subscription's, oldest first, each with the periods it counted BEFORE this one (so a coupon
 * that already counted this period discounts every invoice of it, and a used-up one none).
 */
export async function couponsForPeriod(
  db: Executor,
  target: { customerId: string; subscriptionId: string; periodKey: string },
): Promise<ActiveCoupon[]> {
  const rows = await redemptionsDiscounting(db, target)
    .select((eb) =>
      eb
        .selectFrom('coupon_applications as a')
        .select(sql<number>`count(distinct a.period_key)::int`.as('n'))
        .whereRef('a.redemption_id', '=', 'r.id')
        .where('a.period_key', '!=', target.periodKey)
        .as('periods_before'),
    )
    .execute();
  return rows.map((row) => {
    const applied = fromJoin(row);
    return {
      redemptionId: applied.id,
      subscriptionId: applied.subscriptionId,
      coupon: toCatalogCoupon(applied.coupon),
      periodsApplied: row.periods_before ?? 0,
    };
  });
}

/** Raised when another invoice counted a coupon's period meanwhile: rate again (a retry). */
export class CouponCountChangedError extends Error {
  constructor(code: string) {
    super(`coupon ${code} was counted by another invoice meanwhile; rate the invoice again`);
    this.name = 'CouponCountChangedError';
  }
}

/**
 * Records what the coupons took off a new invoice, in its transaction: the redemptions are
 * locked, checked against what rating assumed (periods counted before), and each counts the
 * invoice's period once. Exactly once per invoice: the invoice is new in this transaction.
 */
export async function recordCouponApplications(
  trx: Transaction<Database>,
  input: {
    invoiceId: string;
    periodKey: string;
    /** The coupons rating saw, and what each took off (0 or more). */
    coupons: readonly (ActiveCoupon & { amount: number; applied: boolean })[];
  },
): Promise<void> {
  const used = input.coupons.filter((c) => c.applied);
  if (used.length === 0) return;
  const ids = used.map((c) => c.redemptionId);
  await trx
    .selectFrom('coupon_redemptions')
    .select('id')
    .where('id', 'in', ids)
    .forUpdate()
    .execute();
  const counts = await trx
    .selectFrom('coupon_applications')
    .select(['redemption_id', sql<number>`count(distinct period_key)::int`.as('n')])
    .where('redemption_id', 'in', ids)
    .where('period_key', '!=', input.periodKey)
    .groupBy('redemption_id')
    .execute();
  const before = new Map(counts.map((c) => [c.redemption_id, c.n]));
  for (const coupon of used) {
    if ((before.get(coupon.redemptionId) ?? 0) !== coupon.periodsApplied) {
      throw new CouponCountChangedError(coupon.coupon.code);
    }
  }
  await trx
    .insertInto('coupon_applications')
    .values(
      used.map((c) => ({
        redemption_id: c.redemptionId,
        invoice_id: input.invoiceId,
        period_key: input.periodKey,
        amount: c.amount,
      })),
    )
    .execute();
  await trx
    .updateTable('coupon_redemptions as r')
    .set({
      periods_applied: (eb) =>
        eb
          .selectFrom('coupon_applications as a')
          .select(sql<number>`count(distinct a.period_key)::int`.as('n'))
          .whereRef('a.redemption_id', '=', 'r.id'),
    })
    .where('r.id', 'in', ids)
    .execute();
}

/**
 * The repeating and forever coupons each subscription billing period in `currency` was
 * discounted with, by period key (couponPeriodKey), in the order they apply (oldest redemption
 * first), each as a redemption the rating engine still applies (periodsApplied 0).
 */
export async function recurringCouponsByPeriod(
  db: Db,
  currency: string,
): Promise<Map<string, CouponRedemption[]>> {
  const rows = await selectRedemptions(db)
    .innerJoin('coupon_applications as a', 'a.redemption_id', 'r.id')
    .innerJoin('invoices as i', 'i.id', 'a.invoice_id')
    .select('a.period_key')
    .where('i.currency', '=', currency)
    .where('c.duration', '<>', 'once')
    .orderBy('r.created_at')
    .orderBy('r.id')
    .execute();
  const byPeriod = new Map<string, CouponRedemption[]>();
  const counted = new Set<string>();
  for (const row of rows) {
    if (counted.has(`${row.period_key} ${row.id}`)) continue;
    counted.add(`${row.period_key} ${row.id}`);
    const coupon = toCatalogCoupon(fromJoin(row).coupon);
    byPeriod.set(row.period_key, [
      ...(byPeriod.get(row.period_key) ?? []),
      { coupon, periodsApplied: 0 },
    ]);
  }
  return byPeriod;
}
