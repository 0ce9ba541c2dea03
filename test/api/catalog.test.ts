// The pricing catalog through the API: plans with every pricing model, validation that names
// the field, versions, subscriptions pinned to a version and moved explicitly, and idempotent
// replay.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createMetric } from '../../db/repositories/metrics.ts';
import { listPlanVersionChanges } from '../../db/repositories/subscriptions.ts';
import type { SubscriptionWorkflowInput } from '../../workflows/subscription-messages.ts';
import { createApiHarness, stringMatching, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal, type RecordingTemporal } from '../support/recording-temporal.ts';

let api: ApiHarness;
let temporal: RecordingTemporal;
let customerId: string;

beforeAll(async () => {
  temporal = recordingTemporal();
  api = await createApiHarness({ temporal: temporal.client });
  await createMetric(api.db, { code: 'api_calls', name: 'API calls', aggregation: 'count' });
  await createMetric(api.db, {
    code: 'payments',
    name: 'Payments',
    aggregation: 'sum',
    field: 'amount',
  });
  customerId = await postCustomer(api, { name: 'Lyon SAS', email: 'billing@lyon.example' });
});
afterAll(async () => {
  await api?.close();
});
beforeEach(() => {
  temporal.started.length = 0;
});

interface PlanBody {
  code: string;
  version: number;
  price: { amount: number; currency: string } | null;
  charges: Record<string, unknown>[];
  [field: string]: unknown;
}

interface ProblemBody {
  type: string;
  status: number;
  errors?: { field: string; message: string }[];
}

const base = { name: 'Scale', currency: 'EUR', interval: 'month' };
let n = 0;
const nextCode = (prefix: string) => `${prefix}-${++n}`;

async function postPlan(payload: object, headers: Record<string, string> = {}) {
  return api.request({ method: 'POST', url: '/v1/plans', payload, headers });
}

async function subscribe(planCode: string) {
  return api.request({
    method: 'POST',
    url: '/v1/subscriptions',
    payload: { customerId, planCode, startAt: '2027-01-15T09:00:00+01:00' },
  });
}

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json: <T>() => T },
  status: number,
  fields: string[],
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json<ProblemBody>();
  expect(problem.status).toBe(status);
  expect((problem.errors ?? []).map((e) => e.field)).toEqual(fields);
  return problem;
}

const flat = { key: 'platform', description: 'Platform fee', type: 'flat', billing: 'advance' };
const usage = (pricing: object, extra: object = {}) => ({
  key: 'calls',
  description: 'API calls',
  type: 'usage',
  billing: 'arrears',
  metricCode: 'api_calls',
  pricing,
  ...extra,
});

