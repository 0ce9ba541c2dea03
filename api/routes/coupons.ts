// Coupons: POST /v1/coupons, GET /v1/coupons, GET /v1/coupons/:code; applying one to a customer
// (POST /v1/customers/:id/coupons) or to one subscription (POST /v1/subscriptions/:id/coupons),
// and listing what is applied. A coupon is applied once per target; the rating engine reads
// the active ones (db/repositories/coupon-applications.ts, activeCouponsFor). The use cases are in
// services/coupons.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  applyCouponToCustomer,
  applyCouponToSubscription,
  createCoupon,
  getCoupon,
  listCoupons,
  listCustomerCoupons,
  listSubscriptionCoupons,
} from '../../services/coupons.ts';
import {
  pageAfter,
  pageOf,
  PageQuery,
  CodeParams,
  DEFAULT_LIMIT,
  described,
  IdParams,
  ListOf,
  problemResponse,
} from '../schemas/common.ts';
import {
  AppliedCouponSchema,
  ApplyCouponBody,
  applyResponses,
  CouponSchema,
  CreateCouponBody,
  HOW_APPLIED,
  ListCouponsQuery,
  toAppliedCoupon,
  toCoupon,
} from '../schemas/coupons.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const coupons: FastifyPluginCallbackTypebox = (app, _options, done) => {
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
      const created = await answeringRefusals(() =>
        createCoupon(serviceDependencies(app), { ...request.body, createdBy: request.apiKey.id }),
      );
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
      const page = await listCoupons(serviceDependencies(app), { limit, startingAfter });
      return pageOf(page, toCoupon);
    },
  );

  app.get(
    '/coupons/:code',
    {
      schema: {
        tags: ['Coupons'],
        summary: 'Get a coupon',
        description: 'One coupon by its code, with how many times it has been applied.',
        params: CodeParams,
        response: {
          200: described(CouponSchema, 'The coupon.'),
          404: problemResponse('No coupon has this code.'),
        },
      },
    },
    async (request) =>
      toCoupon(
        await answeringRefusals(() => getCoupon(serviceDependencies(app), request.params.code)),
      ),
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
      const applied = await answeringRefusals(() =>
        applyCouponToCustomer(serviceDependencies(app), request.params.id, {
          couponCode: request.body.couponCode,
          actor: request.apiKey.id,
        }),
      );
      return reply.code(201).send(toAppliedCoupon(applied));
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
      const applied = await answeringRefusals(() =>
        listCustomerCoupons(serviceDependencies(app), request.params.id),
      );
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
      const applied = await answeringRefusals(() =>
        applyCouponToSubscription(serviceDependencies(app), request.params.id, {
          couponCode: request.body.couponCode,
          actor: request.apiKey.id,
        }),
      );
      return reply.code(201).send(toAppliedCoupon(applied));
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
      const applied = await answeringRefusals(() =>
        listSubscriptionCoupons(serviceDependencies(app), request.params.id),
      );
      return pageAfter(applied, request.query, (a) => a.id, toAppliedCoupon);
    },
  );

  done();
};

export default coupons;
