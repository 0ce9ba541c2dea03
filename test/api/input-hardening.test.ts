// Bad input is refused as problem+json naming the field, never a 500: text that is not text
// (NUL, other controls, lone surrogates), amounts and totals past what arithmetic keeps exact,
// query values that only look like numbers, the router's own errors, and unrouted methods.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_AMOUNT } from '../../api/schemas/common.ts';
import { convertText, invalidText } from '../../api/plugins/validation.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { Type } from 'typebox';

let api: ApiHarness;
let customerId: string;
beforeAll(async () => {
  api = await createApiHarness();
  customerId = await postCustomer(api, { name: 'Ada Lovelace', email: 'ada@example.com' });
});
afterAll(async () => {
  await api?.close();
});

interface ProblemBody {
  type: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

function problemOf(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
): ProblemBody {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(response.body) as ProblemBody;
  expect(response.statusCode).toBe(status);
  expect(body.status).toBe(status);
  return body;
}

describe('text that is not text', () => {
  test('a NUL in a path parameter is a 400 naming it', async () => {
    const response = await api.request({ method: 'GET', url: '/v1/customers/cus_%00' });
    expect(problemOf(response, 400).errors).toEqual([
      { field: 'id', message: 'must not contain control characters (U+0000)' },
    ]);
  });

  test('a NUL in a query parameter is a 400 naming it', async () => {
    const response = await api.request({ method: 'GET', url: '/v1/invoices?customerId=a%00b' });
    expect(problemOf(response, 400).errors).toEqual([
      { field: 'customerId', message: 'must not contain control characters (U+0000)' },
    ]);
  });

  test('a NUL, a control character or a lone surrogate in a body is a 400 naming the field', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/customers',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"name":"Ada\\u0000","email":"ada@example.com","currency":"EUR","country":"FR",' +
        '"timezone":"Europe/Paris","locale":"fr-FR","metadata":{"note":"\\u001b[31m","x":"\\ud800"}}',
    });
    const problem = problemOf(response, 400);
    expect(problem.type).toBe('/problems/validation-error');
    expect(problem.errors).toEqual([
      { field: 'name', message: 'must not contain control characters (U+0000)' },
      { field: 'metadata.note', message: 'must not contain control characters (U+001B)' },
      { field: 'metadata.x', message: 'must be valid Unicode text (a lone surrogate)' },
    ]);
  });

  test('nested lines and property names are checked too; tab and new lines are text', () => {
    expect(
      invalidText({ lines: [{ description: 'ok\tfine\r\n' }, { description: 'bad\u0007' }] }, ''),
    ).toEqual([
      { field: 'lines[1].description', message: 'must not contain control characters (U+0007)' },
    ]);
    expect(invalidText({ 'a\u0000': 1 }, '')).toEqual([
      {
        field: 'a\\u0000',
        message: 'is a property name that must not contain control characters (U+0000)',
      },
    ]);
    expect(invalidText({ emoji: '\u{1F600}', accents: 'Ça coûte 49 €' }, '')).toEqual([]);
  });
});

