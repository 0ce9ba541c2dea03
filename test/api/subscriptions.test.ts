// Subscriptions through the API. Real workflows are exercised by the workflow tests on the
// time-skipping server; here Temporal is either unreachable or a stand-in client, so these
// tests pin the API's side: validation, atomic creation, and how workflow answers map to HTTP.
import {
  ApplicationFailure,
  Client,
  Connection,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type SubscriptionState,
  type SubscriptionWorkflowInput,
} from '../../workflows/subscription-messages.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { flatPlanVersion } from '../support/builders/plans.ts';
import {
  anyString,
  stringMatching,
  createApiHarness,
  type ApiHarness,
} from '../support/api-harness.ts';
import { INVALID_TRANSITION } from '../../workflow-contracts/names.ts';
import { temporalProblem } from '../../api/temporal-problem.ts';

/** What the stand-in Temporal does when called; each test sets what it needs. */
interface TemporalScript {
  start: (options: WorkflowStartOptions) => Promise<void>;
  update: (name: string, arg: unknown) => Promise<SubscriptionState>;
  query: () => Promise<SubscriptionState>;
}

const script: TemporalScript = {
  start: () => Promise.resolve(),
  update: () => Promise.reject(new Error('no update scripted')),
  query: () => Promise.reject(new Error('no query scripted')),
};
const started: { workflowType: unknown; options: WorkflowStartOptions }[] = [];
const handles: string[] = [];

function standInTemporal(): Client {
  const handle = {
    executeUpdate: (def: { name: string }, options: { args: unknown[] }) =>
      script.update(def.name, options.args[0]),
    query: () => script.query(),
  };
  return {
    options: { namespace: 'default' },
    workflow: {
      start: async (workflowType: unknown, options: WorkflowStartOptions) => {
        await script.start(options);
        started.push({ workflowType, options });
        return { workflowId: options.workflowId };
      },
      getHandle: (workflowId: string) => {
        handles.push(workflowId);
        return handle;
      },
    },
    connection: {
      withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
      close: async () => {},
    },
  } as unknown as Client;
}

let api: ApiHarness;
let unreachable: ApiHarness;
// Each harness has its own database; the same customers are created in both.
const customerIds = new Map<ApiHarness, { eur: string; usd: string }>();
let customerId: string;
let usdCustomerId: string;

beforeAll(async () => {
  [api, unreachable] = await Promise.all([
    createApiHarness({ temporal: standInTemporal() }),
    createApiHarness(),
  ]);
  for (const harness of [api, unreachable]) {
    const eur = await harness.request({
      method: 'POST',
      url: '/v1/customers',
      payload: {
        name: 'Paris SARL',
        email: 'billing@paris.example',
        currency: 'EUR',
        country: 'FR',
        timezone: 'Europe/Paris',
        locale: 'fr-FR',
      },
    });
    const usd = await harness.request({
      method: 'POST',
      url: '/v1/customers',
      payload: {
        name: 'NYC LLC',
        email: 'ap@nyc.example',
        currency: 'USD',
        country: 'US',
        address: { region: 'CA' },
        timezone: 'America/New_York',
        locale: 'en-US',
      },
    });
    customerIds.set(harness, {
      eur: eur.json<{ id: string }>().id,
      usd: usd.json<{ id: string }>().id,
    });
    await harness.request({
      method: 'POST',
      url: '/v1/plans',
      payload: { code: 'pro', name: 'Pro', currency: 'EUR', interval: 'month', amount: 4900 },
    });
  }
  ({ eur: customerId, usd: usdCustomerId } = customerIds.get(api)!);
});
afterAll(async () => {
  await Promise.all([api?.close(), unreachable?.close()]);
});
beforeEach(() => {
  started.length = 0;
  handles.length = 0;
  script.start = async () => {};
});

async function subscriptionRows(harness: ApiHarness) {
  return harness.db.selectFrom('subscriptions').selectAll().execute();
}

