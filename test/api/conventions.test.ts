// The conventions every endpoint shares: problem+json errors naming the field, bearer auth,
// /health/live, unknown routes, and the OpenAPI document.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiKey, ensureApiKey, revokeApiKey } from '../../db/repositories/api-keys.ts';
import { buildApp } from '../../api/app.ts';
import {
  anyString,
  createApiHarness,
  stringContaining,
  unreachableTemporal,
  type ApiHarness,
} from '../support/api-harness.ts';

let api: ApiHarness;
beforeAll(async () => {
  api = await createApiHarness();
});
afterAll(async () => {
  await api?.close();
});

const validCustomer = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  currency: 'EUR',
  country: 'FR',
  timezone: 'Europe/Paris',
  locale: 'fr-FR',
};

function problemOf(response: {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}) {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(response.body) as {
    type: string;
    title: string;
    status: number;
    detail: string;
    instance?: string;
    errors?: { field: string; message: string }[];
  };
  expect(body.status).toBe(response.statusCode);
  expect(body.type).toMatch(/^\/problems\//);
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}

describe('health and routing', () => {
  test('GET /health/live answers ok without an API key', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  test('an unknown route is a 404 problem', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(problemOf(response)).toMatchObject({
      type: '/problems/not-found',
      instance: '/nowhere',
    });
  });
});

describe('authentication', () => {
  test('no Authorization header → 401 with a Bearer challenge', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/customers' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(problemOf(response).type).toBe('/problems/unauthorized');
  });

  test('an unknown key → 401', async () => {
    const response = await api.app.inject({
      method: 'GET',
      url: '/v1/customers',
      headers: { authorization: 'Bearer bw_live_not-a-real-key' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    problemOf(response);
  });

  test('a malformed Authorization header → 401', async () => {
    const response = await api.app.inject({
      method: 'GET',
      url: '/v1/customers',
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    });
    expect(response.statusCode).toBe(401);
  });

  test('a revoked key → 401; the key worked before', async () => {
    const { id, key } = await createApiKey(api.db, 'to revoke');
    const before = await api.app.inject({
      method: 'GET',
      url: '/v1/customers',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(before.statusCode).toBe(200);
    expect(await revokeApiKey(api.db, id)).toBe(true);
    const after = await api.app.inject({
      method: 'GET',
      url: '/v1/customers',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(after.statusCode).toBe(401);
    problemOf(after);
  });

  test('keys are stored hashed, never in plaintext', async () => {
    const { id, key } = await createApiKey(api.db, 'hashed');
    expect(key).toMatch(/^bw_live_[A-Za-z0-9_-]{32}$/);
    const row = await api.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.key_hash).not.toContain(key);
  });

  test('ensureApiKey registers a known key once', async () => {
    const first = await ensureApiKey(api.db, 'dev', 'bw_live_dev-key-for-tests');
    const second = await ensureApiKey(api.db, 'dev', 'bw_live_dev-key-for-tests');
    expect(second.id).toBe(first.id);
    const response = await api.app.inject({
      method: 'GET',
      url: '/v1/plans',
      headers: { authorization: 'Bearer bw_live_dev-key-for-tests' },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('validation errors', () => {
  async function postCustomer(body: unknown) {
    return api.request({ method: 'POST', url: '/v1/customers', payload: body as object });
  }

  test('a missing field is named', async () => {
    const withoutName: Partial<typeof validCustomer> = { ...validCustomer };
    delete withoutName.name;
    const response = await postCustomer(withoutName);
    expect(response.statusCode).toBe(400);
    const problem = problemOf(response);
    expect(problem.type).toBe('/problems/validation-error');
    expect(problem.errors).toEqual([{ field: 'name', message: 'is required' }]);
  });

  test('a malformed email is named', async () => {
    const response = await postCustomer({ ...validCustomer, email: 'not-an-email' });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([
      { field: 'email', message: stringContaining('email') },
    ]);
  });

  test('every error is reported at once', async () => {
    const response = await postCustomer({
      ...validCustomer,
      email: 'nope',
      country: 'france',
      name: '',
    });
    expect(response.statusCode).toBe(400);
    const fields = problemOf(response)
      .errors!.map((e) => e.field)
      .sort();
    expect(fields).toEqual(['country', 'email', 'name']);
  });

  test('a currency that is not three capitals is a 400; an unknown one a 422', async () => {
    const shape = await postCustomer({ ...validCustomer, currency: 'eur' });
    expect(shape.statusCode).toBe(400);
    expect(problemOf(shape).errors?.[0]?.field).toBe('currency');

    const unknown = await postCustomer({ ...validCustomer, currency: 'ZZZ' });
    expect(unknown.statusCode).toBe(422);
    expect(problemOf(unknown)).toMatchObject({
      type: '/problems/unprocessable',
      errors: [{ field: 'currency', message: stringContaining('ZZZ') }],
    });
  });

  test('an unknown time zone is a 422 naming timezone', async () => {
    const response = await postCustomer({ ...validCustomer, timezone: 'Mars/Olympus_Mons' });
    expect(response.statusCode).toBe(422);
    expect(problemOf(response).errors).toEqual([{ field: 'timezone', message: anyString() }]);
  });

  test('unknown countries and locales are 422s', async () => {
    for (const [field, value] of [
      ['country', 'QQ'],
      ['country', 'UK'],
      ['country', 'EU'],
      ['locale', 'en_US'],
    ] as const) {
      const response = await postCustomer({ ...validCustomer, [field]: value });
      expect(response.statusCode, `${field}=${value}`).toBe(422);
      expect(problemOf(response).errors?.[0]?.field).toBe(field);
    }
  });

  test('unknown properties are rejected, not stripped', async () => {
    const response = await postCustomer({ ...validCustomer, nickname: 'FR123' });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([
      { field: 'nickname', message: 'is not a known property' },
    ]);
    expect(await api.db.selectFrom('customers').selectAll().execute()).toEqual([]);
  });

  test('bodies are not coerced: a string or null amount is an error, not a number', async () => {
    for (const amount of ['4900', null, 49.5, -1]) {
      const response = await api.request({
        method: 'POST',
        url: '/v1/plans',
        payload: { code: 'coerce', name: 'Coerce', currency: 'EUR', interval: 'month', amount },
      });
      expect(response.statusCode, JSON.stringify(amount)).toBe(400);
      expect(problemOf(response).errors?.[0]?.field).toBe('amount');
    }
  });

  test('malformed JSON is a 400 problem', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    problemOf(response);
  });

  test('query parameters are converted and bounded; unknown ones are rejected', async () => {
    expect((await api.request({ method: 'GET', url: '/v1/customers?limit=5' })).statusCode).toBe(
      200,
    );
    const tooMany = await api.request({ method: 'GET', url: '/v1/customers?limit=101' });
    expect(tooMany.statusCode).toBe(400);
    expect(problemOf(tooMany).errors).toEqual([{ field: 'limit', message: 'must be <= 100' }]);
    const unknown = await api.request({ method: 'GET', url: '/v1/customers?sort=name' });
    expect(unknown.statusCode).toBe(400);
    expect(problemOf(unknown).errors?.[0]?.field).toBe('sort');
  });

  test('an empty body is accepted where every field is optional', async () => {
    // Reaches the handler (404 for the unknown subscription) rather than failing validation.
    const response = await api.request({
      method: 'POST',
      url: '/v1/subscriptions/sub_missing/pause',
    });
    expect(response.statusCode).toBe(404);
  });
});

describe('OpenAPI document', () => {
  test('is OpenAPI 3.1 with every path, the bearer scheme and problem responses', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
      tags: { name: string }[];
    }>();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toBe('Billwright API');
    expect(doc.components.securitySchemes.bearerAuth).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(doc.components.schemas.Problem).toBeDefined();
    // An invoice line's arithmetic is documented field by field.
    const documented = JSON.stringify(doc);
    expect(documented).toContain('"title":"LineArithmetic"');
    expect(documented).toContain('Free units taken off the used quantity');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/health/live',
        '/health/ready',
        '/metrics',
        '/v1/billing-runs',
        '/v1/customers',
        '/v1/customers/{id}',
        '/v1/plans',
        '/v1/plans/{code}',
        '/v1/plans/{code}/versions',
        '/v1/plans/{code}/versions/{version}',
        '/v1/plans/{code}/migrations',
        '/v1/plans/{code}/migrations/{id}',
        '/v1/subscriptions/{id}/plan-version',
        '/v1/subscriptions/{id}/preview-change',
        '/v1/subscriptions/{id}/coupons',
        '/v1/customers/{id}/coupons',
        '/v1/coupons',
        '/v1/coupons/{code}',
        '/v1/customers/{id}/wallets',
        '/v1/customers/{id}/balance',
        '/v1/customers/{id}/entitlement',
        '/v1/wallets/{id}',
        '/v1/wallets/{id}/grants',
        '/v1/wallets/{id}/transactions',
        '/v1/wallets/{id}/grants/{grantId}/void',
        '/v1/wallets/{id}/top-up',
        '/v1/subscriptions',
        '/v1/subscriptions/{id}',
        '/v1/subscriptions/{id}/pause',
        '/v1/subscriptions/{id}/resume',
        '/v1/subscriptions/{id}/upcoming-invoice',
        '/v1/subscriptions/{id}/cancel',
        '/v1/subscriptions/{id}/change',
        '/v1/invoices',
        '/v1/invoices/{id}',
        '/v1/invoices/{id}/html',
        '/v1/invoices/{id}/finalize',
        '/v1/invoices/{id}/void',
        '/v1/invoices/{id}/mark-uncollectible',
        '/v1/invoices/{id}/credit-notes',
        '/v1/credit-notes/{id}',
        '/v1/credit-notes/{id}/e-invoice',
        '/v1/ledger/accounts',
        '/v1/ledger/accounts/{code}/statement',
        '/v1/ledger/mappings',
        '/v1/ledger/trial-balance',
        '/v1/ledger/journal',
        '/v1/credit-notes/{id}/html',
        '/v1/credit-notes/{id}/pdf',
        '/v1/payments/{id}/receipt/html',
        '/v1/payments/{id}/receipt/pdf',
        '/v1/invoices/{id}/pdf',
        '/v1/invoices/{id}/hosted-link',
        '/hosted/invoices/{id}',
        '/hosted/invoices/{id}/pdf',
        '/hosted/credit-notes/{id}',
        '/hosted/credit-notes/{id}/pdf',
        '/hosted/receipts/{id}',
        '/hosted/receipts/{id}/pdf',
        '/v1/outbox',
        '/v1/outbox/{id}',
        '/v1/outbox/{id}/html',
        '/v1/metrics',
        '/v1/metrics/{code}',
        '/v1/events',
        '/v1/webhook-endpoints',
        '/v1/webhook-endpoints/{id}',
        '/v1/webhook-endpoints/{id}/rotate-secret',
        '/v1/webhook-endpoints/{id}/attempts',
        '/v1/webhook-endpoints/{id}/events/{eventId}/replay',
        '/v1/insights/ar-aging',
        '/v1/insights/dunning',
        '/v1/insights/mrr',
        '/v1/insights/overdue-invoices',
        '/v1/insights/payments',
        '/v1/insights/upcoming-renewals',
        '/v1/estimates',
        '/v1/estimates/{id}',
        '/v1/estimates/{id}/html',
        '/v1/estimates/{id}/pdf',
        '/v1/estimates/{id}/quote',
        '/v1/quotes',
        '/v1/quotes/{id}',
        '/v1/quotes/{id}/html',
        '/v1/quotes/{id}/pdf',
        '/hosted/quotes/{id}',
        '/hosted/quotes/{id}/pdf',
        '/hosted/quotes/{id}/accept',
        '/hosted/quotes/{id}/decline',
        '/v1/document-designs',
        '/v1/document-designs/{design}/{documentType}/preview',
        '/v1/test-clocks',
        '/v1/test-clocks/{id}',
        '/v1/test-clocks/{id}/advance',
        '/v1/projects',
        '/v1/project-quotes',
        '/v1/projects/{id}',
        '/v1/projects/{id}/change-orders',
        '/v1/projects/{id}/events',
        '/v1/projects/{id}/milestones/{key}/approve',
        '/v1/projects/{id}/milestones/{key}/complete',
        '/v1/projects/{id}/milestones/{key}/reject',
        '/v1/projects/{id}/time-entries',
        '/v1/projects/{id}/time-entries/{entryId}',
        '/hosted/projects/{id}/milestones/{key}/approval',
        '/hosted/projects/{id}/milestones/{key}/approval/approve',
        '/hosted/projects/{id}/milestones/{key}/approval/reject',
        '/v1/api-keys',
        '/v1/api-keys/{id}/revoke',
        '/v1/api-keys/{id}/rotate',
        '/v1/audit-events',
        '/v1/invoices/{id}/payments',
        '/v1/invoices/{id}/collection',
        '/v1/invoices/{id}/dispute',
        '/v1/invoices/{id}/e-invoice',
        '/v1/invoices/{id}/resolve',
        '/v1/dunning-policies',
        '/v1/dunning-policies/{id}',
        '/v1/customers/{id}/credit-balance',
        '/v1/registers/invoices',
        '/v1/registers/credit-notes',
        '/v1/registers/payments',
        '/v1/spend-alerts',
        '/v1/spend-alerts/{id}',
        '/v1/finance/revenue-recognition',
        '/webhooks/payments/{provider}',
        '/v1/accounting/syncs',
        '/v1/accounting/syncs/{id}',
        '/v1/accounting/reconciliation',

        '/dashboard',
        '/dashboard/sign-in',
        '/dashboard/sign-out',
        '/dashboard/assets/{name}',

        '/v1/customers/{id}/portal-links',
        '/portal',
        '/portal/login',
        '/portal/links/{id}',
        '/portal/logout',
        '/portal/invoices',
        '/portal/billing-details',
        '/portal/invoices/{id}',
        '/portal/invoices/{id}/pdf',
        '/portal/credit-notes/{id}',
        '/portal/credit-notes/{id}/pdf',
        '/portal/receipts/{id}',
        '/portal/receipts/{id}/pdf',
      ].sort(),
    );
    expect(doc.tags.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'Customers',
        'Plans',
        'Subscriptions',
        'Invoices',
        'Outbox',
        'Health',
      ]),
    );
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(operation.summary, where).toEqual(anyString());
        expect(operation.description, where).toEqual(anyString());
        expect((operation.tags as string[]).length, where).toBe(1);
        const responses = operation.responses as Record<
          string,
          { description: string; content?: Record<string, unknown> }
        >;
        expect(responses['500']?.content?.['application/problem+json'], where).toBeDefined();
        // The dashboard's and the portal's form posts and links answer See Other (to the page
        // to show next), as forms do.
        const success = Object.keys(responses).find(
          (code) =>
            code.startsWith('2') ||
            ((path.startsWith('/dashboard') || path.startsWith('/portal')) && code === '303'),
        );
        expect(success, where).toBeDefined();
        expect(responses[success!]!.description, where).not.toBe('Default Response');
        if (path.startsWith('/v1/')) {
          expect(operation.security, where).toEqual([{ bearerAuth: [] }]);
          expect(responses['401'], where).toBeDefined();
        } else {
          expect(operation.security, where).toBeUndefined();
        }
        // Hosted pages' form posts (no API key, so no key scope) are not replayed: a repeated
        // answer to a milestone approval is refused by its workflow (409) instead. Provider
        // webhooks are idempotent by the provider's payment id, not Idempotency-Key.
        // The dashboard's sign-in and sign-out change no record: nothing to replay. The portal's
        // forms are a customer's browser's, without an API key to scope a replay by.
        if (
          method === 'post' &&
          !path.startsWith('/hosted/') &&
          !path.startsWith('/webhooks/') &&
          !path.startsWith('/dashboard/') &&
          !path.startsWith('/portal/')
        ) {
          const parameters = operation.parameters as { in: string; name: string }[];
          expect(parameters, where).toContainEqual(
            expect.objectContaining({ in: 'header', name: 'idempotency-key' }),
          );
          expect(responses['409'], where).toBeDefined();
        }
      }
    }
  });

  test('swagger-ui is served at /docs without a key', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(response.statusCode);
  });
});

describe('unexpected errors', () => {
  test('are a 500 problem that does not leak the error', async () => {
    const temporal = unreachableTemporal();
    const app = await buildApp({
      db: api.db,
      temporal,
      config: { publicBaseUrl: 'http://localhost:3000' },
    });
    app.get('/boom', () => {
      throw new Error('password=hunter2 at /srv/secret.ts:42');
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/boom' });
      expect(response.statusCode).toBe(500);
      const problem = problemOf(response);
      expect(problem.type).toBe('/problems/internal-error');
      expect(response.body).not.toContain('hunter2');
      expect(response.body).not.toContain('secret.ts');
    } finally {
      await app.close();
      await temporal.connection.close();
    }
  });
});