describe('creating plans', () => {
  test('the flat shorthand (amount) is version 1 with one flat charge billed in advance', async () => {
    const response = await postPlan({ ...base, code: 'flat-shorthand', amount: 4900 });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      code: 'flat-shorthand',
      version: 1,
      price: { amount: 4900, currency: 'EUR' },
      taxBehavior: 'exclusive',
      minimumCommitment: null,
      charges: [
        { key: 'base', description: 'Scale', type: 'flat', billing: 'advance', amount: '4900' },
      ],
    });
    const versions = await api.request({
      method: 'GET',
      url: '/v1/plans/flat-shorthand/versions',
    });
    expect(versions.json()).toEqual({
      data: [
        expect.objectContaining({
          planCode: 'flat-shorthand',
          version: 1,
          current: true,
          createdBy: api.apiKey.id,
          createdAt: stringMatching(/Z$/),
        }),
      ],
      hasMore: false,
    });
  });

  const models: [string, object][] = [
    ['per_unit', usage({ model: 'per_unit', unitPrice: '0.06' }, { freeUnits: '1000' })],
    [
      'graduated',
      usage({
        model: 'graduated',
        tiers: [
          { upTo: '1000', unitPrice: '0', flatFee: '500' },
          { upTo: '10000', unitPrice: '0.5' },
          { upTo: null, unitPrice: '0.25' },
        ],
      }),
    ],
    [
      'volume',
      usage(
        {
          model: 'volume',
          tiers: [
            { upTo: '100', unitPrice: '10' },
            { upTo: null, unitPrice: '8' },
          ],
        },
        { minimum: '1000', maximum: '90000' },
      ),
    ],
    ['package', usage({ model: 'package', packageSize: '1000', packagePrice: '250' })],
    [
      'percentage',
      usage(
        {
          model: 'percentage',
          rate: '2.9',
          fixedFeePerTransaction: '30',
          minPerTransaction: '50',
          maxPerTransaction: '500',
          freeTransactions: '10',
        },
        { metricCode: 'payments' },
      ),
    ],
    [
      'per_seat',
      {
        key: 'seats',
        description: 'Seats',
        type: 'per_seat',
        billing: 'advance',
        unitAmount: '1500',
      },
    ],
  ];

  test.each(models)('a plan with %s pricing is stored and read back as sent', async (_, charge) => {
    const code = nextCode('model');
    const charges = [{ ...flat, amount: '9900' }, charge];
    const response = await postPlan({
      ...base,
      code,
      charges,
      taxBehavior: 'inclusive',
      minimumCommitment: '20000',
    });
    expect(response.statusCode).toBe(201);
    const plan = response.json<PlanBody>();
    expect(plan).toMatchObject({
      code,
      version: 1,
      price: null, // more than one flat advance charge
      taxBehavior: 'inclusive',
      minimumCommitment: '20000',
    });
    expect(plan.charges).toEqual(charges);
    const read = await api.request({ method: 'GET', url: `/v1/plans/${code}` });
    expect(read.json()).toEqual(plan);
  });

  test('graduated percentage and block rounding are stored as sent', async () => {
    const charges = [
      usage(
        {
          model: 'graduated_percentage',
          tiers: [
            { upTo: '100000', rate: '3', flatFee: '100' },
            { upTo: null, rate: '1.5' },
          ],
        },
        { key: 'volume', metricCode: 'payments' },
      ),
      usage({ model: 'graduated', tiers: [{ upTo: null, unitPrice: '0.1' }], blockSize: '100' }),
    ];
    const response = await postPlan({ ...base, code: 'tiered-rates', charges });
    expect(response.statusCode).toBe(201);
    expect(response.json<PlanBody>().charges).toEqual(charges);
  });

  test('a plan of one flat charge billed in arrears has no advance price', async () => {
    const response = await postPlan({
      ...base,
      code: nextCode('arrears'),
      charges: [{ ...flat, billing: 'arrears', amount: '4900' }],
    });
    expect(response.statusCode).toBe(201);
    expect(response.json<PlanBody>().price).toBeNull();
  });
});

