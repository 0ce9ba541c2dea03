// Estimates price a plan for one period exactly as an invoice would, with the arithmetic shown,
// and change nothing but the stored estimate.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCoupon } from '../../db/repositories/coupons.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let api: ApiHarness;
let customerId: string;

interface Estimate {
  id: string;
  currency: string;
  period: { start: string; end: string };
  lines: {
    description: string;
    quantity: string;
    amount: { amount: number; currency: string };
    explanation: string[];
  }[];
  subtotal: { amount: number };
  discounts: { couponCode: string; amount: { amount: number } }[];
  discountTotal: { amount: number };
  totalBeforeTax: { amount: number; currency: string };
}

/** $29.00 a month, in advance. */
const platformFee = {
  key: 'base',
  description: 'Platform fee',
  billing: 'advance',
  type: 'flat',
  amount: '2900',
};

const post = async (url: string, payload: object) => api.request({ method: 'POST', url, payload });

beforeAll(async () => {
  api = await createApiHarness();
  expect(
    (await post('/v1/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' }))
      .statusCode,
  ).toBe(201);
  const plan = await post('/v1/plans', {
    code: 'api-pro',
    name: 'API Pro',
    currency: 'USD',
    interval: 'month',
    charges: [
      platformFee,
      {
        key: 'seats',
        description: 'Seats',
        billing: 'advance',
        type: 'per_seat',
        unitAmount: '1000',
      },
      {
        key: 'calls',
        description: 'API calls',
        billing: 'arrears',
        type: 'usage',
        metricCode: 'api_calls',
        pricing: {
          model: 'graduated',
          tiers: [
            { upTo: '1000', unitPrice: '0' },
            { upTo: '10000', unitPrice: '0.1', flatFee: '500' },
            { upTo: null, unitPrice: '0.05' },
          ],
        },
      },
    ],
  });
  expect(plan.statusCode).toBe(201);
  const customer = await post('/v1/customers', {
    name: 'Hooli Inc',
    email: 'ap@hooli.test',
    currency: 'USD',
    country: 'US',
    address: { region: 'CA' },
    timezone: 'America/Los_Angeles',
    locale: 'en-US',
  });
  customerId = customer.json<{ id: string }>().id;
  await createCoupon(api.db, {
    coupon: {
      code: 'LAUNCH20',
      description: 'Launch offer −20 %',
      value: { type: 'percentage', percent: '20' },
      duration: { type: 'once' },
      appliesTo: { type: 'subtotal' },
    },
    createdBy: 'test',
  });
});

afterAll(async () => {
  await api?.close();
});

