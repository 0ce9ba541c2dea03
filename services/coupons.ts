// Coupons and where they are applied: to a customer (every subscription of theirs) or to one
// subscription, once per target. Creating one refuses every field at fault; applying one checks
// what the target allows (its currency, a subscription's charges) before the repository counts
// the redemption under the coupon's lock.
import * as coupons from '../db/repositories/coupons.ts';
import type {
  AppliedCouponRecord,
  CouponRecord,
  CouponTarget,
} from '../db/repositories/coupons.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import { getPlanByCode, getPlanVersion } from '../db/repositories/plans.ts';
import { getSubscription } from '../db/repositories/subscriptions.ts';
import type { Coupon } from '../domain/catalog/types.ts';
import { validateCoupon, type Issue } from '../domain/catalog/validation.ts';
import { decimal, toDecimalString } from '../domain/core/decimal.ts';
import type { Money } from '../domain/core/money.ts';
import type { PageRequest, ServiceDependencies } from './dependencies.ts';
import { Refused, refusedFor } from './refused.ts';

/** A coupon as sent: each variant's fields optional, so a field of the wrong one is caught. */
export interface NewCouponOrder {
  code: string;
  description: string;
  value: { type: 'percentage' | 'fixed'; percent?: string | undefined; amount?: Money | undefined };
  duration: { type: 'once' | 'repeating' | 'forever'; periods?: number | undefined };
  appliesTo?: { type: 'subtotal' | 'charges'; chargeKeys?: string[] | undefined } | undefined;
  maxRedemptions?: number | undefined;
  /** An ISO instant in the future. */
  expiresAt?: string | undefined;
  createdBy: string;
}

/** Fields that belong to another variant than the one chosen: sent by mistake, never ignored. */
function strayFields(order: NewCouponOrder): Issue[] {
  const issues: Issue[] = [];
  const { value, duration, appliesTo } = order;
  if (value.type === 'percentage' && value.amount !== undefined)
    issues.push({ field: 'value.amount', message: 'only for a fixed discount' });
  if (value.type === 'fixed' && value.percent !== undefined)
    issues.push({ field: 'value.percent', message: 'only for a percentage discount' });
  if (value.type === 'percentage' && value.percent !== undefined) {
    // validateCoupon accepts 0–100; a 0 % coupon discounts nothing.
    if (/^-?\d+(\.\d+)?$/.test(value.percent) && decimal(value.percent).eq(0))
      issues.push({ field: 'value.percent', message: 'must be greater than 0' });
  }
  if (duration.type !== 'repeating' && duration.periods !== undefined)
    issues.push({ field: 'duration.periods', message: 'only for a repeating coupon' });
  if (appliesTo?.type === 'subtotal' && appliesTo.chargeKeys !== undefined)
    issues.push({ field: 'appliesTo.chargeKeys', message: 'only when appliesTo.type is charges' });
  return issues;
}

/** The coupon as the catalog types it; call once validateCoupon found nothing wrong. */
function catalogCoupon(order: NewCouponOrder): Coupon {
  const { value, duration } = order;
  return {
    code: order.code,
    description: order.description,
    value:
      value.type === 'fixed' && value.amount
        ? { type: 'fixed', amount: value.amount }
        : { type: 'percentage', percent: toDecimalString(decimal(value.percent ?? '0')) },
    duration:
      duration.type === 'repeating'
        ? { type: 'repeating', periods: duration.periods ?? 1 }
        : { type: duration.type },
    appliesTo:
      order.appliesTo?.type === 'charges'
        ? { type: 'charges', chargeKeys: order.appliesTo.chargeKeys ?? [] }
        : { type: 'subtotal' },
  };
}

/** Creates the coupon; refused naming every field at fault, or when the code is taken. */
export async function createCoupon(
  deps: ServiceDependencies,
  order: NewCouponOrder,
): Promise<CouponRecord> {
  const { createdBy, maxRedemptions, expiresAt, ...sent } = order;
  const issues = [
    ...validateCoupon({ ...sent, appliesTo: order.appliesTo ?? { type: 'subtotal' } }),
    ...strayFields(order),
  ];
  if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now())
    issues.push({ field: 'expiresAt', message: 'must be in the future' });
  if (issues.length > 0) throw refusedFor(issues);
  const created = await coupons.createCoupon(deps.db, {
    coupon: catalogCoupon(order),
    maxRedemptions,
    expiresAt,
    createdBy,
  });
  if (!created) throw new Refused('conflict', `A coupon with code "${order.code}" already exists.`);
  return created;
}

export function listCoupons(deps: ServiceDependencies, page: PageRequest) {
  return coupons.listCoupons(deps.db, page);
}

export async function getCoupon(deps: ServiceDependencies, code: string): Promise<CouponRecord> {
  const coupon = await coupons.getCouponByCode(deps.db, code);
  if (!coupon) throw new Refused('not_found', `Coupon ${code} does not exist.`);
  return coupon;
}

export interface CouponApplication {
  couponCode: string;
  /** Who applies it (an API key id). */
  actor: string;
}

