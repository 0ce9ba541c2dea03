// POST /v1/events and the metrics API over Fastify inject on real PostgreSQL: idempotency by
// transaction id (in a batch, across batches, concurrently, after a crash), partial batches,
// numbers that must stay exact, and both late-event policies.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { lateEventsPolicyFromEnv } from '../../config/index.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeUsageThrough, recordUsageEvents } from '../../db/repositories/usage.ts';
import { aggregateUsage } from '../../db/repositories/usage-aggregation.ts';
import type { BillableMetric } from '../../domain/catalog/metrics.ts';
import { createApiHarness, unreachableTemporal, type ApiHarness } from '../support/api-harness.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';
import { newMetric } from '../support/builders/usage.ts';

let api: ApiHarness;
beforeAll(async () => {
  api = await createApiHarness();
});
afterAll(async () => {
  await api?.close();
});

interface IngestBody {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: {
    index: number;
    transactionId: string | null;
    status: string;
    billingTimestamp?: string;
  }[];
  errors: { index: number; field: string; message: string }[];
}

const NOV = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };

let seq = 0;
const txId = () => `tx-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

function send(
  payload: unknown,
  headers: Record<string, string> = {},
  request: (options: InjectOptions) => Promise<LightMyRequestResponse> = (options) =>
    api.request(options),
) {
  return request({ method: 'POST', url: '/v1/events', payload: payload as object, headers });
}

async function fixture(aggregation: BillableMetric['aggregation'] = 'sum', field = 'gb') {
  const metric = await newMetric(api.db, aggregation, aggregation === 'count' ? undefined : field);
  const { customerId, subscriptionId } = await newSubscribedCustomer(api.db);
  const total = () => aggregateUsage(api.db, { customerId, metric, ...NOV });
  const event = (overrides: Record<string, unknown> = {}) => ({
    transactionId: txId(),
    customerId,
    metricCode: metric.code,
    timestamp: '2026-11-10T10:00:00Z',
    properties: { [field]: 1 },
    ...overrides,
  });
  return { metric, customerId, subscriptionId, total, event };
}

describe('metrics API', () => {
  test('create, read, list', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/metrics',
      payload: { code: 'storage_gb', name: 'Storage', aggregation: 'weighted_sum', field: 'gb' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      code: 'storage_gb',
      name: 'Storage',
      aggregation: 'weighted_sum',
      field: 'gb',
      createdAt: expect.stringMatching(/Z$/) as string,
    });
    const count = await api.request({
      method: 'POST',
      url: '/v1/metrics',
      payload: { code: 'api_calls', name: 'API calls', aggregation: 'count' },
    });
    expect(count.json()).toMatchObject({ code: 'api_calls', field: null });
    const read = await api.request({ method: 'GET', url: '/v1/metrics/storage_gb' });
    expect(read.json()).toEqual(created.json());
    const list = await api.request({ method: 'GET', url: '/v1/metrics?limit=100' });
    const codes = list.json<{ data: { code: string }[] }>().data.map((m) => m.code);
    expect(codes).toEqual(expect.arrayContaining(['storage_gb', 'api_calls']));
    const missing = await api.request({ method: 'GET', url: '/v1/metrics/nope' });
    expect(missing.statusCode).toBe(404);
  });

  test('a taken code is a 409', async () => {
    const payload = { code: 'dup_metric', name: 'x', aggregation: 'count' };
    expect((await api.request({ method: 'POST', url: '/v1/metrics', payload })).statusCode).toBe(
      201,
    );
    const again = await api.request({ method: 'POST', url: '/v1/metrics', payload });
    expect(again.statusCode).toBe(409);
  });

  test.each([
    [{ code: 'a1', name: 'x', aggregation: 'median', field: 'v' }, 'aggregation'],
    [{ code: 'a2', name: 'x', aggregation: 'sum' }, 'field'],
    [{ code: 'a3', name: 'x', aggregation: 'count', field: 'v' }, 'field'],
    [{ code: 'Not A Slug', name: 'x', aggregation: 'count' }, 'code'],
    [{ code: 'a4', name: 'x', aggregation: 'max', field: 'a.b' }, 'field'],
  ])('%j is a 400 naming %s', async (payload, field) => {
    const response = await api.request({ method: 'POST', url: '/v1/metrics', payload });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ errors: { field: string }[] }>().errors).toContainEqual(
      expect.objectContaining({ field }),
    );
  });

  test('401 without a key', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/metrics' });
    expect(response.statusCode).toBe(401);
  });
});

describe('POST /v1/events: one event', () => {
  test('is accepted, then acknowledged as a duplicate and counted once', async () => {
    const { event, total } = await fixture();
    const body = event({ properties: { gb: '2.5' } });
    const first = await send(body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: 0,
      results: [{ index: 0, transactionId: body.transactionId, status: 'accepted' }],
      errors: [],
    });
    const again = await send({ ...body, properties: { gb: '100' } });
    expect(again.statusCode).toBe(200);
    expect(again.json<IngestBody>().results[0]!.status).toBe('duplicate');
    expect(await total()).toBe('2.5');
  });

  test('a subscription stands for its customer, and shares its transaction ids', async () => {
    const { event, subscriptionId, total } = await fixture();
    const body = event();
    expect((await send(body)).json<IngestBody>().accepted).toBe(1);
    const viaSubscription = { ...body, customerId: undefined, subscriptionId };
    expect((await send(viaSubscription)).json<IngestBody>().duplicates).toBe(1);
    expect(
      (await send({ ...viaSubscription, transactionId: txId() })).json<IngestBody>().accepted,
    ).toBe(1);
    expect(await total()).toBe('2');
  });

  test.each([
    ['no transactionId', { transactionId: undefined }, 'transactionId', 400],
    ['both customer and subscription', { subscriptionId: 'sub_x' }, 'subscriptionId', 400],
    ['a bad timestamp', { timestamp: '10/11/2026' }, 'timestamp', 400],
    ['an unknown property', { quantity: 3 }, 'quantity', 400],
    ['an unknown customer', { customerId: 'cus_nope' }, 'customerId', 422],
    ['an unknown metric', { metricCode: 'no-such-metric' }, 'metricCode', 422],
    ['the field missing', { properties: {} }, 'properties.gb', 422],
    ['a float', { properties: { gb: 0.1 } }, 'properties.gb', 422],
    ['a non-numeric string', { properties: { gb: 'ten' } }, 'properties.gb', 422],
    ['an exponent', { properties: { gb: '1e3' } }, 'properties.gb', 422],
    ['an unsafe integer', { properties: { gb: 2 ** 53 + 2 } }, 'properties.gb', 422],
  ])('%s is a problem naming the field', async (_name, overrides, field, status) => {
    const { event, total } = await fixture();
    const response = await send(event(overrides));
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ errors: { field: string }[] }>().errors).toContainEqual(
      expect.objectContaining({ field }),
    );
    expect(await total()).toBe('0');
  });

  test('an unknown subscription is a 422 naming subscriptionId', async () => {
    const { event } = await fixture();
    const response = await send(event({ customerId: undefined, subscriptionId: 'sub_nope' }));
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors: [{ field: 'subscriptionId' }] });
  });

  test('decimal strings stay exact: 0.1 + 0.2 is 0.3', async () => {
    const { event, total } = await fixture();
    await send(event({ properties: { gb: '0.1' } }));
    await send(event({ properties: { gb: '0.2' } }));
    await send(event({ properties: { gb: 9007199254740991 } }));
    expect(await total()).toBe('9007199254740991.3');
  });

  test('unique_count takes strings or integers; count needs no properties', async () => {
    const unique = await fixture('unique_count', 'user');
    for (const user of ['ana', 'bob', 'ana', 7, '7'])
      await send(unique.event({ properties: { user } }));
    expect(await unique.total()).toBe('3');
    const counted = await fixture('count');
    await send(counted.event({ properties: undefined }));
    expect(await counted.total()).toBe('1');
  });

  test('401 without a key', async () => {
    const { event } = await fixture();
    const response = await api.app.inject({ method: 'POST', url: '/v1/events', payload: event() });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBeDefined();
  });
});

describe('POST /v1/events: batches', () => {
  test('a partial failure stores the valid events and reports the others by index', async () => {
    const { event, total } = await fixture();
    const events = [
      event({ properties: { gb: 1 } }),
      event({ customerId: 'cus_nope' }),
      event({ properties: { gb: '2' } }),
      { transactionId: 5 },
      event({ properties: { gb: 0.5 } }),
      event({ metricCode: 'unknown-metric' }),
      event({ properties: { gb: '4' } }),
    ];
    const response = await send({ events });
    expect(response.statusCode).toBe(207);
    const body = response.json<IngestBody>();
    expect(body).toMatchObject({ accepted: 3, duplicates: 0, rejected: 4 });
    expect(body.results.map((r) => r.status)).toEqual([
      'accepted',
      'rejected',
      'accepted',
      'rejected',
      'rejected',
      'rejected',
      'accepted',
    ]);
    expect(body.results[3]).toEqual({ index: 3, transactionId: null, status: 'rejected' });
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, field: 'events[1].customerId' }),
        expect.objectContaining({ index: 3, field: 'events[3].transactionId' }),
        expect.objectContaining({ index: 3, field: 'events[3].metricCode' }),
        expect.objectContaining({ index: 4, field: 'events[4].properties.gb' }),
        expect.objectContaining({ index: 5, field: 'events[5].metricCode' }),
      ]),
    );
    expect(body.errors.map((e) => e.index)).toEqual([...body.errors.map((e) => e.index)].sort());
    expect(await total()).toBe('7');
  });

  test('a repeated transaction id in one batch is stored once, the repeat a duplicate', async () => {
    const { event, subscriptionId, total } = await fixture();
    const a = event({ properties: { gb: 1 } });
    const response = await send({
      events: [
        a,
        event({ properties: { gb: 2 } }),
        { ...a, properties: { gb: 50 } },
        { ...a, customerId: undefined, subscriptionId }, // the same customer, through its subscription
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<IngestBody>().results.map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
      'duplicate',
      'duplicate',
    ]);
    expect(await total()).toBe('3');
  });

  test('the same ids across batches are duplicates; new ones in the batch are stored', async () => {
    const { event, total } = await fixture();
    const first = Array.from({ length: 10 }, () => event());
    expect((await send({ events: first })).json<IngestBody>().accepted).toBe(10);
    const second = [...first.slice(5), ...Array.from({ length: 5 }, () => event())];
    const body = (await send({ events: second })).json<IngestBody>();
    expect(body).toMatchObject({ accepted: 5, duplicates: 5, rejected: 0 });
    expect(await total()).toBe('15');
  });

  test('a batch resent after a crash (no Idempotency-Key) counts once', async () => {
    const { event, total } = await fixture();
    const events = Array.from({ length: 100 }, (_, i) => event({ properties: { gb: i } }));
    // The client never saw the first answer (it "crashed") and resends the same batch.
    await send({ events });
    const retry = await send({ events });
    expect(retry.statusCode).toBe(200);
    expect(retry.json<IngestBody>()).toMatchObject({ accepted: 0, duplicates: 100 });
    expect(await total()).toBe(String((99 * 100) / 2));
  });

  test('with an Idempotency-Key the first answer is replayed whole', async () => {
    const { event } = await fixture();
    const payload = { events: [event(), event({ customerId: 'cus_nope' })] };
    const headers = { 'idempotency-key': `batch-${txId()}` };
    const first = await send(payload, headers);
    const replay = await send(payload, headers);
    expect(replay.statusCode).toBe(207);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(first.body);
  });

  test('20 concurrent requests with the same transaction id store and count it once', async () => {
    const { event, customerId, total } = await fixture();
    const body = event({ properties: { gb: '3.5' } });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(i % 2 === 0 ? body : { events: [body, event({ properties: { gb: 0 } })] }),
      ),
    );
    const statuses = responses.map((r) => r.json<IngestBody>().results[0]!.status);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(19);
    const stored = await api.db
      .selectFrom('usage_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_id', '=', customerId)
      .where('transaction_id', '=', body.transactionId)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(1);
    expect(await total()).toBe('3.5');
  });

  test('more than 1,000 events is a 400 naming events, and stores nothing', async () => {
    const { event, total } = await fixture();
    const response = await send({ events: Array.from({ length: 1001 }, () => event()) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ field: 'events' }] });
    expect(await total()).toBe('0');
    const empty = await send({ events: [] });
    expect(empty.statusCode).toBe(400);
    const extra = await send({ events: [event()], dryRun: true });
    expect(extra.json()).toMatchObject({ errors: [{ field: 'dryRun' }] });
  });

  test('exactly 1,000 events are accepted', async () => {
    const { event, total } = await fixture('count');
    const response = await send({
      events: Array.from({ length: 1000 }, () => event({ properties: undefined })),
    });
    expect(response.json<IngestBody>().accepted).toBe(1000);
    expect(await total()).toBe('1000');
  });
});

describe('late events', () => {
  /** A second app on the same database, configured to carry late events forward. */
  async function carryForwardApi() {
    const temporal = unreachableTemporal();
    const app = await buildApp({
      db: api.db,
      temporal,
      config: { publicBaseUrl: 'http://localhost:3000', lateEvents: 'carry_forward' },
    });
    await app.ready();
    const request = (opts: InjectOptions): Promise<LightMyRequestResponse> =>
      app.inject({
        ...opts,
        headers: { authorization: `Bearer ${api.apiKey.key}`, ...opts.headers },
      });
    return {
      request,
      close: async () => {
        await app.close();
        await temporal.connection.close();
      },
    };
  }

  test('reject (the default): an event in an invoiced period is a 422 and not stored', async () => {
    const { event, subscriptionId, total } = await fixture();
    const inTime = event({ timestamp: '2026-11-20T00:00:00Z' });
    expect((await send(inTime)).statusCode).toBe(200);
    await closeUsageThrough(api.db, subscriptionId, NOV.to);

    const late = await send(event({ timestamp: '2026-11-25T00:00:00Z' }));
    expect(late.statusCode).toBe(422);
    expect(late.json()).toMatchObject({
      errors: [
        {
          field: 'timestamp',
          message: expect.stringContaining('2026-12-01T00:00:00.000Z') as string,
        },
      ],
    });
    // In a batch: per index; events in the open period still go in.
    const batch = await send({
      events: [
        event({ timestamp: '2026-11-30T23:59:59Z' }),
        event({ timestamp: '2026-12-01T00:00:00Z' }),
      ],
    });
    expect(batch.statusCode).toBe(207);
    expect(batch.json<IngestBody>().errors).toEqual([
      expect.objectContaining({ index: 0, field: 'events[0].timestamp' }),
    ]);
    // A resend of an event stored before the period closed is still a duplicate, not an error.
    const resend = await send(inTime);
    expect(resend.statusCode).toBe(200);
    expect(resend.json<IngestBody>().duplicates).toBe(1);
    expect(await total()).toBe('1');
  });

  test('carry_forward: stored, and counted in the first open period', async () => {
    const carry = await carryForwardApi();
    try {
      const { event, subscriptionId, metric, customerId, total } = await fixture();
      await closeUsageThrough(api.db, subscriptionId, NOV.to);
      const late = event({ timestamp: '2026-11-25T00:00:00Z', properties: { gb: 4 } });
      const response = await send(
        { events: [late, event({ timestamp: '2026-12-02T00:00:00Z' })] },
        {},
        carry.request,
      );
      expect(response.statusCode).toBe(200);
      expect(response.json<IngestBody>().results[0]).toEqual({
        index: 0,
        transactionId: late.transactionId,
        status: 'accepted',
        billingTimestamp: '2026-12-01T00:00:00.000Z',
      });
      expect(response.json<IngestBody>().results[1]).not.toHaveProperty('billingTimestamp');
      expect(await total()).toBe('0'); // November stays as invoiced
      const december = await aggregateUsage(api.db, {
        customerId,
        metric,
        from: NOV.to,
        to: new Date('2027-01-01T00:00:00Z'),
      });
      expect(december).toBe('5');
      const row = await api.db
        .selectFrom('usage_events')
        .select(['timestamp', 'billing_timestamp'])
        .where('transaction_id', '=', late.transactionId)
        .executeTakeFirstOrThrow();
      expect(row.timestamp.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    } finally {
      await carry.close();
    }
  });

  test('closing waits for a batch in flight, and a batch held back by a close sees it', async () => {
    const { customerId, subscriptionId, metric } = await fixture();
    const input = (timestamp: string) => ({
      customerId,
      transactionId: txId(),
      metricCode: metric.code,
      timestamp,
      properties: { gb: '1' },
      value: '1',
    });
    const pending = async (promise: Promise<unknown>) =>
      Promise.race([promise.then(() => 'settled'), sleep(300).then(() => 'pending')]);

    // 1. A batch in flight (not committed) read the old boundary: closing waits for it, so the
    //    event is in the table before the period can be aggregated.
    let close: Promise<Date | undefined> | undefined;
    await api.db.transaction().execute(async (trx) => {
      const [outcome] = await recordUsageEvents(trx, [input('2026-11-20T00:00:00Z')], 'reject');
      expect(outcome!.status).toBe('accepted');
      close = closeUsageThrough(api.db, subscriptionId, NOV.to);
      expect(await pending(close)).toBe('pending');
    });
    expect(await close).toEqual(NOV.to);
    expect(await aggregateUsage(api.db, { customerId, metric, ...NOV })).toBe('1');

    // 2. A batch sent while a close is not yet committed waits for it, then sees the new
    //    boundary (its statement snapshot is taken after the close committed).
    const { subscriptionId: other, customerId: otherCustomer } = await newSubscribedCustomer(
      api.db,
    );
    let batch: Promise<unknown> | undefined;
    await api.db.transaction().execute(async (trx) => {
      await closeUsageThrough(trx, other, NOV.to);
      batch = recordUsageEvents(
        api.db,
        [{ ...input('2026-11-25T00:00:00Z'), customerId: otherCustomer }],
        'reject',
      );
      expect(await pending(batch)).toBe('pending');
    });
    expect(await batch).toEqual([
      { status: 'period-closed', customerId: otherCustomer, closedThrough: NOV.to },
    ]);
  });

  test('closing never moves backwards; the policy comes from BILLWRIGHT_LATE_EVENTS', async () => {
    const { subscriptionId } = await fixture();
    expect(await closeUsageThrough(api.db, subscriptionId, NOV.to)).toEqual(NOV.to);
    expect(await closeUsageThrough(api.db, subscriptionId, NOV.from)).toEqual(NOV.to);
    expect(lateEventsPolicyFromEnv({})).toBe('reject');
    expect(lateEventsPolicyFromEnv({ BILLWRIGHT_LATE_EVENTS: 'carry_forward' })).toBe(
      'carry_forward',
    );
    expect(() => lateEventsPolicyFromEnv({ BILLWRIGHT_LATE_EVENTS: 'drop' })).toThrow(/reject/);
  });
});