describe('amounts and totals', () => {
  test('an amount above 10^15 minor units is a 422 naming it, documented as the maximum', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: { code: 'huge', name: 'Huge', currency: 'EUR', interval: 'month', amount: 2 ** 53 },
    });
    expect(problemOf(response, 422).errors).toEqual([
      { field: 'amount', message: `must be <= ${MAX_AMOUNT}` },
    ]);
  });

  test('a manual invoice line whose quantity × price passes 10^15 is a 422 naming it', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/invoices',
      payload: {
        customerId,
        lines: [{ description: 'Gold', quantity: 1_000_000_000, unitPrice: 10 ** 12 }],
      },
    });
    expect(problemOf(response, 422).errors).toEqual([
      {
        field: 'lines[0].quantity',
        message: `quantity × unitPrice must be at most ${MAX_AMOUNT} minor units`,
      },
    ]);
  });

  test('lines that together pass 10^15 are a 422 naming lines, on create and on edit', async () => {
    const line = { description: 'Big', quantity: 1, unitPrice: MAX_AMOUNT };
    const created = await api.request({
      method: 'POST',
      url: '/v1/invoices',
      payload: { customerId, lines: [line, line] },
    });
    expect(problemOf(created, 422).errors).toEqual([
      { field: 'lines', message: `the lines must total at most ${MAX_AMOUNT} minor units` },
    ]);
    const draft = await api.request({
      method: 'POST',
      url: '/v1/invoices',
      payload: { customerId, lines: [line] },
    });
    expect(draft.statusCode).toBe(201);
    const { id } = JSON.parse(draft.body) as { id: string };
    // Found by Schemathesis: an edit with nothing in it was a 500 (an empty `update … set`).
    const unchanged = await api.request({
      method: 'PATCH',
      url: `/v1/invoices/${id}`,
      payload: {},
    });
    expect(unchanged.statusCode).toBe(200);
    const edited = await api.request({
      method: 'PATCH',
      url: `/v1/invoices/${id}`,
      payload: {
        lines: [
          { description: 'Big', quantity: 3, unitAmount: MAX_AMOUNT / 2 },
          { description: 'Small', quantity: 1, unitAmount: 1 },
        ],
      },
    });
    expect(problemOf(edited, 422).errors).toEqual([
      {
        field: 'lines[0].quantity',
        message: `quantity × unitAmount must be at most ${MAX_AMOUNT} minor units`,
      },
    ]);
  });

  test('a plan charge or coupon amount above 10^15 is refused naming it', async () => {
    const plan = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: {
        code: 'seats-huge',
        name: 'Seats',
        currency: 'EUR',
        interval: 'month',
        charges: [
          {
            key: 'seats',
            description: 'Seats',
            type: 'per_seat',
            billing: 'advance',
            unitAmount: '9'.repeat(20),
          },
        ],
      },
    });
    expect(problemOf(plan, 422).errors).toEqual([
      { field: 'charges[0].unitAmount', message: `must be at most ${MAX_AMOUNT}` },
    ]);
  });

  test('seats × price past 2^53 is a 422, not a 500', async () => {
    const plan = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: {
        code: 'seats-max',
        name: 'Seats',
        currency: 'EUR',
        interval: 'month',
        charges: [
          {
            key: 'seats',
            description: 'Seats',
            type: 'per_seat',
            billing: 'advance',
            unitAmount: String(MAX_AMOUNT),
          },
        ],
      },
    });
    expect(plan.statusCode).toBe(201);
    const subscription = await api.request({
      method: 'POST',
      url: '/v1/subscriptions',
      payload: { customerId, planCode: 'seats-max', quantity: 1_000_000 },
    });
    expect(problemOf(subscription, 422).type).toBe('/problems/unprocessable');
  });

  test('a subscription starting before the tax rates on record is a 422 (found by Schemathesis)', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/subscriptions',
      payload: { customerId, planCode: 'seats-max', startAt: '2000-01-02T00:00:00Z' },
    });
    expect(problemOf(response, 422).errors?.[0]?.field).toBe('startAt');
  });

  test('the OpenAPI document states the bound on request amounts, not on response totals', async () => {
    const doc = JSON.parse((await api.app.inject({ method: 'GET', url: '/docs/json' })).body) as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody: {
              content: Record<
                string,
                { schema: { properties: Record<string, { maximum?: number }> } }
              >;
            };
          }
        >
      >;
    };
    const body = doc.paths['/v1/plans']?.post?.requestBody.content['application/json']?.schema;
    expect(body?.properties.amount?.maximum).toBe(MAX_AMOUNT);
  });
});

describe('one validator everywhere', () => {
  test('a route whose plugin adds a shared schema still validates strictly (found by Schemathesis)', async () => {
    // /v1/api-keys adds its ApiKey schema; its context fell back to Fastify's coercing validator.
    for (const payload of [
      { name: 0, scopes: ['read'] },
      { name: 'a', scopes: ['read'], extra: 1 },
    ]) {
      const response = await api.request({ method: 'POST', url: '/v1/api-keys', payload });
      problemOf(response, 400);
    }
  });
});

describe('strict query types', () => {
  test('?limit=true, ?limit= and ?limit=1x are 400s, not coerced', async () => {
    for (const value of ['true', '', '1x', '0x10']) {
      const response = await api.request({ method: 'GET', url: `/v1/customers?limit=${value}` });
      expect(problemOf(response, 400).errors?.[0]?.field).toBe('limit');
    }
    const ok = await api.request({ method: 'GET', url: '/v1/customers?limit=5' });
    expect(ok.statusCode).toBe(200);
  });

  test('convertText converts numbers and booleans from their own text only', () => {
    const schema = Type.Object({
      n: Type.Optional(Type.Integer()),
      b: Type.Optional(Type.Boolean()),
      s: Type.Optional(Type.String()),
      u: Type.Optional(Type.Union([Type.Integer(), Type.Literal('all')])),
    });
    expect(convertText(schema, { n: '-12', b: 'false', s: '7', u: '3' })).toEqual({
      n: -12,
      b: false,
      s: '7',
      u: 3,
    });
    expect(convertText(schema, { n: 'true', b: '1', u: 'all' })).toEqual({
      n: 'true',
      b: '1',
      u: 'all',
    });
  });
});

