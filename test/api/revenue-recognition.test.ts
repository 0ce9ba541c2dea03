// The deferred-revenue waterfall through the API for manual invoices on a test clock (no worker):
// lines without a service period are recognized on their invoice's date, a refund is taken back
// on its own date, a void removes its invoice as of the void, another currency is not counted,
// and what the endpoint cannot answer is refused naming the field. (A subscription's ratable
// recognition, on the real workflow: test/workflows/revenue-recognition.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { clockedApi, type ClockedApi } from '../support/clocked-api.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

const T0 = '2027-03-10T10:00:00.000Z';
const T1 = '2027-03-12T09:30:00.000Z';
const T2 = '2027-04-02T08:15:00.000Z';

interface Waterfall {
  months: { month: string; billed: number; credited: number; recognized: number }[];
  deferred: number;
  schedule: unknown[];
}

describe('revenue recognition through the API', () => {
  let api: ApiHarness;
  let clocked: ClockedApi;
  beforeAll(async () => {
    api = await createApiHarness({ temporal: recordingTemporal().client });
    clocked = clockedApi(api);
  });
  afterAll(async () => api?.close());

  async function invoiceFor(customerId: string, unitPrice: number) {
    const lines = [{ description: 'Workshop', quantity: 1, unitPrice }];
    const draft = await clocked.call<{ id: string }>(
      'POST',
      '/v1/invoices',
      { customerId, lines },
      201,
    );
    return clocked.call<{ id: string; subtotal: { amount: number } }>(
      'POST',
      `/v1/invoices/${draft.id}/finalize`,
      {},
    );
  }

  const waterfall = (query: string) =>
    clocked.call<Waterfall>('GET', `/v1/finance/revenue-recognition?${query}`);

  it('recognizes period-less lines on the invoice date, refunds on theirs, and drops a void', async () => {
    const clock = await clocked.newClock(T0);
    const customer = (currency: string) =>
      clocked
        .call<{ id: string }>(
          'POST',
          '/v1/customers',
          {
            name: 'Hooli SAS',
            email: 'ap@hooli.test',
            currency,
            country: 'FR',
            timezone: 'Europe/Paris',
            locale: 'en-GB',
            testClockId: clock,
          },
          201,
        )
        .then((c) => c.id);
    const eur = await customer('EUR');
    const usd = await customer('USD');
    const kept = await invoiceFor(eur, 10_000); // EUR 100.00 net, VAT 20 %
    const voided = await invoiceFor(eur, 5_000);
    await invoiceFor(usd, 99_999);

    await clocked.advanceTo(clock, T1);
    // EUR 12.00 refunded, EUR 2.00 of it VAT: 1000 net, taken back on 12 March.
    await clocked.call(
      'POST',
      `/v1/invoices/${kept.id}/credit-notes`,
      { reason: 'refund', amount: 1_200 },
      201,
    );
    await clocked.advanceTo(clock, T2);
    await clocked.call('POST', `/v1/invoices/${voided.id}/void`, {});

    const march = await waterfall('currency=EUR&from=2027-03&to=2027-04&asOf=2027-03-31');
    expect(march.months).toEqual([
      {
        month: '2027-03',
        openingDeferred: 0,
        billed: 15_000,
        credited: 1_000,
        recognized: 14_000,
        closingDeferred: 0,
      },
      {
        month: '2027-04',
        openingDeferred: 0,
        billed: 0,
        credited: 0,
        recognized: 0,
        closingDeferred: 0,
      },
    ]);
    expect([march.deferred, march.schedule]).toEqual([0, []]);

    // As of the void (2 April in Paris), the voided invoice is gone from March too.
    const april = await waterfall('currency=EUR&from=2027-03&to=2027-03&asOf=2027-04-02');
    expect(april.months[0]).toMatchObject({ billed: 10_000, credited: 1_000, recognized: 9_000 });

    const dollars = await waterfall('currency=USD&from=2027-03&to=2027-03&asOf=2027-04-02');
    expect(dollars.months[0]).toMatchObject({ billed: 99_999, recognized: 99_999 });
  });

  it('refuses what it cannot answer, naming the field', async () => {
    const cases: [string, number, string][] = [
      ['currency=XXX&from=2027-01&to=2027-02', 422, 'currency'],
      ['currency=EUR&from=9999-01&to=9999-02', 422, 'from'],
      ['currency=EUR&from=2027-13&to=2027-02', 400, 'from'],
      ['currency=EUR&from=2027-03&to=2027-02', 422, 'to'],
      ['currency=EUR&from=2017-01&to=2027-01', 422, 'to'],
      ['currency=EUR&from=2027-01&to=2027-02&asOf=2027-02-29', 422, 'asOf'],
      ['from=2027-01&to=2027-02', 400, 'currency'],
      ['currency=EUR&from=2027-01-01&to=2027-02', 400, 'from'],
    ];
    for (const [query, status, field] of cases) {
      const response = await api.request({
        method: 'GET',
        url: `/v1/finance/revenue-recognition?${query}`,
      });
      expect(response.statusCode, query).toBe(status);
      expect(response.json<{ errors: { field: string }[] }>().errors[0]!.field, query).toBe(field);
    }
  });
});
