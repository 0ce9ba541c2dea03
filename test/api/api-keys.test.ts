// API keys and abuse limits through the API on real PostgreSQL: scopes per route, the keys API
// (create, list, revoke, rotate with an overlap), the audit trail, rate limits answering 429
// with Retry-After, the negative cache of unknown keys, CORS and security headers, and the
// pagination of lists that had none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCache } from '../../api/plugins/auth.ts';
import { createApiKey, findActiveApiKey, type ApiScope } from '../../db/repositories/api-keys.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

interface Problem {
  type: string;
  status: number;
  detail: string;
}

const customer = {
  name: 'Initech',
  email: 'ap@initech.test',
  currency: 'EUR',
  country: 'FR',
  timezone: 'Europe/Paris',
  locale: 'fr-FR',
};

const policy = {
  beforeDue: { daysBefore: 3 },
  reminders: [{ daysAfterDue: 1, tone: 'gentle' }],
  finalNotice: { daysAfterDue: 14, consequence: 'Your account will be paused.' },
  markUncollectibleAfterDays: 30,
  escalation: [
    { daysAfterDue: 1, action: 'past_due' },
    { daysAfterDue: 30, action: 'pause' },
  ],
  sendWindow: { start: '09:00', end: '17:00', weekdaysOnly: true },
};