describe("the framework's own errors are problems", () => {
  test('a long path parameter is a 400 naming it; one the router refuses a 414 problem', async () => {
    const long = await api.request({ method: 'GET', url: `/v1/customers/${'a'.repeat(101)}` });
    expect(problemOf(long, 400).errors).toEqual([
      { field: 'id', message: 'must not have more than 64 characters' },
    ]);
    const huge = await api.request({ method: 'GET', url: `/v1/customers/${'a'.repeat(1025)}` });
    expect(problemOf(huge, 414).detail).not.toContain('aaaa');
  });

  test('a malformed percent-encoding in the path is a 400 problem', async () => {
    const response = await api.request({ method: 'GET', url: '/v1/customers/%E0%A4%A' });
    problemOf(response, 400);
  });

  test('an unsupported media type is a 415 problem, a body too large a 413 problem', async () => {
    const unsupported = await api.request({
      method: 'POST',
      url: '/v1/customers',
      headers: { 'content-type': 'application/xml' },
      payload: '<customer/>',
    });
    problemOf(unsupported, 415);
    const large = await api.request({
      method: 'POST',
      url: '/v1/customers',
      headers: { 'content-type': 'application/json' },
      payload: `{"name":"${'x'.repeat(1_100_000)}"}`,
    });
    problemOf(large, 413);
  });

  test('malformed JSON is a 400 problem', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/customers',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    problemOf(response, 400);
  });

  test('a JSON null body is a 400 naming the body; no body at all is an empty one (found by Schemathesis)', async () => {
    const key = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      payload: { name: 'spare', scopes: ['read'] },
    });
    const url = `/v1/api-keys/${key.json<{ apiKey: { id: string } }>().apiKey.id}/rotate`;
    const sent = await api.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: 'null',
    });
    expect(problemOf(sent, 400).errors).toEqual([
      { field: 'body', message: 'must be an object, or left out' },
    ]);
    expect((await api.request({ method: 'POST', url })).statusCode).toBe(200);
  });
});

describe('methods', () => {
  test('PUT, TRACE and PATCH on a known path are 405 with Allow', async () => {
    for (const method of ['PUT', 'TRACE', 'PATCH'] as const) {
      const response = await api.request({ method, url: '/v1/customers' });
      const problem = problemOf(response, 405);
      expect(problem.type).toBe('/problems/method-not-allowed');
      expect(response.headers.allow).toBe('GET, HEAD, POST');
    }
    const item = await api.request({ method: 'DELETE', url: '/v1/customers/cus_x/' });
    problemOf(item, 405);
    expect(item.headers.allow).toMatch(/GET/);
  });

  test('QUERY without a Content-Type on a known path is a 405, not a body error', async () => {
    const response = await api.request({ method: 'QUERY', url: '/v1/customers' });
    expect(problemOf(response, 405).type).toBe('/problems/method-not-allowed');
  });

  test('an unknown path is still a 404', async () => {
    const response = await api.request({ method: 'PUT', url: '/v1/nothing-here' });
    expect(problemOf(response, 404).type).toBe('/problems/not-found');
  });
});

describe('OpenAPI links', () => {
  test('a created resource links to reading and acting on it, for stateful clients and tests', async () => {
    const doc = JSON.parse((await api.app.inject({ method: 'GET', url: '/docs/json' })).body) as {
      paths: Record<string, Record<string, { responses: Record<string, { links?: object }> }>>;
    };
    expect(doc.paths['/v1/customers']?.post?.responses['201']?.links).toMatchObject({
      GetCustomer: {
        operationRef: '#/paths/~1v1~1customers~1{id}/get',
        parameters: { id: '$response.body#/id' },
      },
    });
    expect(doc.paths['/v1/plans']?.post?.responses['201']?.links).toMatchObject({
      GetPlan: { parameters: { code: '$response.body#/code' } },
    });
    expect(Object.keys(doc.paths['/v1/invoices']?.post?.responses['201']?.links ?? {})).toEqual(
      expect.arrayContaining(['GetInvoice', 'EditDraftInvoice', 'FinalizeInvoice']),
    );
  });
});
