// Coupons through the API: create and validate, apply to customers and subscriptions once,
// expiry, redemption limits (also under concurrency), currencies, and what the rating engine
// reads back (activeCouponsFor).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { activeCouponsFor } from '../../db/repositories/coupon-applications.ts';
import { newId } from '../../db/ids.ts';
import { createApiHarness, stringMatching, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

/** expect.objectContaining, typed as what it stands for (the lint objects to `any`). */
const containing = (fields: Record<string, unknown>): Record<string, unknown> =>
  expect.objectContaining(fields) as Record<string, unknown>;

let api: ApiHarness;
let eurCustomer: string;
let usdCustomer: string;
let subscriptionId: string;

interface ProblemBody {
  status: number;
  type: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

async function newCustomer(currency: string): Promise<string> {
  return postCustomer(api, {
    name: `Customer ${currency}`,
    email: 'ap@example.com',
    currency,
    country: currency === 'USD' ? 'US' : 'FR',
    ...(currency === 'USD' ? { address: { region: 'NY' } } : {}),
  });
}

beforeAll(async () => {
  api = await createApiHarness({ temporal: recordingTemporal().client });
  eurCustomer = await newCustomer('EUR');
  usdCustomer = await newCustomer('USD');
  await api.request({
    method: 'POST',
    url: '/v1/plans',
    payload: { code: 'pro', name: 'Pro', currency: 'EUR', interval: 'month', amount: 4900 },
  });
  const subscription = await api.request({
    method: 'POST',
    url: '/v1/subscriptions',
    payload: { customerId: eurCustomer, planCode: 'pro' },
  });
  subscriptionId = subscription.json<{ id: string }>().id;
});
afterAll(async () => {
  await api?.close();
});

const percent = (code: string, extra: object = {}) => ({
  code,
  description: 'Launch offer -20 %',
  value: { type: 'percentage', percent: '20' },
  duration: { type: 'repeating', periods: 3 },
  ...extra,
});

async function postCoupon(payload: object) {
  return api.request({ method: 'POST', url: '/v1/coupons', payload });
}

async function applyToCustomer(customerId: string, couponCode: string) {
  return api.request({
    method: 'POST',
    url: `/v1/customers/${customerId}/coupons`,
    payload: { couponCode },
  });
}

async function applyToSubscription(id: string, couponCode: string) {
  return api.request({
    method: 'POST',
    url: `/v1/subscriptions/${id}/coupons`,
    payload: { couponCode },
  });
}

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json: <T>() => T },
  status: number,
  fields: string[],
): ProblemBody {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json<ProblemBody>();
  expect((problem.errors ?? []).map((e) => e.field)).toEqual(fields);
  return problem;
}