describe('scopes and the keys API', () => {
  let api: ApiHarness;
  const keys: Partial<Record<ApiScope, string>> = {};
  beforeAll(async () => {
    api = await createApiHarness();
    for (const scope of ['read', 'write'] as const)
      keys[scope] = (await createApiKey(api.db, scope, [scope])).key;
  });
  afterAll(async () => api?.close());

  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  it('a read key reads but cannot change anything (403 naming write)', async () => {
    const list = await api.request({
      method: 'GET',
      url: '/v1/customers',
      headers: as(keys.read!),
    });
    expect(list.statusCode).toBe(200);
    const post = await api.request({
      method: 'POST',
      url: '/v1/customers',
      headers: as(keys.read!),
      payload: customer,
    });
    expect(post.statusCode).toBe(403);
    expect(post.headers['content-type']).toContain('application/problem+json');
    expect(post.json<Problem>()).toMatchObject({ type: '/problems/forbidden', status: 403 });
    expect(post.json<Problem>().detail).toContain('"write"');
  });

  it('a write key changes billing but cannot touch test clocks or keys (403 naming admin)', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/customers',
      headers: as(keys.write!),
      payload: customer,
    });
    expect(created.statusCode).toBe(201);
    const clock = await api.request({
      method: 'POST',
      url: '/v1/test-clocks',
      payload: { frozenTime: '2027-03-01T08:00:00Z' },
    });
    expect(clock.statusCode).toBe(201);
    const id = clock.json<{ id: string }>().id;
    for (const [method, url] of [
      ['DELETE', `/v1/test-clocks/${id}`],
      ['POST', '/v1/test-clocks'],
      ['GET', '/v1/api-keys'],
      ['GET', '/v1/audit-events'],
    ] as const) {
      const refused = await api.request({
        method,
        url,
        headers: as(keys.write!),
        ...(method === 'POST' && { payload: { frozenTime: '2027-03-01T08:00:00Z' } }),
      });
      expect(refused.statusCode, `${method} ${url}`).toBe(403);
      expect(refused.json<Problem>().detail).toContain('"admin"');
    }
    const read = await api.request({
      method: 'GET',
      url: `/v1/test-clocks/${id}`,
      headers: as(keys.write!),
    });
    expect(read.statusCode).toBe(200);
  });

  it('creates a key whose secret is shown once; lists keys without secrets', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      payload: { name: 'reporting', scopes: ['read'] },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ key: string; apiKey: { id: string; scopes: string[] } }>();
    expect(body.key).toMatch(/^bw_live_/);
    expect(body.apiKey).toMatchObject({ scopes: ['read'], createdBy: api.apiKey.id });
    const works = await api.request({ method: 'GET', url: '/v1/plans', headers: as(body.key) });
    expect(works.statusCode).toBe(200);
    const list = await api.request({ method: 'GET', url: '/v1/api-keys' });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(body.key);
    expect(list.body).not.toContain('hash');
    expect(list.json<{ data: { id: string }[] }>().data.map((k) => k.id)).toContain(body.apiKey.id);
    const bad = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      payload: { name: 'x', scopes: ['root'] },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('revocation works at once', async () => {
    const { id, key } = await createApiKey(api.db, 'leaked', ['read']);
    expect(
      (await api.request({ method: 'GET', url: '/v1/plans', headers: as(key) })).statusCode,
    ).toBe(200);
    const revoked = await api.request({ method: 'POST', url: `/v1/api-keys/${id}/revoke` });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
    expect(
      (await api.request({ method: 'GET', url: '/v1/plans', headers: as(key) })).statusCode,
    ).toBe(401);
    const again = await api.request({ method: 'POST', url: `/v1/api-keys/${id}/revoke` });
    expect(again.statusCode).toBe(409);
    const unknown = await api.request({ method: 'POST', url: '/v1/api-keys/key_nope/revoke' });
    expect(unknown.statusCode).toBe(404);
  });

  it('rotation: the old secret works through the overlap, then stops; none without overlap', async () => {
    const { id, key: old } = await createApiKey(api.db, 'rotating', ['read']);
    const rotated = await api.request({
      method: 'POST',
      url: `/v1/api-keys/${id}/rotate`,
      payload: { overlapHours: 1 },
    });
    expect(rotated.statusCode).toBe(200);
    const { key: fresh, apiKey } = rotated.json<{
      key: string;
      apiKey: { id: string; previousSecretExpiresAt: string };
    }>();
    expect(apiKey.id).toBe(id);
    expect(fresh).not.toBe(old);
    for (const key of [old, fresh])
      expect(
        (await api.request({ method: 'GET', url: '/v1/plans', headers: as(key) })).statusCode,
      ).toBe(200);
    const later = new Date(Date.parse(apiKey.previousSecretExpiresAt) + 1000);
    expect(await findActiveApiKey(api.db, old, later)).toBeUndefined();
    expect(await findActiveApiKey(api.db, fresh, later)).toMatchObject({ id });

    const now = await api.request({
      method: 'POST',
      url: `/v1/api-keys/${id}/rotate`,
      payload: { overlapHours: 0 },
    });
    const newest = now.json<{ key: string }>().key;
    expect(
      (await api.request({ method: 'GET', url: '/v1/plans', headers: as(fresh) })).statusCode,
    ).toBe(401);
    expect(
      (await api.request({ method: 'GET', url: '/v1/plans', headers: as(old) })).statusCode,
    ).toBe(401);
    expect(
      (await api.request({ method: 'GET', url: '/v1/plans', headers: as(newest) })).statusCode,
    ).toBe(200);
  });

  it('records who changed what, with the operator named, once per change', async () => {
    const headers = { 'x-operator': 'alice@billing.test', 'idempotency-key': 'audit-1' };
    const first = await api.request({
      method: 'POST',
      url: '/v1/customers',
      headers,
      payload: customer,
    });
    const replay = await api.request({
      method: 'POST',
      url: '/v1/customers',
      headers,
      payload: customer,
    });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const id = first.json<{ id: string }>().id;
    const events = await api.request({ method: 'GET', url: `/v1/audit-events?resourceId=${id}` });
    expect(events.json<{ data: unknown[] }>().data).toEqual([
      expect.objectContaining({
        apiKeyId: api.apiKey.id,
        operator: 'alice@billing.test',
        action: 'POST /v1/customers',
        resourceId: id,
        status: 201,
      }),
    ]);
    const bad = await api.request({
      method: 'GET',
      url: '/v1/plans',
      headers: { 'x-operator': 'a\u0007b' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('paginates test clocks, dunning policies, keys and audit events', async () => {
    for (let i = 0; i < 3; i++) {
      await api.request({
        method: 'POST',
        url: '/v1/test-clocks',
        payload: { frozenTime: '2027-03-01T08:00:00Z', name: `clock ${i}` },
      });
    }
    const c1 = await api.request({ method: 'POST', url: '/v1/customers', payload: customer });
    const c2 = await api.request({ method: 'POST', url: '/v1/customers', payload: customer });
    for (const c of [c1, c2]) {
      const created = await api.request({
        method: 'POST',
        url: '/v1/dunning-policies',
        payload: { name: 'p', customerId: c.json<{ id: string }>().id, ...policy },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    for (const list of [
      '/v1/test-clocks',
      '/v1/dunning-policies',
      '/v1/api-keys',
      '/v1/audit-events',
    ]) {
      const first = await api.request({ method: 'GET', url: `${list}?limit=1` });
      expect(first.statusCode, list).toBe(200);
      const page1 = first.json<{ data: { id: string }[]; hasMore: boolean }>();
      expect(page1.data, list).toHaveLength(1);
      expect(page1.hasMore, list).toBe(true);
      const next = await api.request({
        method: 'GET',
        url: `${list}?limit=100&startingAfter=${page1.data[0]!.id}`,
      });
      const page2 = next.json<{ data: { id: string }[]; hasMore: boolean }>();
      expect(page2.data.length, list).toBeGreaterThanOrEqual(1);
      expect(
        page2.data.map((d) => d.id),
        list,
      ).not.toContain(page1.data[0]!.id);
      expect(page2.hasMore, list).toBe(false);
    }
    // A per-parent list: the coupons applied to a customer, in their own order, with a cursor.
    const customerId = c1.json<{ id: string }>().id;
    for (const code of ['first', 'second', 'third']) {
      await api.request({
        method: 'POST',
        url: '/v1/coupons',
        payload: {
          code,
          description: 'Launch offer',
          value: { type: 'percentage', percent: '10' },
          duration: { type: 'once' },
        },
      });
      const applied = await api.request({
        method: 'POST',
        url: `/v1/customers/${customerId}/coupons`,
        payload: { couponCode: code },
      });
      expect(applied.statusCode, applied.body).toBe(201);
    }
    type Applied = { data: { id: string; coupon: { code: string } }[]; hasMore: boolean };
    const url = `/v1/customers/${customerId}/coupons`;
    const p1 = (await api.request({ method: 'GET', url: `${url}?limit=2` })).json<Applied>();
    expect(p1.data.map((a) => a.coupon.code)).toEqual(['first', 'second']);
    expect(p1.hasMore).toBe(true);
    const after = p1.data[1]!.id;
    const p2 = (
      await api.request({ method: 'GET', url: `${url}?limit=2&startingAfter=${after}` })
    ).json<Applied>();
    expect(p2).toMatchObject({ data: [{ coupon: { code: 'third' } }], hasMore: false });
    const unknown = await api.request({ method: 'GET', url: `${url}?startingAfter=nope` });
    expect(unknown.json<Applied>()).toEqual({ data: [], hasMore: false });
    const tooBig = await api.request({ method: 'GET', url: '/v1/test-clocks?limit=101' });
    expect(tooBig.statusCode).toBe(400);
  });
});

describe('rate limits', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness({ rateLimits: { perKeyPerMinute: 3, authFailuresPerMinute: 2 } });
  });
  afterAll(async () => api?.close());

  it('answers 429 with Retry-After past the per-key limit', async () => {
    for (let i = 0; i < 3; i++)
      expect((await api.request({ method: 'GET', url: '/v1/plans' })).statusCode).toBe(200);
    const limited = await api.request({ method: 'GET', url: '/v1/plans' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json<Problem>()).toMatchObject({
      type: '/problems/too-many-requests',
      status: 429,
    });
    // Another key has its own budget.
    const other = await createApiKey(api.db, 'other');
    const fine = await api.request({
      method: 'GET',
      url: '/v1/plans',
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(fine.statusCode).toBe(200);
  });

  it('refuses an address after too many failed authentications, before any lookup', async () => {
    const bad = { authorization: 'Bearer bw_live_not-a-key' };
    const address = { remoteAddress: '203.0.113.7' };
    for (let i = 0; i < 2; i++) {
      const r = await api.app.inject({ method: 'GET', url: '/v1/plans', headers: bad, ...address });
      expect(r.statusCode).toBe(401);
    }
    const blocked = await api.app.inject({
      method: 'GET',
      url: '/v1/plans',
      headers: { authorization: `Bearer ${api.apiKey.key}` },
      ...address,
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const elsewhere = await api.app.inject({
      method: 'GET',
      url: '/v1/customers',
      headers: { authorization: `Bearer ${(await createApiKey(api.db, 'x')).key}` },
      remoteAddress: '198.51.100.1',
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('remembers unknown keys: a flood of one bad key reaches the database once', async () => {
    let lookups = 0;
    const find = apiKeyCache(async (...args) => {
      lookups++;
      return findActiveApiKey(...args);
    });
    for (let i = 0; i < 50; i++) expect(await find(api.db, 'bw_live_made-up')).toBeUndefined();
    expect(lookups).toBe(1);
    const { key } = await createApiKey(api.db, 'cached');
    for (let i = 0; i < 10; i++) expect(await find(api.db, key)).toMatchObject({ name: 'cached' });
    expect(lookups).toBe(2);
  });
});

describe('browser-facing headers', () => {
  let api: ApiHarness;
  let closed: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness({ corsOrigins: ['https://app.example.com'] });
    closed = await createApiHarness();
  });
  afterAll(async () => {
    await api?.close();
    await closed?.close();
  });

  it('sends a CSP forbidding framing, nosniff and no-referrer on pages and the API', async () => {
    for (const url of ['/docs/', '/health']) {
      const page = await api.app.inject({ method: 'GET', url });
      expect(page.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(page.headers['x-content-type-options'], url).toBe('nosniff');
      expect(page.headers['referrer-policy'], url).toBe('no-referrer');
      expect(page.headers['x-frame-options'], url).toBe('DENY');
    }
  });

  it('adds frame-ancestors to pages that set their own policy, as configured', async () => {
    const framed = await createApiHarness({ frameAncestors: "'self' https://portal.example.com" });
    try {
      const page = await framed.app.inject({ method: 'GET', url: '/health' });
      expect(page.headers['content-security-policy']).toContain(
        "frame-ancestors 'self' https://portal.example.com",
      );
      expect(page.headers['x-frame-options']).toBeUndefined();
    } finally {
      await framed.close();
    }
  });

  it('answers CORS preflights for the configured origins only', async () => {
    const preflight = (app: ApiHarness, origin: string) =>
      app.app.inject({
        method: 'OPTIONS',
        url: '/v1/customers',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight(api, 'https://app.example.com');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(String(allowed.headers['access-control-allow-headers'])).toContain('authorization');
    const other = await preflight(api, 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const none = await preflight(closed, 'https://app.example.com');
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
    const get = await api.request({
      method: 'GET',
      url: '/v1/plans',
      headers: { origin: 'https://app.example.com' },
    });
    expect(get.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });
});