function state(overrides: Partial<SubscriptionState> = {}): SubscriptionState {
  return {
    subscriptionId: 'sub_x',
    status: 'active',
    cycle: {
      interval: 'month',
      intervalCount: 1,
      anchor: '2027-01-15T09:00:00.000Z',
      timezone: 'Europe/Paris',
    },
    currentPeriod: { index: 0, start: '2027-01-15T09:00:00.000Z', end: '2027-02-15T09:00:00.000Z' },
    nextBillingAt: '2027-02-15T09:00:00.000Z',
    invoicesIssued: 1,
    pausedAt: null,
    canceledAt: null,
    plan: flatPlanVersion({ code: 'pro', name: 'Pro', amount: 4900, currency: 'EUR' }),
    planVersion: 1,
    quantity: 1,
    trialEnd: null,
    openPeriod: null,
    cancelAt: null,
    pendingChange: null,
    openTerms: [],
    ...overrides,
  };
}

async function subscribe(harness: ApiHarness, body: Record<string, unknown>) {
  return harness.request({ method: 'POST', url: '/v1/subscriptions', payload: body });
}

describe('POST /v1/subscriptions validation', () => {
  test('a billing-day anchoring needs a day, and a monthly or longer plan', async () => {
    const noDay = await subscribe(unreachable, {
      customerId: customerIds.get(unreachable)!.eur,
      planCode: 'pro',
      anchoring: { type: 'billing_day' },
    });
    expect(noDay.statusCode).toBe(422);
    expect(noDay.json()).toMatchObject({ errors: [{ field: 'anchoring.day' }] });
    expect(await subscriptionRows(unreachable)).toHaveLength(0);
  });

  test('a calendar anchoring starts mid-month with a stub, anchored on the 1st', async () => {
    const response = await subscribe(api, {
      customerId,
      planCode: 'pro',
      startAt: '2027-03-10T09:00:00+01:00',
      anchoring: { type: 'calendar' },
    });
    expect(response.statusCode).toBe(201);
    const input = started.at(-1)!.options.args![0] as SubscriptionWorkflowInput;
    expect(input.cycle.anchor).toBe('2027-02-28T23:00:00.000Z'); // March 1, 00:00 in Paris
    expect(input.startAt).toBe('2027-03-10T08:00:00.000Z');
  });

  test('an unknown customer is a 422 naming customerId', async () => {
    const response = await subscribe(unreachable, { customerId: 'cus_missing', planCode: 'pro' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors: [{ field: 'customerId' }] });
  });

  test('an unknown plan is a 422 naming planCode', async () => {
    const response = await subscribe(unreachable, {
      customerId: customerIds.get(unreachable)!.eur,
      planCode: 'missing',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors: [{ field: 'planCode' }] });
  });

  test('a plan in another currency than the customer’s is a 422 naming planCode', async () => {
    const response = await subscribe(unreachable, {
      customerId: customerIds.get(unreachable)!.usd,
      planCode: 'pro',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: [{ field: 'planCode', message: stringMatching(/EUR.*USD/) }],
    });
  });

  test('a customer who cannot be taxed is refused at the start, not invoiced wrong later', async () => {
    // Stored before clean-data checks existed (or imported): a US customer without a state.
    const { id } = await insertCustomer(unreachable.db, {
      name: 'Legacy Corp',
      email: 'ap@legacy.test',
      country: 'US',
      timezone: 'America/Chicago',
      locale: 'en-US',
    });
    const response = await subscribe(unreachable, { customerId: id, planCode: 'pro' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: [
        { field: 'customerId', message: stringMatching(/cannot be taxed: address\.region/) },
      ],
    });
    const rows = await unreachable.db
      .selectFrom('subscriptions')
      .select('id')
      .where('customer_id', '=', id)
      .execute();
    expect(rows).toEqual([]);
  });

  test('startAt must be an instant with an offset', async () => {
    for (const startAt of ['2027-01-15', '2027-01-15T09:00:00', 'tomorrow']) {
      const response = await subscribe(unreachable, {
        customerId: customerIds.get(unreachable)!.eur,
        planCode: 'pro',
        startAt,
      });
      expect(response.statusCode, startAt).toBe(400);
      expect(response.json()).toMatchObject({ errors: [{ field: 'startAt' }] });
    }
  });
});

