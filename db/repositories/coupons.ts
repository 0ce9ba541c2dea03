// Coupons and where they are applied. A coupon is applied once per target: to a customer (it
// discounts every subscription of theirs) or to one subscription. What they take off invoices is
// coupon-applications.ts's.
import { sql, type Transaction } from 'kysely';
import type { Coupon } from '../../domain/catalog/types.ts';
import { decimal, toDecimalString } from '../../domain/core/decimal.ts';
import type { Db } from '../connect.ts';
import type { CouponRedemptionRow, CouponRow, Database } from '../database.ts';
import { newId } from '../ids.ts';
import { customerNow } from './test-clocks.ts';

/** A new coupon: the catalog's Coupon (validated by validateCoupon) and its redemption limits. */
export interface NewCouponInput {
  coupon: Coupon;
  maxRedemptions?: number | undefined;
  /** Last moment the coupon can be applied, an ISO instant; applied coupons keep running. */
  expiresAt?: string | undefined;
  createdBy: string;
}

export interface CouponRecord extends Coupon {
  id: string;
  maxRedemptions: number | null;
  timesRedeemed: number;
  expiresAt: Date | null;
  createdAt: Date;
}

/** Where a coupon is applied: customerId always, subscriptionId when applied to one subscription. */
export interface CouponTarget {
  customerId: string;
  subscriptionId?: string | undefined;
}

export interface AppliedCouponRecord {
  id: string;
  coupon: CouponRecord;
  customerId: string;
  subscriptionId: string | null;
  periodsApplied: number;
  /** Periods still to discount; null for a forever coupon. */
  remainingPeriods: number | null;
  createdAt: Date;
}

