// Coupons: POST /v1/coupons, GET /v1/coupons, GET /v1/coupons/:code; applying one to a customer
// (POST /v1/customers/:id/coupons) or to one subscription (POST /v1/subscriptions/:id/coupons),
// and listing what is applied. A coupon is applied once per target; the rating engine reads
// the active ones (db/repositories/coupon-applications.ts, activeCouponsFor).
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import {
  applyCoupon,
  createCoupon,
  getCouponByCode,
  listAppliedCoupons,
  listCoupons,
  type AppliedCouponRecord,
  type CouponRecord,
  type CouponTarget,
} from '../../db/repositories/coupons.ts';
import { getCustomer } from '../../db/repositories/customers.ts';
import { getPlanByCode, getPlanVersion } from '../../db/repositories/plans.ts';
import { getSubscription } from '../../db/repositories/subscriptions.ts';
import type { Coupon } from '../../domain/catalog.ts';
import { validateCoupon, type Issue } from '../../domain/catalog-validation.ts';
import { decimal, toDecimalString } from '../../domain/decimal.ts';
import { conflict, notFound, Problem, unprocessable } from '../problem.ts';
import {
  CouponDurationSchema,
  DiscountScopeSchema,
  DiscountValueSchema,
} from '../schemas/catalog.ts';
import {
  DEFAULT_LIMIT,
  described,
  IdParams,
  iso,
  Limit,
  ListOf,
  NullableTimestamp,
  pageAfter,
  PageQuery,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';

const CouponCode = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{1,62}$',
  description:
    'Unique code customers and operators type: letters, digits, `-` and `_`, 2–63 characters.',
  examples: ['LAUNCH20'],
});

const HOW_APPLIED =
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

const CreateCouponBody = Type.Object(
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

const ApplyCouponBody = Type.Object(
  { couponCode: Type.String({ minLength: 1, maxLength: 63 }) },
  { additionalProperties: false },
);

const ListCouponsQuery = Type.Object(
  {
    limit: Limit,
    startingAfter: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'Cursor: the code of the last coupon of the previous page.',
      }),
    ),
  },
  { additionalProperties: false },
);

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

function unprocessableAll(issues: Issue[]): Problem {
  return new Problem({
    status: 422,
    slug: 'unprocessable',
    detail: issues.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors: issues,
  });
}

type CreateCouponInput = Static<typeof CreateCouponBody>;