describe('POST /v1/subscriptions and Temporal', () => {
  test('Temporal unreachable: 503, and no subscription row is left behind', async () => {
    const response = await subscribe(unreachable, {
      customerId: customerIds.get(unreachable)!.eur,
      planCode: 'pro',
    });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ type: '/problems/service-unavailable', status: 503 });
    expect(await subscriptionRows(unreachable)).toEqual([]);
  });

  test('a Temporal that keeps failing is given up on at the deadline, not after the SDK’s retries', async () => {
    // The SDK's default client retries UNAVAILABLE for ~20 s; the API's deadline cuts it short.
    const retrying = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const slow = await createApiHarness({ temporal: retrying, temporalTimeoutMs: 500 });
    try {
      const cus = await slow.request({
        method: 'POST',
        url: '/v1/customers',
        payload: {
          name: 'Deadline',
          email: 'd@example.com',
          currency: 'EUR',
          country: 'FR',
          timezone: 'Europe/Paris',
          locale: 'fr',
        },
      });
      await slow.request({
        method: 'POST',
        url: '/v1/plans',
        payload: { code: 'dl', name: 'DL', currency: 'EUR', interval: 'month', amount: 1 },
      });
      const startedAt = Date.now();
      const response = await subscribe(slow, {
        customerId: cus.json<{ id: string }>().id,
        planCode: 'dl',
      });
      expect(response.statusCode).toBe(503);
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      expect(await subscriptionRows(slow)).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  test('a failed start rolls the row back', async () => {
    script.start = () => Promise.reject(new ServiceError('Failed to start Workflow'));
    const before = (await subscriptionRows(api)).length;
    const response = await subscribe(api, { customerId, planCode: 'pro' });
    expect(response.statusCode).toBe(503);
    expect(await subscriptionRows(api)).toHaveLength(before);
  });

  test('success: row and workflow, anchored at startAt in the customer’s time zone', async () => {
    const response = await subscribe(api, {
      customerId,
      planCode: 'pro',
      startAt: '2027-01-15T10:00:00+01:00',
    });
    expect(response.statusCode).toBe(201);
    const body = response.json<{ id: string }>();
    expect(body).toEqual({
      id: stringMatching(/^sub_/),
      customerId,
      planCode: 'pro',
      planVersion: 1,
      quantity: 1,
      status: 'active',
      anchorAt: '2027-01-15T09:00:00.000Z',
      currentPeriod: null,
      nextBillingAt: '2027-01-15T09:00:00.000Z',
      invoicesIssued: 0,
      pausedAt: null,
      canceledAt: null,
      pendingChange: null,
      billingThreshold: null,
      createdAt: anyString(),
    });
    expect(started).toHaveLength(1);
    const { workflowType, options } = started[0]!;
    expect(workflowType).toBe('subscriptionWorkflow');
    expect(options.workflowId).toBe(`subscription-${body.id}`);
    expect(options.args).toEqual([
      {
        subscriptionId: body.id,
        customerId,
        planCode: 'pro',
        planName: 'Pro',
        cycle: {
          interval: 'month',
          intervalCount: 1,
          anchor: '2027-01-15T09:00:00.000Z',
          timezone: 'Europe/Paris',
        },
        price: { amount: 4900, currency: 'EUR' },
        // The pinned version's charges travel with the workflow: it bills them.
        plan: {
          planCode: 'pro',
          version: 1,
          currency: 'EUR',
          billingCycle: { interval: 'month', intervalCount: 1 },
          taxBehavior: 'exclusive',
          charges: [
            { key: 'base', type: 'flat', description: 'Pro', billing: 'advance', amount: '4900' },
          ],
        },
        quantity: 1,
      },
    ]);
    const rows = await api.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('id', '=', body.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('active');
  });
});

describe('POST /v1/subscriptions of a plan with percentage pricing', () => {
  test('starts: the advance headline rates the percentage charge as no transactions yet', async () => {
    const metric = await api.request({
      method: 'POST',
      url: '/v1/metrics',
      payload: { code: 'card_volume', name: 'Card volume', aggregation: 'sum', field: 'amount' },
    });
    expect(metric.statusCode).toBe(201);
    const plan = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: {
        code: 'payments',
        name: 'Payments',
        currency: 'EUR',
        interval: 'month',
        charges: [
          { key: 'base', description: 'Base', billing: 'advance', type: 'flat', amount: '1900' },
          {
            key: 'cards',
            description: 'Card payments',
            billing: 'arrears',
            type: 'usage',
            metricCode: 'card_volume',
            pricing: {
              model: 'percentage',
              rate: '1.4',
              fixedFeePerTransaction: '25',
              minPerTransaction: '30',
              freeTransactions: '5',
            },
          },
        ],
      },
    });
    expect(plan.statusCode).toBe(201);
    const response = await subscribe(api, { customerId, planCode: 'payments' });
    expect(response.statusCode).toBe(201);
    expect(started).toHaveLength(1);
    // The headline price is the advance part: the €19.00 base; the cards line is €0.00.
    const [input] = started[0]!.options.args as [{ price: unknown }];
    expect(input.price).toEqual({ amount: 1900, currency: 'EUR' });
  });
});