describe('creating coupons', () => {
  test('a percentage coupon, read back by code and listed', async () => {
    const created = await postCoupon(
      percent('LAUNCH20', { maxRedemptions: 100, expiresAt: '2099-01-01T00:00:00+01:00' }),
    );
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      id: stringMatching(/^cpn_[a-z2-7]{20}$/),
      code: 'LAUNCH20',
      description: 'Launch offer -20 %',
      value: { type: 'percentage', percent: '20' },
      duration: { type: 'repeating', periods: 3 },
      appliesTo: { type: 'subtotal' },
      maxRedemptions: 100,
      timesRedeemed: 0,
      expiresAt: '2098-12-31T23:00:00.000Z',
      createdAt: stringMatching(/Z$/),
    });
    const read = await api.request({ method: 'GET', url: '/v1/coupons/LAUNCH20' });
    expect(read.json()).toEqual(created.json());
    const list = await api.request({ method: 'GET', url: '/v1/coupons?limit=1' });
    expect(list.json()).toMatchObject({ data: [{ code: 'LAUNCH20' }] });
    expect((await api.request({ method: 'GET', url: '/v1/coupons/NOPE' })).statusCode).toBe(404);
  });

  test('a fixed amount off, forever, on some charges; fractional percentages stay exact', async () => {
    const fixed = await postCoupon({
      code: 'TENOFF',
      description: '€10 off support',
      value: { type: 'fixed', amount: { amount: 1000, currency: 'EUR' } },
      duration: { type: 'forever' },
      appliesTo: { type: 'charges', chargeKeys: ['support'] },
    });
    expect(fixed.statusCode).toBe(201);
    expect(fixed.json()).toMatchObject({
      value: { type: 'fixed', amount: { amount: 1000, currency: 'EUR' } },
      duration: { type: 'forever' },
      appliesTo: { type: 'charges', chargeKeys: ['support'] },
      maxRedemptions: null,
      expiresAt: null,
    });
    const fractional = await postCoupon(
      percent('THIRD', { value: { type: 'percentage', percent: '33.33333' } }),
    );
    expect(fractional.json()).toMatchObject({ value: { percent: '33.33333' } });
  });

  const rejected: [string, object, string[]][] = [
    ['a percentage over 100', { value: { type: 'percentage', percent: '120' } }, ['value.percent']],
    ['a 0 % discount', { value: { type: 'percentage', percent: '0' } }, ['value.percent']],
    ['a negative percentage', { value: { type: 'percentage', percent: '-5' } }, ['value.percent']],
    ['a percentage without its percent', { value: { type: 'percentage' } }, ['value.percent']],
    [
      'an amount off in an unknown currency',
      { value: { type: 'fixed', amount: { amount: 100, currency: 'XTS' } } },
      ['value.amount.currency'],
    ],
    [
      'a zero amount off',
      { value: { type: 'fixed', amount: { amount: 0, currency: 'EUR' } } },
      ['value.amount.amount'],
    ],
    [
      'a percentage with an amount too',
      {
        value: { type: 'percentage', percent: '10', amount: { amount: 100, currency: 'EUR' } },
      },
      ['value.amount'],
    ],
    ['repeating without periods', { duration: { type: 'repeating' } }, ['duration.periods']],
    ['periods on a once coupon', { duration: { type: 'once', periods: 2 } }, ['duration.periods']],
    [
      'a charge scope without keys',
      { appliesTo: { type: 'charges', chargeKeys: [] } },
      ['appliesTo.chargeKeys'],
    ],
    ['an expiry in the past', { expiresAt: '2020-01-01T00:00:00Z' }, ['expiresAt']],
  ];

  test.each(rejected)('%s is a 422 naming the field', async (_, extra, fields) => {
    const code = `BAD${newId('cpn').slice(4, 12)}`;
    expectProblem(await postCoupon(percent(code, extra)), 422, fields);
    expect((await api.request({ method: 'GET', url: `/v1/coupons/${code}` })).statusCode).toBe(404);
  });

  test('schema violations are 400s; a duplicate code is a 409', async () => {
    expectProblem(await postCoupon(percent('x y')), 400, ['code']);
    expectProblem(
      await postCoupon(percent('FLOAT', { value: { type: 'percentage', percent: 12.5 } })),
      400,
      ['value.percent'],
    );
    // Found by Schemathesis: a count past the integer column was a 500.
    expectProblem(
      await postCoupon(percent('LONG', { duration: { type: 'repeating', periods: 30555837780 } })),
      400,
      ['duration.periods'],
    );
    expect((await postCoupon(percent('TWICE'))).statusCode).toBe(201);
    expect((await postCoupon(percent('TWICE'))).statusCode).toBe(409);
  });
});