/** Fields that belong to another variant than the one chosen: sent by mistake, never ignored. */
function strayFields(body: CreateCouponInput): Issue[] {
  const issues: Issue[] = [];
  const { value, duration, appliesTo } = body;
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
function catalogCoupon(body: CreateCouponInput): Coupon {
  const { value, duration } = body;
  return {
    code: body.code,
    description: body.description,
    value:
      value.type === 'fixed' && value.amount
        ? { type: 'fixed', amount: value.amount }
        : { type: 'percentage', percent: toDecimalString(decimal(value.percent ?? '0')) },
    duration:
      duration.type === 'repeating'
        ? { type: 'repeating', periods: duration.periods ?? 1 }
        : { type: duration.type },
    appliesTo:
      body.appliesTo?.type === 'charges'
        ? { type: 'charges', chargeKeys: body.appliesTo.chargeKeys ?? [] }
        : { type: 'subtotal' },
  };
}

const applyResponses = (target: string) => ({
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

const coupons: FastifyPluginCallbackTypebox = (app, _options, done) => {
  /** Applies the coupon to the target, or throws the problem that says why not. */
  async function apply(couponCode: string, target: CouponTarget, actor: string) {
    const result = await applyCoupon(app.db, {
      ...target,
      couponCode,
      createdBy: actor,
    });
    const where = target.subscriptionId
      ? `subscription ${target.subscriptionId}`
      : `customer ${target.customerId}`;
    switch (result.outcome) {
      case 'applied':
        return toAppliedCoupon(result.applied);
      case 'unknown-coupon':
        throw unprocessable('couponCode', `coupon ${couponCode} does not exist`);
      case 'expired':
        throw unprocessable(
          'couponCode',
          `coupon ${couponCode} expired at ${iso(result.coupon.expiresAt)}`,
        );
      case 'exhausted':
        throw unprocessable(
          'couponCode',
          `coupon ${couponCode} has reached its maximum of ${result.coupon.maxRedemptions} redemptions`,
        );
      case 'already-applied':
        throw conflict(`Coupon ${couponCode} is already applied to ${where}.`);
    }
  }

  /** A fixed amount off must be in the currency it would be taken off. */
  function checkCurrency(coupon: CouponRecord, currency: string, whose: string): void {
    if (coupon.value.type === 'fixed' && coupon.value.amount.currency !== currency) {
      throw unprocessable(
        'couponCode',
        `coupon ${coupon.code} takes off an amount in ${coupon.value.amount.currency} but ${whose} is billed in ${currency}`,
      );
    }
  }

  app.post(
    '/coupons',
    {
      schema: {
        tags: ['Coupons'],
        summary: 'Create a coupon',
        description:
          'Creates a coupon: a percentage or a fixed amount off, for one period, N periods or ' +
          'forever, on the whole subtotal or on some charges (by charge key). Codes are unique. ' +
          HOW_APPLIED,
        body: CreateCouponBody,
        response: {
          201: described(CouponSchema, 'The created coupon.'),
          409: problemResponse(
            'A coupon with this code exists (or the Idempotency-Key conflicts).',
          ),
          422: problemResponse(
            'A value we cannot accept, named in `errors[].field`: a percentage outside 0–100, an ' +
              'unknown currency, a missing `duration.periods`, an expiry in the past, a field of another variant.',
          ),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const issues = [
        ...validateCoupon({ ...body, appliesTo: body.appliesTo ?? { type: 'subtotal' } }),
        ...strayFields(body),
      ];
      if (body.expiresAt !== undefined && Date.parse(body.expiresAt) <= Date.now())
        issues.push({ field: 'expiresAt', message: 'must be in the future' });
      if (issues.length > 0) throw unprocessableAll(issues);
      const created = await createCoupon(app.db, {
        coupon: catalogCoupon(body),
        maxRedemptions: body.maxRedemptions,
        expiresAt: body.expiresAt,
        createdBy: request.apiKey.id,
      });
      if (!created) throw conflict(`A coupon with code "${body.code}" already exists.`);
      return reply.code(201).send(toCoupon(created));
    },
  );

  app.get(
    '/coupons',
    {
      schema: {
        tags: ['Coupons'],
        summary: 'List coupons',
        description: 'Coupons, newest first.',
        querystring: ListCouponsQuery,
        response: { 200: ListOf(CouponSchema, 'A page of coupons.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listCoupons(app.db, { limit, startingAfter });
      return { data: page.items.map(toCoupon), hasMore: page.hasMore };
    },
  );

  app.get(
    '/coupons/:code',
    {
      schema: {
        tags: ['Coupons'],
        summary: 'Get a coupon',
        description: 'One coupon by its code, with how many times it has been applied.',
        params: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 63 }) },
          { additionalProperties: false },
        ),
        response: {
          200: described(CouponSchema, 'The coupon.'),
          404: problemResponse('No coupon has this code.'),
        },
      },
    },
    async (request) => {
      const coupon = await getCouponByCode(app.db, request.params.code);
      if (!coupon) throw notFound(`Coupon ${request.params.code} does not exist.`);
      return toCoupon(coupon);
    },
  );

  app.post(
    '/customers/:id/coupons',
    {
      schema: {
        tags: ['Coupons'],
        summary: 'Apply a coupon to a customer',
        description:
          'Applies the coupon to the customer: it discounts every subscription of theirs. Once per ' +
          'customer and coupon. ' +
          HOW_APPLIED,
        params: IdParams,
        body: ApplyCouponBody,
        response: applyResponses('customer'),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { couponCode } = request.body;
      const customer = await getCustomer(app.db, id);
      if (!customer) throw notFound(`Customer ${id} does not exist.`);
      const coupon = await getCouponByCode(app.db, couponCode);
      if (!coupon) throw unprocessable('couponCode', `coupon ${couponCode} does not exist`);
      checkCurrency(coupon, customer.currency, `customer ${id}`);
      const applied = await apply(couponCode, { customerId: id }, request.apiKey.id);
      return reply.code(201).send(applied);
    },
  );

  app.get(
    '/customers/:id/coupons',
    {
      schema: {
        tags: ['Coupons'],
        summary: 'List coupons applied to a customer',
        description:
          'Coupons applied to the customer itself (not those on one of their subscriptions), oldest first, including used-up ones.',
        params: IdParams,
        querystring: PageQuery,
        response: {
          200: ListOf(AppliedCouponSchema, 'A page of applied coupons.'),
          404: problemResponse('No customer has this id.'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await getCustomer(app.db, id))) throw notFound(`Customer ${id} does not exist.`);
      const applied = await listAppliedCoupons(app.db, { customerId: id });
      return pageAfter(applied, request.query, (a) => a.id, toAppliedCoupon);
    },
  );

  app.post(
    '/subscriptions/:id/coupons',
    {
      schema: {
        tags: ['Coupons'],
        summary: 'Apply a coupon to a subscription',
        description:
          'Applies the coupon to one subscription. Once per subscription and coupon; a coupon that ' +
          'applies to some charges must name charges of the subscription’s plan version. ' +
          HOW_APPLIED,
        params: IdParams,
        body: ApplyCouponBody,
        response: applyResponses('subscription'),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { couponCode } = request.body;
      const subscription = await getSubscription(app.db, id);
      if (!subscription) throw notFound(`Subscription ${id} does not exist.`);
      if (subscription.status === 'canceled')
        throw conflict(`Subscription ${id} is canceled: a coupon would discount nothing.`);
      const coupon = await getCouponByCode(app.db, couponCode);
      if (!coupon) throw unprocessable('couponCode', `coupon ${couponCode} does not exist`);
      const plan = await getPlanByCode(app.db, subscription.planCode);
      const version = plan && (await getPlanVersion(app.db, plan, subscription.planVersion));
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
          throw unprocessable(
            'couponCode',
            `coupon ${couponCode} applies to charges ${missing.join(', ')} that version ${version.version} of plan ${version.planCode} does not have`,
          );
        }
      }
      const applied = await apply(
        couponCode,
        { customerId: subscription.customerId, subscriptionId: id },
        request.apiKey.id,
      );
      return reply.code(201).send(applied);
    },
  );

  app.get(
    '/subscriptions/:id/coupons',
    {
      schema: {
        tags: ['Coupons'],
        summary: 'List coupons applied to a subscription',
        description:
          'Coupons applied to this subscription itself, oldest first, including used-up ones. Coupons ' +
          'applied to its customer discount it too; list them on the customer.',
        params: IdParams,
        querystring: PageQuery,
        response: {
          200: ListOf(AppliedCouponSchema, 'A page of applied coupons.'),
          404: problemResponse('No subscription has this id.'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const subscription = await getSubscription(app.db, id);
      if (!subscription) throw notFound(`Subscription ${id} does not exist.`);
      const applied = await listAppliedCoupons(app.db, {
        customerId: subscription.customerId,
        subscriptionId: id,
      });
      return pageAfter(applied, request.query, (a) => a.id, toAppliedCoupon);
    },
  );

  done();
};

export default coupons;
