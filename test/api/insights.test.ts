// The insights routes' answers on an empty database and their refusals: the contract's shapes
// (docs/API.md "Insights"). The figures on real billing are in test/workflows/insights.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(async () => {
  await h.close();
});

const get = (url: string) => h.request({ method: 'GET', url });

describe('insights on no data', () => {
  it('answers MRR months at zero with undefined rates', async () => {
    const response = await get('/v1/insights/mrr?currency=EUR&from=2026-01&to=2026-02');
    expect(response.statusCode, response.body).toBe(200);
    const zero = { amount: 0, currency: 'EUR' };
    expect(response.json()).toEqual({
      currency: 'EUR',
      months: ['2026-01', '2026-02'].map((month) => ({
        month,
        mrr: zero,
        arr: zero,
        customers: 0,
        arpa: zero,
        movements: {
          new: zero,
          expansion: zero,
          contraction: zero,
          churn: zero,
          reactivation: zero,
        },
        logoChurnRate: null,
        revenueChurnRate: null,
        netRevenueRetention: null,
      })),
    });
  });

  it('answers the five aging buckets for an asked currency', async () => {
    const response = await get('/v1/insights/ar-aging?asOf=2026-03-01T00:00:00Z&currency=USD');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      asOf: '2026-03-01T00:00:00.000Z',
      currencies: [
        {
          currency: 'USD',
          total: { amount: 0, currency: 'USD' },
          buckets: ['current', '1-30', '31-60', '61-90', '90+'].map((bucket) => ({
            bucket,
            amount: { amount: 0, currency: 'USD' },
            invoices: 0,
          })),
        },
      ],
    });
  });

  it('answers payments, dunning, overdue invoices and renewals', async () => {
    const payments = await get('/v1/insights/payments?currency=EUR&from=2026-01&to=2026-01');
    expect(payments.statusCode, payments.body).toBe(200);
    expect(payments.json()).toEqual({
      currency: 'EUR',
      months: [
        {
          month: '2026-01',
          collected: { amount: 0, currency: 'EUR' },
          payments: 0,
          paidOnTime: 0,
          paidLate: 0,
          averageDaysToPay: null,
          collectedAfterReminder: [],
        },
      ],
      dso: null,
    });
    const dunning = await get('/v1/insights/dunning?currency=EUR&from=2026-01&to=2026-03');
    expect(dunning.json()).toEqual({
      currency: 'EUR',
      steps: [],
      writtenOff: { amount: 0, currency: 'EUR' },
    });
    const overdue = await get('/v1/insights/overdue-invoices?asOf=2026-03-01T00:00:00Z');
    expect(overdue.json()).toEqual({ data: [], hasMore: false });
    const renewals = await get(
      '/v1/insights/upcoming-renewals?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z',
    );
    expect(renewals.json()).toEqual({ data: [], hasMore: false });
  });

  it('refuses an unknown currency, a window backwards, and a malformed month, naming the field', async () => {
    const unknown = await get('/v1/insights/mrr?currency=XXQ&from=2026-01&to=2026-02');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ errors: [{ field: 'currency' }] });
    const backwards = await get('/v1/insights/payments?currency=EUR&from=2026-03&to=2026-02');
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json()).toMatchObject({ errors: [{ field: 'to' }] });
    const malformed = await get('/v1/insights/dunning?currency=EUR&from=2026-13&to=2026-14');
    expect(malformed.statusCode).toBe(400);
    const renewals = await get(
      '/v1/insights/upcoming-renewals?from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z',
    );
    expect(renewals.statusCode).toBe(422);
  });

  it('answers at the edges of the calendar without a server error', async () => {
    const urls = [
      '/v1/insights/mrr?currency=EUR&from=1970-01&to=1979-12&asOf=0001-01-01T00:00:00Z',
      '/v1/insights/mrr?currency=EUR&from=9999-01&to=9999-12&asOf=9999-12-31T23:59:59Z',
      '/v1/insights/payments?currency=JPY&from=9999-12&to=9999-12&asOf=9999-12-31T23:59:59Z',
      '/v1/insights/dunning?currency=EUR&from=9999-12&to=9999-12',
      '/v1/insights/ar-aging?asOf=0001-01-01T00:00:00Z',
      '/v1/insights/overdue-invoices?asOf=9999-12-31T23:59:59Z&startingAfter=in_unknown',
      '/v1/insights/upcoming-renewals?from=9999-12-31T00:00:00Z',
    ];
    for (const url of urls) {
      const response = await get(url);
      expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    }
    const tooLong = await get('/v1/insights/mrr?currency=EUR&from=1970-01&to=1980-01');
    expect(tooLong.statusCode).toBe(422);
  });
});
