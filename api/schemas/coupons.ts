// The coupon routes' request and response shapes (the discount's own wire schemas are the
// catalog's), and how a coupon and an applied coupon are shown.
import { Type } from 'typebox';
import type { AppliedCouponRecord, CouponRecord } from '../../db/repositories/coupons.ts';
import { CouponDurationSchema, DiscountScopeSchema, DiscountValueSchema } from './catalog.ts';
import {
  CodeCursorQuery,
  described,
  iso,
  NullableTimestamp,
  problemResponse,
  Timestamp,
} from './common.ts';

const CouponCode = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{1,62}$',
  description:
    'Unique code customers and operators type: letters, digits, `-` and `_`, 2–63 characters.',
  examples: ['LAUNCH20'],
});

export const HOW_APPLIED =
  'An applied coupon discounts every subscription invoice of the billing periods it covers ' +
  '(once: the next period; repeating: the next N; forever: all), after charges and before tax; ' +
  'each period counts once, however many invoices it has (a change, the final invoice).';

export const CouponSchema = Type.Object(
  {
    id: Type.String({ examples: ['cpn_abcdefghijklmnopqrst'] }),
    code: CouponCode,
    description: Type.String({ description: 'Shown on the invoice, e.g. "Launch offer −20 %".' }),
    value: DiscountValueSchema,
    duration: CouponDurationSchema,
    appliesTo: DiscountScopeSchema,
    maxRedemptions: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: 'How many times it may be applied in all; null for no limit.',
    }),
    timesRedeemed: Type.Integer({ minimum: 0 }),
    expiresAt: described(
      NullableTimestamp,
      'Last moment it can be applied; where it is already applied it keeps running. Null: never.',
    ),
    createdAt: Timestamp,
  },
  { $id: 'Coupon', title: 'Coupon' },
);

export const AppliedCouponSchema = Type.Object(
  {
    id: Type.String({ examples: ['cpr_abcdefghijklmnopqrst'] }),
    coupon: CouponSchema,
    customerId: Type.String(),
    subscriptionId: Type.Union([Type.String(), Type.Null()], {
      description:
        'The subscription it discounts; null when applied to the customer (all of theirs).',
    }),
    periodsApplied: Type.Integer({ minimum: 0, description: 'Billing periods discounted so far.' }),
    remainingPeriods: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'Periods it will still discount; null for a forever coupon.',
    }),
    createdAt: Timestamp,
  },
  { $id: 'AppliedCoupon', title: 'AppliedCoupon' },
);

export const CreateCouponBody = Type.Object(
  {
    code: CouponCode,
    description: Type.String({ minLength: 1, maxLength: 200 }),
    value: DiscountValueSchema,
    duration: CouponDurationSchema,
    appliesTo: Type.Optional({
      ...DiscountScopeSchema,
      description: 'Default: the whole subtotal.',
    }),
    maxRedemptions: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description: 'How many times it may be applied in all (default: no limit).',
      }),
    ),
    expiresAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Last moment it can be applied (default: never). Where it is applied, it keeps running.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ApplyCouponBody = Type.Object(
  { couponCode: Type.String({ minLength: 1, maxLength: 63 }) },
  { additionalProperties: false },
);

export const ListCouponsQuery = CodeCursorQuery('coupon', 63);

export function toCoupon(record: CouponRecord) {
  return {
    id: record.id,
    code: record.code,
    description: record.description,
    value: record.value,
    duration: record.duration,
    appliesTo: record.appliesTo,
    maxRedemptions: record.maxRedemptions,
    timesRedeemed: record.timesRedeemed,
    expiresAt: iso(record.expiresAt),
    createdAt: iso(record.createdAt),
  };
}

export function toAppliedCoupon(record: AppliedCouponRecord) {
  return {
    id: record.id,
    coupon: toCoupon(record.coupon),
    customerId: record.customerId,
    subscriptionId: record.subscriptionId,
    periodsApplied: record.periodsApplied,
    remainingPeriods: record.remainingPeriods,
    createdAt: iso(record.createdAt),
  };
}

export const applyResponses = (target: string) => ({
  201: described(AppliedCouponSchema, `The coupon as applied to the ${target}.`),
  404: problemResponse(`No ${target} has this id.`),
  409: problemResponse(
    `The coupon is already applied to this ${target}${target === 'subscription' ? ', or the subscription is canceled' : ''} (or the Idempotency-Key conflicts).`,
  ),
  422: problemResponse(
    'The coupon (`couponCode`) does not exist, has expired, has reached its maximum redemptions, ' +
      `takes a fixed amount off in another currency than the ${target}’s` +
      (target === 'subscription'
        ? ', or applies to charges the subscription’s plan version does not have.'
        : '.'),
  ),
});