describe('catalog rules: 422 naming the field, nothing stored', () => {
  const tiers = (...upTos: (string | null)[]) => upTos.map((upTo) => ({ upTo, unitPrice: '1' }));

  const cases: [string, object, string[]][] = [
    [
      'an unknown billable metric',
      { charges: [usage({ model: 'per_unit', unitPrice: '1' }, { metricCode: 'nope' })] },
      ['charges[0].metricCode'],
    ],
    [
      'tiers out of order',
      { charges: [usage({ model: 'graduated', tiers: tiers('100', '50', null) })] },
      ['charges[0].pricing.tiers[1].upTo'],
    ],
    [
      'overlapping tiers (same bound twice)',
      { charges: [usage({ model: 'volume', tiers: tiers('100', '100', null) })] },
      ['charges[0].pricing.tiers[1].upTo'],
    ],
    [
      'a bounded last tier',
      { charges: [usage({ model: 'graduated', tiers: tiers('100', '200') })] },
      ['charges[0].pricing.tiers[1].upTo'],
    ],
    ['a negative flat price', { charges: [{ ...flat, amount: '-100' }] }, ['charges[0].amount']],
    [
      'a negative unit price',
      { charges: [usage({ model: 'per_unit', unitPrice: '-0.5' })] },
      ['charges[0].pricing.unitPrice'],
    ],
    [
      'a negative tier price',
      {
        charges: [
          usage({
            model: 'graduated',
            tiers: [
              { upTo: '10', unitPrice: '1' },
              { upTo: null, unitPrice: '-1' },
            ],
          }),
        ],
      },
      ['charges[0].pricing.tiers[1].unitPrice'],
    ],
    [
      'a percentage over 100',
      { charges: [usage({ model: 'percentage', rate: '101' }, { metricCode: 'payments' })] },
      ['charges[0].pricing.rate'],
    ],
    [
      // Found by test/workflows/differential.test.ts: accepted, such a plan failed every invoice.
      'a percentage of a count metric, which has no amounts',
      { charges: [usage({ model: 'percentage', rate: '2.9' })] },
      ['charges[0].metricCode'],
    ],
    [
      'usage billed in advance',
      { charges: [usage({ model: 'per_unit', unitPrice: '1' }, { billing: 'advance' })] },
      ['charges[0].billing'],
    ],
    ['a flat charge without its amount', { charges: [flat] }, ['charges[0].amount']],
    [
      'a duplicate charge key',
      {
        charges: [
          { ...flat, amount: '100' },
          { ...flat, amount: '200' },
        ],
      },
      ['charges[1].key'],
    ],
    [
      'a negative minimum commitment',
      { charges: [{ ...flat, amount: '100' }], minimumCommitment: '-1' },
      ['minimumCommitment'],
    ],
    [
      'fields of another charge type or pricing model',
      {
        charges: [
          { ...flat, amount: '100', unitAmount: '5' },
          usage({ model: 'per_unit', unitPrice: '1', tiers: [] }, { key: 'calls' }),
        ],
      },
      ['charges[0].unitAmount', 'charges[1].pricing.tiers'],
    ],
    [
      'a graduated percentage rate over 100, and a negative flat fee',
      {
        charges: [
          usage(
            {
              model: 'graduated_percentage',
              tiers: [
                { upTo: '100000', rate: '101' },
                { upTo: null, rate: '1', flatFee: '-1' },
              ],
            },
            { metricCode: 'payments' },
          ),
        ],
      },
      ['charges[0].pricing.tiers[0].rate', 'charges[0].pricing.tiers[1].flatFee'],
    ],
    [
      'a zero block size, and one on a package',
      {
        charges: [
          usage({ model: 'per_unit', unitPrice: '1', blockSize: '0' }),
          usage(
            { model: 'package', packageSize: '100', packagePrice: '5', blockSize: '10' },
            { key: 'calls-2' },
          ),
        ],
      },
      ['charges[0].pricing.blockSize', 'charges[1].pricing.blockSize'],
    ],
    [
      'a minimum above the maximum',
      {
        charges: [usage({ model: 'per_unit', unitPrice: '1' }, { minimum: '500', maximum: '100' })],
      },
      ['charges[0].minimum'],
    ],
  ];

  test.each(cases)('%s', async (_, body, fields) => {
    const code = nextCode('rejected');
    const response = await postPlan({ ...base, code, ...body });
    const problem = expectProblem(response, 422, fields);
    expect(problem.type).toBe('/problems/unprocessable');
    expect((await api.request({ method: 'GET', url: `/v1/plans/${code}` })).statusCode).toBe(404);
  });

  test('an unknown currency is a 422 on currency', async () => {
    expectProblem(await postPlan({ ...base, code: 'xts', currency: 'XTS', amount: 1 }), 422, [
      'currency',
    ]);
  });
});

describe('request shape: 400 naming the field', () => {
  test('amount and charges together, or neither', async () => {
    expectProblem(
      await postPlan({ ...base, code: 'both', amount: 1, charges: [{ ...flat, amount: '1' }] }),
      400,
      ['amount'],
    );
    expectProblem(await postPlan({ ...base, code: 'neither' }), 400, ['charges']);
  });

  test('unknown charge fields, malformed decimals and unknown types', async () => {
    expectProblem(
      await postPlan({ ...base, code: 'typo', charges: [{ ...flat, amount: '1', colour: 'red' }] }),
      400,
      ['charges[0].colour'],
    );
    expectProblem(
      await postPlan({ ...base, code: 'float', charges: [{ ...flat, amount: 49.5 }] }),
      400,
      ['charges[0].amount'],
    );
    expectProblem(
      await postPlan({ ...base, code: 'exp', charges: [{ ...flat, amount: '1e3' }] }),
      400,
      ['charges[0].amount'],
    );
    const unknownType = await postPlan({
      ...base,
      code: 'kind',
      charges: [{ ...flat, type: 'bonus', amount: '1' }],
    });
    expectProblem(unknownType, 400, ['charges[0].type']);
    expectProblem(await postPlan({ ...base, code: 'empty', charges: [] }), 400, ['charges']);
  });
});