describe('applying coupons', () => {
  test('to a customer once: a second time is a 409', async () => {
    await postCoupon(percent('WELCOME'));
    const first = await applyToCustomer(eurCustomer, 'WELCOME');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      id: stringMatching(/^cpr_/),
      coupon: containing({ code: 'WELCOME', timesRedeemed: 1 }),
      customerId: eurCustomer,
      subscriptionId: null,
      periodsApplied: 0,
      remainingPeriods: 3,
      createdAt: stringMatching(/Z$/),
    });
    const again = await applyToCustomer(eurCustomer, 'WELCOME');
    expect(again.statusCode).toBe(409);
    expect(again.json<ProblemBody>().type).toBe('/problems/conflict');
    const coupon = await api.request({ method: 'GET', url: '/v1/coupons/WELCOME' });
    expect(coupon.json()).toMatchObject({ timesRedeemed: 1 });
    const listed = await api.request({
      method: 'GET',
      url: `/v1/customers/${eurCustomer}/coupons`,
    });
    expect(
      listed.json<{ data: { coupon: { code: string } }[] }>().data.map((a) => a.coupon.code),
    ).toContain('WELCOME');
  });

  test('an expired coupon is a 422; where it was applied before, it keeps running', async () => {
    await postCoupon(percent('SUMMER'));
    expect((await applyToCustomer(eurCustomer, 'SUMMER')).statusCode).toBe(201);
    await api.db
      .updateTable('coupons')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('code', '=', 'SUMMER')
      .execute();
    const late = await applyToCustomer(usdCustomer, 'SUMMER');
    const problem = expectProblem(late, 422, ['couponCode']);
    expect(problem.detail).toContain('expired');
    const active = await activeCouponsFor(api.db, { customerId: eurCustomer, subscriptionId });
    expect(active.map((a) => a.coupon.code)).toContain('SUMMER');
  });

  test('an exhausted coupon is a 422', async () => {
    await postCoupon(percent('ONLYONE', { maxRedemptions: 1 }));
    expect((await applyToCustomer(eurCustomer, 'ONLYONE')).statusCode).toBe(201);
    const problem = expectProblem(await applyToCustomer(usdCustomer, 'ONLYONE'), 422, [
      'couponCode',
    ]);
    expect(problem.detail).toContain('maximum of 1');
  });

  test('the redemption limit holds under concurrency', async () => {
    await postCoupon(percent('RUSH', { maxRedemptions: 2 }));
    const customers = await Promise.all(Array.from({ length: 5 }, () => newCustomer('EUR')));
    const responses = await Promise.all(customers.map((id) => applyToCustomer(id, 'RUSH')));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 201, 422, 422, 422]);
    const coupon = await api.request({ method: 'GET', url: '/v1/coupons/RUSH' });
    expect(coupon.json()).toMatchObject({ timesRedeemed: 2 });
  });

  test('an amount off in another currency is a 422; a percentage fits any currency', async () => {
    await postCoupon({
      code: 'FIVEDOLLARS',
      description: '$5 off',
      value: { type: 'fixed', amount: { amount: 500, currency: 'USD' } },
      duration: { type: 'once' },
    });
    const problem = expectProblem(await applyToCustomer(eurCustomer, 'FIVEDOLLARS'), 422, [
      'couponCode',
    ]);
    expect(problem.detail).toContain('USD');
    expectProblem(await applyToSubscription(subscriptionId, 'FIVEDOLLARS'), 422, ['couponCode']);
    expect((await applyToCustomer(usdCustomer, 'FIVEDOLLARS')).statusCode).toBe(201);
  });

  test('unknown coupons are 422s, unknown targets 404s', async () => {
    expectProblem(await applyToCustomer(eurCustomer, 'NOSUCH'), 422, ['couponCode']);
    await postCoupon(percent('ANY'));
    expectProblem(await applyToCustomer('cus_missing', 'ANY'), 404, []);
    expectProblem(await applyToSubscription('sub_missing', 'ANY'), 404, []);
  });

  test('to a subscription once, alongside the same coupon on its customer', async () => {
    await postCoupon(percent('LOYAL', { duration: { type: 'once' } }));
    const applied = await applyToSubscription(subscriptionId, 'LOYAL');
    expect(applied.statusCode).toBe(201);
    expect(applied.json()).toMatchObject({
      customerId: eurCustomer,
      subscriptionId,
      remainingPeriods: 1,
    });
    expect((await applyToSubscription(subscriptionId, 'LOYAL')).statusCode).toBe(409);
    // The customer-wide application is another target.
    expect((await applyToCustomer(eurCustomer, 'LOYAL')).statusCode).toBe(201);
    const listed = await api.request({
      method: 'GET',
      url: `/v1/subscriptions/${subscriptionId}/coupons`,
    });
    expect(
      listed.json<{ data: { coupon: { code: string } }[] }>().data.map((a) => a.coupon.code),
    ).toEqual(['LOYAL']);
  });

  test('a coupon for some charges must name charges of the subscription’s plan version', async () => {
    await postCoupon(
      percent('SUPPORTONLY', { appliesTo: { type: 'charges', chargeKeys: ['support'] } }),
    );
    const problem = expectProblem(await applyToSubscription(subscriptionId, 'SUPPORTONLY'), 422, [
      'couponCode',
    ]);
    expect(problem.detail).toContain('support');
    await postCoupon(percent('BASEONLY', { appliesTo: { type: 'charges', chargeKeys: ['base'] } }));
    expect((await applyToSubscription(subscriptionId, 'BASEONLY')).statusCode).toBe(201);
  });

  test('a canceled subscription takes no coupons', async () => {
    const other = await api.request({
      method: 'POST',
      url: '/v1/subscriptions',
      payload: { customerId: eurCustomer, planCode: 'pro' },
    });
    const id = other.json<{ id: string }>().id;
    await api.db
      .updateTable('subscriptions')
      .set({ status: 'canceled' })
      .where('id', '=', id)
      .execute();
    await postCoupon(percent('TOOLATE'));
    expect((await applyToSubscription(id, 'TOOLATE')).statusCode).toBe(409);
  });
});

