// Read-only resources: invoices (with lines and rendered HTML) and the development outbox.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeInvoiceDocument } from '../../db/repositories/invoice-documents.ts';
import { anyString, createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { insertInvoiceLine, insertInvoiceRow } from '../support/builders/invoices.ts';

let api: ApiHarness;
let customerId: string;
let otherCustomerId: string;

beforeAll(async () => {
  api = await createApiHarness();
  const customer = (name: string) =>
    postCustomer(api, {
      name,
      email: `${name.toLowerCase()}@example.com`,
      country: 'DE',
      timezone: 'Europe/Berlin',
      locale: 'de-DE',
    });
  customerId = await customer('Rendered');
  otherCustomerId = await customer('Other');

  const invoice = (id: string, number: string, customer: string, issuedAt: string) =>
    insertInvoiceRow(api.db, {
      id,
      number,
      customer_id: customer,
      subscription_id: null,
      period_start: issuedAt,
      period_end: '2027-02-01T00:00:00Z',
      tax: 931,
      total: 5831,
      issued_at: issuedAt,
    });
  await invoice('inv_first', 'INV-2027-000001', customerId, '2027-01-01T00:00:00Z');
  await invoice('inv_second', 'INV-2027-000002', customerId, '2027-01-02T00:00:00Z');
  await invoice('inv_other', 'INV-2027-000003', otherCustomerId, '2027-01-03T00:00:00Z');
  await insertInvoiceLine(api.db, {
    invoice_id: 'inv_first',
    description: 'Pro, January 2027',
    period_start: '2027-01-01T00:00:00Z',
    period_end: '2027-02-01T00:00:00Z',
  });
  await storeInvoiceDocument(api.db, {
    invoiceId: 'inv_first',
    format: 'html',
    content: '<html><body><h1>Invoice INV-2027-000001</h1></body></html>',
    contentHash: 'sha256-abc',
  });

  await api.db
    .insertInto('outbox_messages')
    .values([
      {
        id: 'msg_one',
        idempotency_key: 'invoice/inv_first/issued',
        from_address: 'Billwright <billing@billwright.test>',
        to_addresses: ['rendered@example.com'],
        subject: 'Your invoice INV-2027-000001',
        html: '<p>Hello</p>',
        text: 'Hello',
        attachments: JSON.stringify([
          {
            filename: 'invoice.html',
            contentType: 'text/html',
            content: Buffer.from('<p>x</p>').toString('base64'),
          },
        ]),
      },
      {
        id: 'msg_two',
        idempotency_key: 'invoice/inv_other/issued',
        from_address: 'billing@billwright.test',
        to_addresses: ['Other <other@example.com>'],
        subject: 'Your invoice INV-2027-000003',
        html: '<p>Hi</p>',
        text: 'Hi',
      },
    ])
    .execute();
});
afterAll(async () => {
  await api?.close();
});

describe('invoices', () => {
  test('list, filtered by customer, newest first, without lines', async () => {
    const response = await api.request({
      method: 'GET',
      url: `/v1/invoices?customerId=${customerId}`,
    });
    expect(response.statusCode).toBe(200);
    const page = response.json<{ data: { id: string; lines?: unknown }[]; hasMore: boolean }>();
    expect(page.data.map((i) => i.id)).toEqual(['inv_second', 'inv_first']);
    expect(page.data[0]!.lines).toBeUndefined();
    expect(page.hasMore).toBe(false);

    const limited = await api.request({ method: 'GET', url: '/v1/invoices?limit=2' });
    expect(limited.json()).toMatchObject({ hasMore: true });
  });

  test('one invoice with lines, money objects and periods', async () => {
    const response = await api.request({ method: 'GET', url: '/v1/invoices/inv_first' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: 'inv_first',
      number: 'INV-2027-000001',
      customerId,
      subscriptionId: null,
      billingReason: 'manual',
      status: 'open',
      currency: 'EUR',
      period: { start: '2027-01-01T00:00:00.000Z', end: '2027-02-01T00:00:00.000Z' },
      taxBehavior: 'exclusive',
      subtotal: { amount: 4900, currency: 'EUR' },
      discountTotal: { amount: 0, currency: 'EUR' },
      tax: { amount: 931, currency: 'EUR' },
      total: { amount: 5831, currency: 'EUR' },
      amountPaid: { amount: 0, currency: 'EUR' },
      amountCredited: { amount: 0, currency: 'EUR' },
      amountDue: { amount: 5831, currency: 'EUR' },
      taxBreakdown: [],
      taxNotes: [],
      issuedAt: '2027-01-01T00:00:00.000Z',
      dueAt: '2027-01-31T00:00:00.000Z',
      finalizedAt: null,
      paidAt: null,
      voidedAt: null,
      markedUncollectibleAt: null,
      createdAt: anyString(),
      lines: [
        {
          position: 0,
          description: 'Pro, January 2027',
          quantity: '1',
          unitAmount: '4900',
          amount: { amount: 4900, currency: 'EUR' },
          discountAmount: { amount: 0, currency: 'EUR' },
          taxAmount: { amount: 0, currency: 'EUR' },
          taxRate: null,
          taxJurisdiction: null,
          taxTreatment: null,
          total: { amount: 4900, currency: 'EUR' },
          period: { start: '2027-01-01T00:00:00.000Z', end: '2027-02-01T00:00:00.000Z' },
          arithmetic: null,
        },
      ],
    });
    expect((await api.request({ method: 'GET', url: '/v1/invoices/inv_missing' })).statusCode).toBe(
      404,
    );
  });

  test('the stored HTML document, locked down, with its hash as ETag', async () => {
    const response = await api.request({ method: 'GET', url: '/v1/invoices/inv_first/html' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers.etag).toBe('"sha256-abc"');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.body).toBe('<html><body><h1>Invoice INV-2027-000001</h1></body></html>');
  });

  test('an invoice not rendered yet (or unknown) is a 404 problem', async () => {
    const notRendered = await api.request({ method: 'GET', url: '/v1/invoices/inv_second/html' });
    expect(notRendered.statusCode).toBe(404);
    expect(notRendered.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(notRendered.json<{ detail: string }>().detail).toMatch(/not been rendered/);
    expect(
      (await api.request({ method: 'GET', url: '/v1/invoices/inv_missing/html' })).statusCode,
    ).toBe(404);
  });
});

describe('outbox', () => {
  test('list, optionally by recipient', async () => {
    const all = await api.request({ method: 'GET', url: '/v1/outbox' });
    expect(
      all
        .json<{ data: { id: string }[] }>()
        .data.map((m) => m.id)
        .sort(),
    ).toEqual(['msg_one', 'msg_two']);
    const toOther = await api.request({ method: 'GET', url: '/v1/outbox?to=other@example.com' });
    expect(toOther.json()).toMatchObject({
      data: [{ id: 'msg_two', to: ['Other <other@example.com>'] }],
      hasMore: false,
    });
  });

  test('one message with html, text and attachments', async () => {
    const response = await api.request({ method: 'GET', url: '/v1/outbox/msg_one' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: 'msg_one',
      from: 'Billwright <billing@billwright.test>',
      to: ['rendered@example.com'],
      subject: 'Your invoice INV-2027-000001',
      html: '<p>Hello</p>',
      text: 'Hello',
      attachments: [
        {
          filename: 'invoice.html',
          contentType: 'text/html',
          size: 8,
          content: Buffer.from('<p>x</p>').toString('base64'),
        },
      ],
      createdAt: anyString(),
    });
    expect((await api.request({ method: 'GET', url: '/v1/outbox/msg_missing' })).statusCode).toBe(
      404,
    );
  });

  test('a message as an HTML page', async () => {
    const response = await api.request({ method: 'GET', url: '/v1/outbox/msg_one/html' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toBe('<p>Hello</p>');
  });
});

describe('pagination of invoices and outbox', () => {
  test('walks every invoice page by page with startingAfter, newest first', async () => {
    const page = async (query: string) =>
      (await api.request({ method: 'GET', url: `/v1/invoices?limit=2${query}` })).json<{
        data: { id: string }[];
        hasMore: boolean;
      }>();
    const first = await page('');
    expect(first.data.map((i) => i.id)).toEqual(['inv_other', 'inv_second']);
    expect(first.hasMore).toBe(true);
    const second = await page(`&startingAfter=${first.data[1]!.id}`);
    expect(second.data.map((i) => i.id)).toEqual(['inv_first']);
    expect(second.hasMore).toBe(false);
  });

  test('walks outbox messages with startingAfter', async () => {
    const all = (await api.request({ method: 'GET', url: '/v1/outbox?limit=100' })).json<{
      data: { id: string }[];
    }>().data;
    expect(all.length).toBeGreaterThan(1);
    const rest = (
      await api.request({ method: 'GET', url: `/v1/outbox?limit=100&startingAfter=${all[0]!.id}` })
    ).json<{ data: { id: string }[] }>().data;
    expect(rest.map((m) => m.id)).toEqual(all.slice(1).map((m) => m.id));
  });
});