async function existingCoupon(deps: ServiceDependencies, code: string): Promise<CouponRecord> {
  const coupon = await coupons.getCouponByCode(deps.db, code);
  if (!coupon) {
    throw new Refused('unprocessable', `coupon ${code} does not exist`, { field: 'couponCode' });
  }
  return coupon;
}

/** A fixed amount off must be in the currency it would be taken off. */
function checkCurrency(coupon: CouponRecord, currency: string, whose: string): void {
  if (coupon.value.type === 'fixed' && coupon.value.amount.currency !== currency) {
    throw new Refused(
      'unprocessable',
      `coupon ${coupon.code} takes off an amount in ${coupon.value.amount.currency} but ${whose} is billed in ${currency}`,
      { field: 'couponCode' },
    );
  }
}

/** Applies the coupon to the target, or refuses saying why not. */
async function apply(
  deps: ServiceDependencies,
  { couponCode, actor }: CouponApplication,
  target: CouponTarget,
): Promise<AppliedCouponRecord> {
  const result = await coupons.applyCoupon(deps.db, { ...target, couponCode, createdBy: actor });
  const where = target.subscriptionId
    ? `subscription ${target.subscriptionId}`
    : `customer ${target.customerId}`;
  const refused = (message: string) =>
    new Refused('unprocessable', message, { field: 'couponCode' });
  switch (result.outcome) {
    case 'applied':
      return result.applied;
    case 'unknown-coupon':
      throw refused(`coupon ${couponCode} does not exist`);
    case 'expired':
      throw refused(`coupon ${couponCode} expired at ${result.coupon.expiresAt!.toISOString()}`);
    case 'exhausted':
      throw refused(
        `coupon ${couponCode} has reached its maximum of ${result.coupon.maxRedemptions} redemptions`,
      );
    case 'already-applied':
      throw new Refused('conflict', `Coupon ${couponCode} is already applied to ${where}.`);
  }
}

/** Applies the coupon to the customer: it discounts every subscription of theirs. */
export async function applyCouponToCustomer(
  deps: ServiceDependencies,
  customerId: string,
  application: CouponApplication,
): Promise<AppliedCouponRecord> {
  const customer = await getCustomer(deps.db, customerId);
  if (!customer) throw new Refused('not_found', `Customer ${customerId} does not exist.`);
  const coupon = await existingCoupon(deps, application.couponCode);
  checkCurrency(coupon, customer.currency, `customer ${customerId}`);
  return apply(deps, application, { customerId });
}

/** Coupons applied to the customer itself, oldest first. */
export async function listCustomerCoupons(
  deps: ServiceDependencies,
  customerId: string,
): Promise<AppliedCouponRecord[]> {
  if (!(await getCustomer(deps.db, customerId)))
    throw new Refused('not_found', `Customer ${customerId} does not exist.`);
  return coupons.listAppliedCoupons(deps.db, { customerId });
}

/**
 * Applies the coupon to one subscription: refused on a canceled one, and for a coupon on
 * charges its plan version does not have.
 */
export async function applyCouponToSubscription(
  deps: ServiceDependencies,
  subscriptionId: string,
  application: CouponApplication,
): Promise<AppliedCouponRecord> {
  const { db } = deps;
  const id = subscriptionId;
  const subscription = await getSubscription(db, id);
  if (!subscription) throw new Refused('not_found', `Subscription ${id} does not exist.`);
  if (subscription.status === 'canceled')
    throw new Refused(
      'conflict',
      `Subscription ${id} is canceled: a coupon would discount nothing.`,
    );
  const coupon = await existingCoupon(deps, application.couponCode);
  const plan = await getPlanByCode(db, subscription.planCode);
  const version = plan && (await getPlanVersion(db, plan, subscription.planVersion));
  if (!version) {
    throw new Error(
      `subscription ${id} is pinned to a missing version ${subscription.planVersion} of plan ${subscription.planCode}`,
    );
  }
  checkCurrency(coupon, version.currency, `subscription ${id}`);
  if (coupon.appliesTo.type === 'charges') {
    const keys = new Set(version.charges.map((c) => c.key));
    const missing = coupon.appliesTo.chargeKeys.filter((key) => !keys.has(key));
    if (missing.length > 0) {
      throw new Refused(
        'unprocessable',
        `coupon ${application.couponCode} applies to charges ${missing.join(', ')} that version ${version.version} of plan ${version.planCode} does not have`,
        { field: 'couponCode' },
      );
    }
  }
  return apply(deps, application, { customerId: subscription.customerId, subscriptionId: id });
}

/** Coupons applied to the subscription itself, oldest first. */
export async function listSubscriptionCoupons(
  deps: ServiceDependencies,
  subscriptionId: string,
): Promise<AppliedCouponRecord[]> {
  const subscription = await getSubscription(deps.db, subscriptionId);
  if (!subscription)
    throw new Refused('not_found', `Subscription ${subscriptionId} does not exist.`);
  return coupons.listAppliedCoupons(deps.db, {
    customerId: subscription.customerId,
    subscriptionId,
  });
}