describe('POST /v1/estimates', () => {
  test('prices a catalog plan tier by tier for seats and usage, in the customer’s zone', async () => {
    const response = await post('/v1/estimates', {
      planCode: 'api-pro',
      customerId,
      periodStart: '2027-03-01T08:00:00Z',
      quantities: { seats: 3 },
      usage: { api_calls: '25000' },
    });
    expect(response.statusCode).toBe(201);
    const estimate = response.json<Estimate>();
    expect(estimate.currency).toBe('USD');
    // 2027-03-01 00:00 in Los Angeles to 2027-04-01 00:00 (after the DST change: −07:00).
    expect(estimate.period).toEqual({
      start: '2027-03-01T08:00:00.000Z',
      end: '2027-04-01T07:00:00.000Z',
    });
    const byDescription = Object.fromEntries(estimate.lines.map((l) => [l.description, l]));
    expect(byDescription['Platform fee']!.amount.amount).toBe(2900);
    expect(byDescription['Seats']!.amount.amount).toBe(3000);
    // 1,000 free; 9,000 × 0.1¢ = 900¢ + 500¢ flat; 15,000 × 0.05¢ = 750¢ → 2,150¢.
    expect(byDescription['API calls']!.amount.amount).toBe(2150);
    expect(byDescription['API calls']!.explanation.length).toBeGreaterThanOrEqual(3);
    expect(estimate.subtotal.amount).toBe(2900 + 3000 + 2150);
    expect(estimate.totalBeforeTax).toEqual({ amount: 8050, currency: 'USD' });

    const again = await api.request({ method: 'GET', url: `/v1/estimates/${estimate.id}` });
    expect(again.json()).toEqual(estimate);
  });

  test('prices an inline plan with a coupon, and a calendar stub prorated by its month', async () => {
    const response = await post('/v1/estimates', {
      plan: {
        name: 'Starter',
        currency: 'EUR',
        interval: 'month',
        charges: [
          { key: 'base', description: 'Starter', billing: 'advance', type: 'flat', amount: '3000' },
        ],
      },
      periodStart: '2027-02-10T00:00:00Z',
      anchoring: { type: 'calendar' },
      couponCodes: ['LAUNCH20'],
    });
    expect(response.statusCode).toBe(201);
    const estimate = response.json<Estimate>();
    expect(estimate.period).toEqual({
      start: '2027-02-10T00:00:00.000Z',
      end: '2027-03-01T00:00:00.000Z',
    });
    // 19 of February's 28 days: 3000 × 19/28 = 2035.71… → 2036 (half up); then −20 %.
    expect(estimate.subtotal.amount).toBe(2036);
    expect(estimate.discounts.map((d) => d.couponCode)).toEqual(['LAUNCH20']);
    expect(estimate.discountTotal.amount).toBe(407);
    expect(estimate.totalBeforeTax.amount).toBe(2036 - 407);
  });

  test('renders the estimate as a document with the arithmetic', async () => {
    const created = await post('/v1/estimates', {
      planCode: 'api-pro',
      customerId,
      periodStart: '2027-03-01T08:00:00Z',
      quantities: { seats: 1 },
      usage: { api_calls: '500' },
    });
    const html = await api.request({
      method: 'GET',
      url: `/v1/estimates/${created.json<Estimate>().id}/html`,
    });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('Hooli Inc');
    expect(html.body).toContain('$39.00');
    expect(html.body).toContain('API calls');
  });

  test('prints the estimate to PDF through the real Chromium', async () => {
    const created = await post('/v1/estimates', {
      planCode: 'api-pro',
      customerId,
      periodStart: '2027-03-01T08:00:00Z',
      quantities: { seats: 2 },
      usage: { api_calls: '2000' },
    });
    const id = created.json<Estimate>().id;
    const response = await api.request({ method: 'GET', url: `/v1/estimates/${id}/pdf` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], {
      input: response.rawPayload,
    }).toString();
    expect(text).toContain('Estimate');
    expect(text).toContain(id);
    expect(text).toContain('Hooli Inc');
  });

  test('rejects what cannot be priced, naming the field, and stores nothing', async () => {
    const cases: [object, string][] = [
      [{}, 'planCode'],
      [{ planCode: 'nope' }, 'planCode'],
      [{ planCode: 'api-pro', customerId: 'cus_missing' }, 'customerId'],
      [{ planCode: 'api-pro', couponCodes: ['NOPE'] }, 'couponCodes[0]'],
      [
        {
          plan: {
            currency: 'EUR',
            interval: 'month',
            charges: [
              {
                key: 'x',
                description: 'X',
                billing: 'arrears',
                type: 'usage',
                metricCode: 'unknown_metric',
                pricing: { model: 'per_unit', unitPrice: '1' },
              },
            ],
          },
        },
        'plan.charges[0].metricCode',
      ],
    ];
    for (const [body, field] of cases) {
      const response = await post('/v1/estimates', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(
        field,
      );
    }
    const eur = await post('/v1/customers', {
      name: 'Euro GmbH',
      email: 'x@euro.test',
      currency: 'EUR',
      country: 'DE',
      timezone: 'Europe/Berlin',
      locale: 'de-DE',
    });
    const mismatch = await post('/v1/estimates', {
      planCode: 'api-pro',
      customerId: eur.json<{ id: string }>().id,
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('planCode');
    const stored = await api.db
      .selectFrom('estimates')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(4);
  });
});

describe('POST /v1/estimates of percentage pricing', () => {
  // 2.9 % + $0.30 per payment, each fee within [$0.50, $2.00], in arrears, beside a $29.00 fee.
  const percentagePlan = (code: string, allowances: object) => ({
    code,
    name: code,
    currency: 'USD',
    interval: 'month',
    charges: [
      platformFee,
      {
        key: 'payments',
        description: 'Payment processing',
        billing: 'arrears',
        type: 'usage',
        metricCode: 'payment_volume',
        pricing: {
          model: 'percentage',
          rate: '2.9',
          fixedFeePerTransaction: '30',
          minPerTransaction: '50',
          maxPerTransaction: '200',
          ...allowances,
        },
      },
    ],
  });

  beforeAll(async () => {
    const metric = await post('/v1/metrics', {
      code: 'payment_volume',
      name: 'Payment volume',
      aggregation: 'sum',
      field: 'amount',
    });
    expect(metric.statusCode).toBe(201);
    for (const [code, allowances] of [
      ['payments-plain', {}],
      ['payments-free', { freeTransactions: '10', freeAmount: '50000' }],
    ] as const) {
      expect((await post('/v1/plans', percentagePlan(code, allowances))).statusCode).toBe(201);
    }
  });

  test.each([
    ['without free allowances', 'payments-plain', {}],
    ['with free allowances', 'payments-free', {}],
    ['with free allowances and a zero count', 'payments-free', { transactionCount: '0' }],
  ])('a period without transactions is a zero line, %s', async (_name, planCode, sent) => {
    const transactions =
      'transactionCount' in sent
        ? { transactions: { payments: { transactionCount: '0', totalAmount: '0' } } }
        : {};
    const response = await post('/v1/estimates', {
      planCode,
      periodStart: '2027-03-01T00:00:00Z',
      ...transactions,
    });
    expect(response.statusCode).toBe(201);
    const estimate = response.json<Estimate>();
    const line = estimate.lines.find((l) => l.description === 'Payment processing')!;
    // No payments: 0 transactions, $0.00, not even a per-transaction minimum.
    expect(line.amount).toEqual({ amount: 0, currency: 'USD' });
    expect(line.quantity).toBe('0');
    // Worded in the estimate's locale (en-US by default): its money as the document shows it.
    expect(line.explanation[0]).toBe('0 transactions, volume $0.00');
    expect(estimate.totalBeforeTax.amount).toBe(2900);
  });
});

describe('POST /v1/estimates with tax', () => {
  const euroPlan = {
    name: 'Team',
    currency: 'EUR',
    interval: 'month',
    charges: [
      { key: 'base', description: 'Team plan', billing: 'advance', type: 'flat', amount: '10000' },
    ],
  };
  const german = (fields: object) =>
    post('/v1/customers', {
      name: 'Kunde',
      email: 'kunde@example.de',
      currency: 'EUR',
      country: 'DE',
      timezone: 'Europe/Berlin',
      locale: 'de-DE',
      ...fields,
    });

  test('a consumer in Germany pays German VAT through the seller’s OSS registration', async () => {
    const customer = (await german({})).json<{ id: string }>();
    const response = await post('/v1/estimates', {
      plan: euroPlan,
      customerId: customer.id,
      periodStart: '2027-03-01T00:00:00Z',
      couponCodes: [],
    });
    expect(response.statusCode).toBe(201);
    const estimate = response.json<
      Estimate & {
        tax: { total: { amount: number }; breakdown: { rate: string; jurisdiction: string }[] };
        total: { amount: number };
      }
    >();
    // €100.00 net; VAT 19 % = €19.00; total €119.00.
    expect(estimate.tax.total.amount).toBe(1900);
    expect(estimate.tax.breakdown).toMatchObject([{ jurisdiction: 'DE', rate: '19' }]);
    expect(estimate.total.amount).toBe(11900);
    const html = await api.request({ method: 'GET', url: `/v1/estimates/${estimate.id}/html` });
    expect(html.body).toContain('119,00');
  });

  test('a German business with a VAT number is reverse charged, with the legal mention', async () => {
    const customer = (await german({ customerType: 'business', vatNumber: 'DE123456789' })).json<{
      id: string;
    }>();
    const response = await post('/v1/estimates', { plan: euroPlan, customerId: customer.id });
    const estimate = response.json<{
      tax: { total: { amount: number }; notes: string[] };
      total: { amount: number };
    }>();
    expect(estimate.tax.total.amount).toBe(0);
    expect(estimate.total.amount).toBe(10000);
    // In the customer's language (de-DE): the wording German law expects.
    expect(estimate.tax.notes.join(' ')).toMatch(/Steuerschuldnerschaft des Leistungsempfängers/);
  });

  test('without a customer there is no tax, and the estimate says so', async () => {
    const response = await post('/v1/estimates', { plan: euroPlan });
    const estimate = response.json<{ tax: null; total: { amount: number } }>();
    expect(estimate.tax).toBeNull();
    expect(estimate.total.amount).toBe(10000);
  });
});

describe('POST /v1/estimates in the estimate’s language', () => {
  test('words a de-DE estimate like the issued invoice: German steps, German figures', async () => {
    const response = await post('/v1/estimates', {
      plan: {
        name: 'Volumen',
        currency: 'EUR',
        interval: 'month',
        charges: [
          { ...platformFee, amount: '1000' },
          {
            key: 'calls',
            description: 'API calls',
            billing: 'arrears',
            type: 'usage',
            metricCode: 'api_calls',
            pricing: {
              model: 'volume',
              tiers: [
                { upTo: '1000', unitPrice: '2' },
                { upTo: '10000', unitPrice: '1', flatFee: '500' },
                { upTo: null, unitPrice: '0.5' },
              ],
            },
          },
        ],
      },
      locale: 'de-DE',
      periodStart: '2027-03-01T00:00:00Z',
      usage: { api_calls: '1200' },
    });
    expect(response.statusCode).toBe(201);
    const estimate = response.json<Estimate>();
    const calls = estimate.lines.find((l) => l.description === 'API calls')!;
    const steps = calls.explanation.map((step) => step.replace(/\u00a0/g, ' '));
    // 1,200 units reach tier 2: 1,200 × €0.01 + its €5.00 flat fee = €17.00.
    expect(steps).toEqual([
      '1.200 Einheiten erreichen Stufe 2 (über 1.000 bis 10.000): 1.200 × 0,01 € = 12,00 €; Grundgebühr 5,00 €',
      'Summe 17,00 €',
    ]);
    const base = estimate.lines.find((l) => l.description === 'Platform fee')!;
    expect(base.explanation.map((step) => step.replace(/\u00a0/g, ' '))).toEqual([
      'Pauschale 10,00 €',
      'Summe 10,00 €',
    ]);

    // The document reads the same: German steps, no English words of ours.
    const html = await api.request({
      method: 'GET',
      url: `/v1/estimates/${estimate.id}/html`,
    });
    expect(html.statusCode).toBe(200);
    const text = html.body.replace(/\u00a0|&nbsp;/g, ' ');
    expect(text).toContain('1.200 Einheiten erreichen Stufe 2 (über 1.000 bis 10.000)');
    expect(text).toContain('Pauschale 10,00 €');
    const stepLists = text.match(/<ul class="steps">.*?<\/ul>/gs)!.join('\n');
    expect(stepLists).not.toMatch(/units reach|flat fee|flat |total/);
  });
});