describe('reading and operating a subscription', () => {
  let id: string;
  beforeAll(async () => {
    const response = await subscribe(api, {
      customerId,
      planCode: 'pro',
      startAt: '2027-01-15T09:00:00Z',
    });
    id = response.json<{ id: string }>().id;
  });

  test('GET merges the workflow’s live state into the row', async () => {
    script.query = () => Promise.resolve(state({ subscriptionId: id, invoicesIssued: 3 }));
    const response = await api.request({ method: 'GET', url: `/v1/subscriptions/${id}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id,
      status: 'active',
      currentPeriod: { start: '2027-01-15T09:00:00.000Z', end: '2027-02-15T09:00:00.000Z' },
      nextBillingAt: '2027-02-15T09:00:00.000Z',
      invoicesIssued: 3,
    });
    expect(handles).toEqual([`subscription-${id}`]);
  });

  test('GET answers from the database when the workflow is gone', async () => {
    script.query = () =>
      Promise.reject(new WorkflowNotFoundError('not found', `subscription-${id}`, undefined));
    const response = await api.request({ method: 'GET', url: `/v1/subscriptions/${id}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id, status: 'active', invoicesIssued: 0 });
  });

  test('GET is a 503 when Temporal is unreachable, and a 404 for an unknown id', async () => {
    script.query = () => Promise.reject(new ServiceError('Failed to query Workflow'));
    expect((await api.request({ method: 'GET', url: `/v1/subscriptions/${id}` })).statusCode).toBe(
      503,
    );
    expect(
      (await api.request({ method: 'GET', url: '/v1/subscriptions/sub_missing' })).statusCode,
    ).toBe(404);
  });

  test('pause sends the update with the caller as actor and returns the new state', async () => {
    const calls: { name: string; arg: unknown }[] = [];
    script.update = (name, arg) => {
      calls.push({ name, arg });
      return Promise.resolve(
        state({
          status: 'paused',
          currentPeriod: null,
          nextBillingAt: null,
          pausedAt: '2027-01-20T00:00:00.000Z',
        }),
      );
    };
    const response = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/pause`,
      payload: { reason: 'customer asked' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id,
      status: 'paused',
      currentPeriod: null,
      nextBillingAt: null,
      pausedAt: '2027-01-20T00:00:00.000Z',
    });
    expect(calls).toEqual([
      { name: 'pause', arg: { actor: api.apiKey.id, reason: 'customer asked' } },
    ]);
  });

  test('resume defaults to keeping the anchor; cancel sends its reason', async () => {
    const calls: { name: string; arg: unknown }[] = [];
    script.update = (name, arg) => {
      calls.push({ name, arg });
      return Promise.resolve(state({ status: name === 'cancel' ? 'canceled' : 'active' }));
    };
    expect(
      (await api.request({ method: 'POST', url: `/v1/subscriptions/${id}/resume` })).statusCode,
    ).toBe(200);
    expect(
      (
        await api.request({
          method: 'POST',
          url: `/v1/subscriptions/${id}/resume`,
          payload: { anchor: 'reset' },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await api.request({
          method: 'POST',
          url: `/v1/subscriptions/${id}/cancel`,
          payload: { reason: 'churn' },
        })
      ).json(),
    ).toMatchObject({
      status: 'canceled',
    });
    expect(calls).toEqual([
      { name: 'resume', arg: { actor: api.apiKey.id, anchor: 'keep' } },
      { name: 'resume', arg: { actor: api.apiKey.id, anchor: 'reset' } },
      { name: 'cancel', arg: { actor: api.apiKey.id, cancelAt: 'now', reason: 'churn' } },
    ]);
  });

  test('a transition the workflow rejects is a 409 carrying its message', async () => {
    script.update = () =>
      Promise.reject(
        new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.create({
            type: INVALID_TRANSITION,
            message: 'cannot pause a paused subscription',
            nonRetryable: true,
          }),
        ),
      );
    const response = await api.request({ method: 'POST', url: `/v1/subscriptions/${id}/pause` });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      type: '/problems/conflict',
      detail: 'cannot pause a paused subscription',
    });
  });

  test('an ended workflow is a 409 "canceled"; Temporal down is a 503; unknown id a 404', async () => {
    script.update = () =>
      Promise.reject(
        new WorkflowNotFoundError(
          'workflow execution already completed',
          `subscription-${id}`,
          undefined,
        ),
      );
    const ended = await api.request({ method: 'POST', url: `/v1/subscriptions/${id}/resume` });
    expect(ended.statusCode).toBe(409);
    expect(ended.json<{ detail: string }>().detail).toMatch(/canceled/);

    script.update = () => Promise.reject(new ServiceError('Workflow Update failed'));
    expect(
      (await api.request({ method: 'POST', url: `/v1/subscriptions/${id}/cancel` })).statusCode,
    ).toBe(503);

    expect(
      (await api.request({ method: 'POST', url: '/v1/subscriptions/sub_missing/cancel' }))
        .statusCode,
    ).toBe(404);
  });

  test('lists subscriptions of a customer from the database', async () => {
    const response = await api.request({
      method: 'GET',
      url: `/v1/subscriptions?customerId=${customerId}`,
    });
    expect(response.statusCode).toBe(200);
    const page = response.json<{ data: { id: string; customerId: string }[]; hasMore: boolean }>();
    expect(page.data.map((s) => s.id)).toContain(id);
    expect(page.data.every((s) => s.customerId === customerId)).toBe(true);
    const none = await api.request({
      method: 'GET',
      url: `/v1/subscriptions?customerId=${usdCustomerId}`,
    });
    expect(none.json()).toEqual({ data: [], hasMore: false });
  });
});

describe('temporalProblem', () => {
  test('maps Temporal failures to problems', () => {
    const status = (error: unknown) => temporalProblem(error)?.status;
    expect(
      status(
        new WorkflowUpdateFailedError(
          'x',
          ApplicationFailure.create({ type: INVALID_TRANSITION, message: 'no' }),
        ),
      ),
    ).toBe(409);
    expect(status(new WorkflowNotFoundError('gone', 'w', undefined))).toBe(409);
    expect(
      status(new ServiceError('x', { cause: new Error('workflow execution already completed') })),
    ).toBe(409);
    expect(status(new ServiceError('unavailable'))).toBe(503);
    expect(status(new WorkflowUpdateRPCTimeoutOrCancelledError('timeout'))).toBe(503);
    const bug = new WorkflowUpdateFailedError(
      'x',
      ApplicationFailure.create({ type: 'TypeError', message: 'oops' }),
    );
    expect(temporalProblem(bug)).toBeUndefined();
    expect(temporalProblem(new TypeError('ours'))).toBeUndefined();
  });
});