describe('versions', () => {
  test('editing adds a version; the plan shows it; the old one stays readable', async () => {
    await postPlan({ ...base, code: 'edited', interval: 'quarter', amount: 4900 });
    const edit = await api.request({
      method: 'POST',
      url: '/v1/plans/edited/versions',
      payload: { amount: 5900 },
    });
    expect(edit.statusCode).toBe(201);
    expect(edit.json()).toMatchObject({
      code: 'edited',
      version: 2,
      interval: 'quarter', // the current version's, by default
      price: { amount: 5900, currency: 'EUR' },
    });
    const current = await api.request({ method: 'GET', url: '/v1/plans/edited' });
    expect(current.json()).toMatchObject({ version: 2, price: { amount: 5900 } });

    const v1 = await api.request({ method: 'GET', url: '/v1/plans/edited/versions/1' });
    expect(v1.json()).toMatchObject({
      planCode: 'edited',
      version: 1,
      current: false,
      interval: 'quarter',
      price: { amount: 4900, currency: 'EUR' },
    });
    const list = await api.request({ method: 'GET', url: '/v1/plans/edited/versions' });
    expect(
      list
        .json<{ data: { version: number; current: boolean }[] }>()
        .data.map((v) => [v.version, v.current]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
    // The legacy column follows the current version, for the flat-rate workflow.
    const row = await api.db
      .selectFrom('plans')
      .selectAll()
      .where('code', '=', 'edited')
      .executeTakeFirstOrThrow();
    expect([row.amount, row.current_version]).toEqual([5900, 2]);
  });

  test('a new version is validated like a new plan, and keeps the currency', async () => {
    await postPlan({ ...base, code: 'strict', amount: 100 });
    const edit = (payload: object) =>
      api.request({ method: 'POST', url: '/v1/plans/strict/versions', payload });
    expectProblem(await edit({ currency: 'USD', amount: 100 }), 422, ['currency']);
    expectProblem(
      await edit({ charges: [usage({ model: 'per_unit', unitPrice: '1' }, { metricCode: 'x' })] }),
      422,
      ['charges[0].metricCode'],
    );
    expectProblem(await edit({ currency: 'EUR' }), 400, ['charges']);
    expect((await edit({ currency: 'EUR', amount: 200 })).statusCode).toBe(201);
    const versions = await api.db
      .selectFrom('plan_versions')
      .innerJoin('plans', 'plans.id', 'plan_versions.plan_id')
      .select('plan_versions.version')
      .where('plans.code', '=', 'strict')
      .execute();
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2]);
  });

  test('unknown plans and versions are 404s', async () => {
    const cases = [
      api.request({ method: 'POST', url: '/v1/plans/nope/versions', payload: { amount: 1 } }),
      api.request({ method: 'GET', url: '/v1/plans/nope/versions' }),
      api.request({ method: 'GET', url: '/v1/plans/nope/versions/1' }),
      api.request({ method: 'GET', url: '/v1/plans/flat-shorthand/versions/99' }),
    ];
    for (const response of await Promise.all(cases)) expectProblem(response, 404, []);
  });

  test('concurrent edits get consecutive version numbers', async () => {
    await postPlan({ ...base, code: 'busy', amount: 100 });
    const responses = await Promise.all(
      [200, 300, 400, 500].map((amount) =>
        api.request({ method: 'POST', url: '/v1/plans/busy/versions', payload: { amount } }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(responses.map((r) => r.json<PlanBody>().version).sort()).toEqual([2, 3, 4, 5]);
  });
});

describe('subscriptions and versions', () => {
  async function subscriptionRow(id: string) {
    return api.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  test('a subscription is pinned to the current version and keeps it when the plan is edited', async () => {
    await postPlan({ ...base, code: 'pinned', amount: 4900 });
    const first = await subscribe('pinned');
    expect(first.statusCode).toBe(201);
    const firstId = first.json<{ id: string }>().id;
    expect(first.json()).toMatchObject({ planVersion: 1, quantity: 1 });

    await api.request({
      method: 'POST',
      url: '/v1/plans/pinned/versions',
      payload: { amount: 5900 },
    });
    const second = await subscribe('pinned');
    expect(second.json()).toMatchObject({ planVersion: 2 });
    // Each workflow bills its own version's price.
    const prices = temporal.started.map(
      (options) => (options.args as [SubscriptionWorkflowInput])[0].price,
    );
    expect(prices).toEqual([
      { amount: 4900, currency: 'EUR' },
      { amount: 5900, currency: 'EUR' },
    ]);
    expect((await subscriptionRow(firstId)).plan_version).toBe(1);
    const listed = await api.request({
      method: 'GET',
      url: `/v1/subscriptions?customerId=${customerId}`,
    });
    const byId = new Map(
      listed.json<{ data: { id: string; planVersion: number }[] }>().data.map((s) => [s.id, s]),
    );
    expect(byId.get(firstId)?.planVersion).toBe(1);
  });

  test('plans with usage, per-seat or several charges are subscribed to, their charges carried by the workflow', async () => {
    const shapes: object[][] = [
      [usage({ model: 'per_unit', unitPrice: '1' })],
      [
        {
          key: 'seats',
          description: 'Seats',
          type: 'per_seat',
          billing: 'advance',
          unitAmount: '1',
        },
      ],
      [
        { ...flat, amount: '100' },
        { ...flat, key: 'support', amount: '200' },
      ],
    ];
    for (const charges of shapes) {
      const code = nextCode('lifecycle');
      expect((await postPlan({ ...base, code, charges })).statusCode).toBe(201);
      expect((await subscribe(code)).statusCode).toBe(201);
      const args = temporal.started.at(-1)!.args as [{ plan: { charges: unknown } }];
      expect(args[0].plan.charges).toEqual(charges);
    }
    expect(temporal.started).toHaveLength(shapes.length);
  });

  test('moving to a version the plan does not have is a 422 naming version; the workflow is not asked', async () => {
    await postPlan({ ...base, code: 'movable', amount: 4900 });
    const id = (await subscribe('movable')).json<{ id: string }>().id;
    const move = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/plan-version`,
      payload: { version: 9 },
    });
    expectProblem(move, 422, ['version']);
    expect((await subscriptionRow(id)).plan_version).toBe(1);
    expect(await listPlanVersionChanges(api.db, id)).toEqual([]);
    expect(temporal.started).toHaveLength(1); // the subscription's own start; nothing else
  });

  test('moving an unknown or canceled subscription', async () => {
    const missing = await api.request({
      method: 'POST',
      url: '/v1/subscriptions/sub_missing/plan-version',
      payload: { version: 1 },
    });
    expectProblem(missing, 404, []);
    await postPlan({ ...base, code: 'ended', amount: 100 });
    const id = (await subscribe('ended')).json<{ id: string }>().id;
    await api.db
      .updateTable('subscriptions')
      .set({ status: 'canceled' })
      .where('id', '=', id)
      .execute();
    const canceled = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/plan-version`,
      payload: { version: 1 },
    });
    expect(canceled.statusCode).toBe(409);
  });
});

describe('idempotency', () => {
  test('replaying a plan creation returns the first response and stores one version', async () => {
    const payload = {
      ...base,
      code: 'replayed',
      charges: [usage({ model: 'per_unit', unitPrice: '0.5' })],
    };
    const headers = { 'idempotency-key': `plan-${Date.now()}` };
    const first = await postPlan(payload, headers);
    const second = await postPlan(payload, headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const versions = await api.db
      .selectFrom('plan_versions')
      .innerJoin('plans', 'plans.id', 'plan_versions.plan_id')
      .select('plan_versions.version')
      .where('plans.code', '=', 'replayed')
      .execute();
    expect(versions).toHaveLength(1);
  });
});