export function toCouponRecord(row: CouponRow): CouponRecord {
  const value: Coupon['value'] =
    row.amount_off !== null && row.currency !== null
      ? { type: 'fixed', amount: { amount: row.amount_off, currency: row.currency } }
      : { type: 'percentage', percent: toDecimalString(decimal(row.percent_off ?? '0')) };
  const duration: Coupon['duration'] =
    row.duration === 'repeating'
      ? { type: 'repeating', periods: row.duration_periods ?? 1 }
      : { type: row.duration === 'once' ? 'once' : 'forever' };
  return {
    id: row.id,
    code: row.code,
    description: row.description,
    value,
    duration,
    appliesTo:
      row.applies_to === null
        ? { type: 'subtotal' }
        : { type: 'charges', chargeKeys: row.applies_to },
    maxRedemptions: row.max_redemptions,
    timesRedeemed: row.times_redeemed,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

/** Periods a coupon discounts in all: 1 for once, N for repeating, null (unbounded) for forever. */
export function couponPeriods(duration: Coupon['duration']): number | null {
  if (duration.type === 'once') return 1;
  if (duration.type === 'repeating') return duration.periods;
  return null;
}

/** The catalog's Coupon alone, as the rating engine prices it. */
export function toCatalogCoupon(coupon: CouponRecord): Coupon {
  return {
    code: coupon.code,
    description: coupon.description,
    value: coupon.value,
    duration: coupon.duration,
    appliesTo: coupon.appliesTo,
  };
}

function toAppliedCoupon(row: CouponRedemptionRow, coupon: CouponRecord): AppliedCouponRecord {
  const total = couponPeriods(coupon.duration);
  return {
    id: row.id,
    coupon,
    customerId: row.customer_id,
    subscriptionId: row.subscription_id,
    periodsApplied: row.periods_applied,
    remainingPeriods: total === null ? null : Math.max(0, total - row.periods_applied),
    createdAt: row.created_at,
  };
}

/** Creates the coupon, or returns undefined when the code is taken (the unique index decides). */
export async function createCoupon(
  db: Db,
  input: NewCouponInput,
): Promise<CouponRecord | undefined> {
  const { coupon } = input;
  const { value, duration, appliesTo } = coupon;
  const row = await db
    .insertInto('coupons')
    .values({
      id: newId('cpn'),
      code: coupon.code,
      description: coupon.description,
      percent_off: value.type === 'percentage' ? value.percent : null,
      amount_off: value.type === 'fixed' ? value.amount.amount : null,
      currency: value.type === 'fixed' ? value.amount.currency : null,
      duration: duration.type,
      duration_periods: duration.type === 'repeating' ? duration.periods : null,
      applies_to: appliesTo.type === 'charges' ? JSON.stringify(appliesTo.chargeKeys) : null,
      max_redemptions: input.maxRedemptions ?? null,
      expires_at: input.expiresAt ?? null,
      created_by: input.createdBy,
    })
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toCouponRecord(row);
}

export async function getCouponByCode(db: Db, code: string): Promise<CouponRecord | undefined> {
  const row = await db
    .selectFrom('coupons')
    .selectAll()
    .where('code', '=', code)
    .executeTakeFirst();
  return row && toCouponRecord(row);
}

/** Newest first; `startingAfter` is the code of the last coupon of the previous page. */
export async function listCoupons(
  db: Db,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: CouponRecord[]; hasMore: boolean }> {
  let query = db.selectFrom('coupons').selectAll();
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    query = query.where(
      sql<boolean>`(created_at, id) < (select c.created_at, c.id from coupons c where c.code = ${cursor})`,
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return {
    items: rows.slice(0, options.limit).map(toCouponRecord),
    hasMore: rows.length > options.limit,
  };
}

export type ApplyCouponResult =
  | { outcome: 'applied'; applied: AppliedCouponRecord }
  | { outcome: 'unknown-coupon' }
  | { outcome: 'expired'; coupon: CouponRecord }
  | { outcome: 'exhausted'; coupon: CouponRecord }
  | { outcome: 'already-applied'; coupon: CouponRecord };

/**
 * Applies a coupon to a customer or a subscription. The coupon row is locked while its
 * redemption count is checked and bumped, so max_redemptions holds under concurrency; the
 * unique indexes on (coupon, target) make a second application of the same coupon a no-op.
 * Currency and ownership checks belong to the caller, which knows the target.
 */
export async function applyCoupon(
  db: Db | Transaction<Database>,
  input: CouponTarget & { couponCode: string; createdBy: string },
): Promise<ApplyCouponResult> {
  // In the caller's transaction when given one (a subscription started with its coupons).
  const inTransaction = <T>(work: (trx: Transaction<Database>) => Promise<T>) =>
    db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
  return inTransaction(async (trx) => {
    const row = await trx
      .selectFrom('coupons')
      .selectAll()
      .where('code', '=', input.couponCode)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { outcome: 'unknown-coupon' } as const;
    const coupon = toCouponRecord(row);
    // Expired on the customer's time: a test clock's instant for a clocked customer.
    const now = await customerNow(trx, input.customerId);
    if (coupon.expiresAt !== null && coupon.expiresAt.getTime() <= now.getTime())
      return { outcome: 'expired', coupon } as const;
    if (coupon.maxRedemptions !== null && coupon.timesRedeemed >= coupon.maxRedemptions)
      return { outcome: 'exhausted', coupon } as const;
    const redemption = await trx
      .insertInto('coupon_redemptions')
      .values({
        id: newId('cpr'),
        coupon_id: coupon.id,
        customer_id: input.customerId,
        subscription_id: input.subscriptionId ?? null,
        created_by: input.createdBy,
      })
      // Either partial unique index (customer-wide or per subscription) may refuse it.
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!redemption) return { outcome: 'already-applied', coupon } as const;
    const counted = await trx
      .updateTable('coupons')
      .set((eb) => ({ times_redeemed: eb('times_redeemed', '+', 1) }))
      .where('id', '=', coupon.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { outcome: 'applied', applied: toAppliedCoupon(redemption, toCouponRecord(counted)) };
  });
}

type Executor = Db | Transaction<Database>;

export function selectRedemptions(db: Executor) {
  return db
    .selectFrom('coupon_redemptions as r')
    .innerJoin('coupons as c', 'c.id', 'r.coupon_id')
    .selectAll('r')
    .select([
      'c.code as c_code',
      'c.description as c_description',
      'c.percent_off as c_percent_off',
      'c.amount_off as c_amount_off',
      'c.currency as c_currency',
      'c.duration as c_duration',
      'c.duration_periods as c_duration_periods',
      'c.applies_to as c_applies_to',
      'c.max_redemptions as c_max_redemptions',
      'c.times_redeemed as c_times_redeemed',
      'c.expires_at as c_expires_at',
      'c.created_at as c_created_at',
      'c.created_by as c_created_by',
    ]);
}

type RedemptionJoinRow = Awaited<
  ReturnType<ReturnType<typeof selectRedemptions>['executeTakeFirstOrThrow']>
>;

export function fromJoin(row: RedemptionJoinRow): AppliedCouponRecord {
  const coupon = toCouponRecord({
    id: row.coupon_id,
    code: row.c_code,
    description: row.c_description,
    percent_off: row.c_percent_off,
    amount_off: row.c_amount_off,
    currency: row.c_currency,
    duration: row.c_duration,
    duration_periods: row.c_duration_periods,
    applies_to: row.c_applies_to,
    max_redemptions: row.c_max_redemptions,
    times_redeemed: row.c_times_redeemed,
    expires_at: row.c_expires_at,
    created_at: row.c_created_at,
    created_by: row.c_created_by,
  });
  return toAppliedCoupon(
    {
      id: row.id,
      coupon_id: row.coupon_id,
      customer_id: row.customer_id,
      subscription_id: row.subscription_id,
      periods_applied: row.periods_applied,
      created_at: row.created_at,
      created_by: row.created_by,
    },
    coupon,
  );
}

/**
 * Coupons applied to exactly this target, oldest first: the customer's own (subscriptionId
 * absent) or one subscription's. Includes used-up ones (remainingPeriods 0).
 */
export async function listAppliedCoupons(
  db: Db,
  target: CouponTarget,
): Promise<AppliedCouponRecord[]> {
  let query = selectRedemptions(db).where('r.customer_id', '=', target.customerId);
  query =
    target.subscriptionId === undefined
      ? query.where('r.subscription_id', 'is', null)
      : query.where('r.subscription_id', '=', target.subscriptionId);
  const rows = await query.orderBy('r.created_at').orderBy('r.id').execute();
  return rows.map(fromJoin);
}