describe('activeCouponsFor', () => {
  test('the customer’s and the subscription’s coupons with periods left, in the catalog’s shape', async () => {
    const customerId = await newCustomer('EUR');
    const sub = await api.request({
      method: 'POST',
      url: '/v1/subscriptions',
      payload: { customerId, planCode: 'pro' },
    });
    const id = sub.json<{ id: string }>().id;
    const other = await api.request({
      method: 'POST',
      url: '/v1/subscriptions',
      payload: { customerId, planCode: 'pro' },
    });
    const otherId = other.json<{ id: string }>().id;
    await postCoupon(percent('A-CUSTOMER'));
    await postCoupon(percent('B-SUB', { duration: { type: 'once' } }));
    await postCoupon(percent('C-OTHER'));
    await postCoupon(percent('D-USED', { duration: { type: 'once' } }));
    expect((await applyToCustomer(customerId, 'A-CUSTOMER')).statusCode).toBe(201);
    expect((await applyToSubscription(id, 'B-SUB')).statusCode).toBe(201);
    expect((await applyToSubscription(otherId, 'C-OTHER')).statusCode).toBe(201);
    const used = await applyToSubscription(id, 'D-USED');
    await api.db
      .updateTable('coupon_redemptions')
      .set({ periods_applied: 1 })
      .where('id', '=', used.json<{ id: string }>().id)
      .execute();

    const active = await activeCouponsFor(api.db, { customerId, subscriptionId: id });
    expect(active).toEqual([
      {
        redemptionId: stringMatching(/^cpr_/),
        subscriptionId: null,
        periodsApplied: 0,
        coupon: {
          code: 'A-CUSTOMER',
          description: 'Launch offer -20 %',
          value: { type: 'percentage', percent: '20' },
          duration: { type: 'repeating', periods: 3 },
          appliesTo: { type: 'subtotal' },
        },
      },
      {
        redemptionId: stringMatching(/^cpr_/),
        subscriptionId: id,
        periodsApplied: 0,
        coupon: containing({ code: 'B-SUB', duration: { type: 'once' } }),
      },
    ]);
  });
});
