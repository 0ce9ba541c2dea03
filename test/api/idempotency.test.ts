// Idempotency-Key on POST: replay, mismatch, concurrency, in-flight and 5xx release.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { canonicalJson, requestBodyHash } from '../../api/plugins/idempotency.ts';
import { createApiKey } from '../../db/repositories/api-keys.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let api: ApiHarness;
beforeAll(async () => {
  api = await createApiHarness();
});
afterAll(async () => {
  await api?.close();
});

let n = 0;
let key: string;
beforeEach(() => {
  key = `key-${++n}-${Date.now()}`;
});

function customer(name = 'Grace Hopper') {
  return {
    name,
    email: 'grace@example.com',
    currency: 'USD',
    country: 'US',
    address: { region: 'CA' },
    timezone: 'America/New_York',
    locale: 'en-US',
  };
}

async function customersNamed(name: string) {
  return api.db.selectFrom('customers').selectAll().where('name', '=', name).execute();
}

describe('canonical request hash', () => {
  test('ignores key order at every depth, not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,2]},"b":1}',
    );
    expect(requestBodyHash({ a: 1, b: { c: 2, d: 3 } })).toBe(
      requestBodyHash({ b: { d: 3, c: 2 }, a: 1 }),
    );
    expect(requestBodyHash({ a: [1, 2] })).not.toBe(requestBodyHash({ a: [2, 1] }));
  });
});

describe('Idempotency-Key', () => {
  test('the same request is replayed: same status and body, one row', async () => {
    const post = () =>
      api.request({
        method: 'POST',
        url: '/v1/customers',
        payload: customer('Replay'),
        headers: { 'idempotency-key': key },
      });
    const first = await post();
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const second = await post();
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['content-type']).toMatch(/^application\/json/);
    expect(second.json()).toEqual(first.json());
    expect(await customersNamed('Replay')).toHaveLength(1);
  });

  test('key order in the body does not matter', async () => {
    const body = customer('Reordered');
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const first = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: body,
      headers: { 'idempotency-key': key },
    });
    const second = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: reordered,
      headers: { 'idempotency-key': key },
    });
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
  });

  test('the same key with a different body is a 409', async () => {
    await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('Mismatch A'),
      headers: { 'idempotency-key': key },
    });
    const other = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('Mismatch B'),
      headers: { 'idempotency-key': key },
    });
    expect(other.statusCode).toBe(409);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.json()).toMatchObject({ type: '/problems/idempotency-key-reused', status: 409 });
    expect(await customersNamed('Mismatch B')).toHaveLength(0);
  });

  test('the same key on another path is a 409', async () => {
    await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('Path'),
      headers: { 'idempotency-key': key },
    });
    const other = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: { code: 'path-plan', name: 'Path', currency: 'USD', interval: 'month', amount: 100 },
      headers: { 'idempotency-key': key },
    });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ type: '/problems/idempotency-key-reused' });
  });

  test('error responses are replayed too (a 409 duplicate plan stays a 409)', async () => {
    const plan = { code: `dup-${n}`, name: 'Dup', currency: 'USD', interval: 'month', amount: 100 };
    expect(
      (await api.request({ method: 'POST', url: '/v1/plans', payload: plan })).statusCode,
    ).toBe(201);
    const first = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: plan,
      headers: { 'idempotency-key': key },
    });
    expect(first.statusCode).toBe(409);
    const replay = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: plan,
      headers: { 'idempotency-key': key },
    });
    expect(replay.statusCode).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(replay.json()).toEqual(first.json());
  });

  test('keys are scoped per API key', async () => {
    const other = await createApiKey(api.db, 'other tenant');
    const mine = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('Scoped'),
      headers: { 'idempotency-key': key },
    });
    const theirs = await api.app.inject({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('Scoped'),
      headers: { authorization: `Bearer ${other.key}`, 'idempotency-key': key },
    });
    expect(mine.statusCode).toBe(201);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(await customersNamed('Scoped')).toHaveLength(2);
  });

  test('concurrent requests with one key: one runs, no duplicate rows', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.request({
          method: 'POST',
          url: '/v1/customers',
          payload: customer('Concurrent'),
          headers: { 'idempotency-key': key },
        }),
      ),
    );
    const original = responses.filter(
      (r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined,
    );
    expect(original).toHaveLength(1);
    for (const response of responses) {
      if (response.statusCode === 201) {
        expect(response.json()).toEqual(original[0]!.json());
      } else {
        expect(response.statusCode).toBe(409);
        expect(response.json()).toMatchObject({ type: '/problems/request-in-progress' });
      }
    }
    expect(await customersNamed('Concurrent')).toHaveLength(1);
  });

  test('a key whose request is still running answers 409 request in progress', async () => {
    await api.db
      .insertInto('idempotency_keys')
      .values({
        api_key_id: api.apiKey.id,
        key,
        method: 'POST',
        path: '/v1/customers',
        request_hash: requestBodyHash(customer('In flight')),
      })
      .execute();
    const response = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('In flight'),
      headers: { 'idempotency-key': key },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ type: '/problems/request-in-progress' });
    expect(await customersNamed('In flight')).toHaveLength(0);
  });

  test('a claim abandoned long ago is taken over by the same request', async () => {
    await api.db
      .insertInto('idempotency_keys')
      .values({
        api_key_id: api.apiKey.id,
        key,
        method: 'POST',
        path: '/v1/customers',
        request_hash: requestBodyHash(customer('Abandoned')),
        created_at: new Date(Date.now() - 10 * 60_000),
      })
      .execute();
    const response = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('Abandoned'),
      headers: { 'idempotency-key': key },
    });
    expect(response.statusCode).toBe(201);
    expect(await customersNamed('Abandoned')).toHaveLength(1);
  });

  test('a 5xx is not stored: the key is released for a retry', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('Five hundred'),
    });
    await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: { code: `p500-${n}`, name: 'P', currency: 'USD', interval: 'month', amount: 100 },
    });
    const subscribe = () =>
      api.request({
        method: 'POST',
        url: '/v1/subscriptions',
        payload: { customerId: created.json<{ id: string }>().id, planCode: `p500-${n}` },
        headers: { 'idempotency-key': key },
      });
    const first = await subscribe(); // Temporal is unreachable in these tests
    expect(first.statusCode).toBe(503);
    const stored = await api.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('key', '=', key)
      .execute();
    expect(stored).toEqual([]);
    const retry = await subscribe();
    expect(retry.statusCode).toBe(503);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  test('a request that fails validation does not use up its key', async () => {
    const bad = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: { ...customer('Fixed'), email: 'typo' },
      headers: { 'idempotency-key': key },
    });
    expect(bad.statusCode).toBe(400);
    const fixed = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('Fixed'),
      headers: { 'idempotency-key': key },
    });
    expect(fixed.statusCode).toBe(201);
  });

  test('an over-long key is a 400 naming the header', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: customer('Long key'),
      headers: { 'idempotency-key': 'k'.repeat(256) },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ field: 'idempotency-key' }] });
  });

  test('GET requests ignore the header', async () => {
    const response = await api.request({
      method: 'GET',
      url: '/v1/customers',
      headers: { 'idempotency-key': key },
    });
    expect(response.statusCode).toBe(200);
    expect(
      await api.db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).execute(),
    ).toEqual([]);
  });
});
