// The deferred-revenue waterfall of a real subscription, through the public API on the
// production workflow and a test clock: an annual plan (EUR 1,000.00 net) bought on 15 March 2027
// in Paris, billed at once for 15 March 2027 to 15 March 2028 (366 days: 2028 is a leap year),
// and a EUR 120.00 net refund on 10 June 2027. The figures are computed by hand in the comments.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  ANNUAL_PER_MONTH,
  asSchedule,
  REFUNDED_MONTHS,
  REFUNDED_SCHEDULE,
  waterfallRow,
} from '../support/annual-plan-revenue.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { eventually } from '../support/temporal.ts';
import {
  advanceClock,
  created,
  createBillingHarness,
  invoicesOf,
  newClock,
  subscribe,
  type BillingHarness,
} from '../support/billing-harness.ts';

const paris = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Paris' }).toUTC().toISO()!;

interface Waterfall {
  currency: string;
  asOf: string;
  months: {
    month: string;
    openingDeferred: number;
    billed: number;
    credited: number;
    recognized: number;
    closingDeferred: number;
  }[];
  deferred: number;
  schedule: { month: string; amount: number }[];
}

let h: BillingHarness;
beforeAll(async () => {
  h = await createBillingHarness();
  created(
    await h.post('/v1/plans', {
      code: 'annual-pro',
      name: 'Pro (annual)',
      currency: 'EUR',
      interval: 'year',
      amount: 100_000,
    }),
  );
});
afterAll(async () => {
  await h?.close();
});

const row = waterfallRow;

test('an annual plan invoiced mid-month is recognized day by day, a refund from its date', async () => {
  const clock = await newClock(h, paris('2027-03-15T10:00'));
  const customerId = await postCustomer(h.api, { name: 'Lutèce SAS', testClockId: clock });
  const sub = await subscribe(h, { customerId, planCode: 'annual-pro' });
  const [invoice] = await eventually('the annual invoice', async () => {
    const invoices = await invoicesOf(h, sub.id);
    return invoices.some((i) => i.number) ? invoices : undefined;
  });
  expect(invoice!.period).toEqual({
    start: paris('2027-03-15T10:00'),
    end: paris('2028-03-15T10:00'),
  });
  expect([invoice!.subtotal.amount, invoice!.tax.amount]).toEqual([100_000, 20_000]); // VAT 20 %

  // As of 31 March: EUR 1,000.00 billed, 17 of 366 days earned: round(100000 × 17 / 366) =
  // round(4644.8) = 4645. Through April (47 days): round(12841.5…) = 12842, so April 8197, and
  // so on to the last 14 days of March 2028.
  const march = await h.get<Waterfall>(
    '/v1/finance/revenue-recognition?currency=EUR&from=2027-03&to=2027-04&asOf=2027-03-31',
  );
  expect(march.months).toEqual([
    row('2027-03', 0, 100_000, 0, 4645, 95_355),
    row('2027-04', 95_355, 0, 0, 8197, 87_158),
  ]);
  expect(march.deferred).toBe(95_355);
  expect(march.schedule).toEqual(asSchedule(ANNUAL_PER_MONTH.slice(1)));

  // 10 June: EUR 144.00 refunded on the line, EUR 24.00 of it VAT: 12000 net. 87 days had
  // earned 23770; the 76230 left less 12000 is 64230, spread over the 279 days left.
  await advanceClock(h, clock, paris('2027-06-10T09:00'));
  const refund = created<{ subtotal: { amount: number }; tax: { amount: number } }>(
    await h.post(`/v1/invoices/${invoice!.id}/credit-notes`, {
      reason: 'refund',
      lines: [{ position: 0, amount: 14_400 }],
    }),
  );
  expect([refund.subtotal.amount, refund.tax.amount]).toEqual([12_000, 2_400]);

  const june = await h.get<Waterfall>(
    '/v1/finance/revenue-recognition?currency=EUR&from=2027-03&to=2027-07&asOf=2027-06-30',
  );
  expect(june.months).toEqual(REFUNDED_MONTHS);
  expect(june.deferred).toBe(59_395);
  expect(june.schedule).toEqual(asSchedule(REFUNDED_SCHEDULE));

  // As of today (real time, before the clock's 2027), none of it has happened yet.
  const today = await h.get<Waterfall>(
    '/v1/finance/revenue-recognition?currency=EUR&from=2027-03&to=2027-03',
  );
  expect(today.months).toEqual([row('2027-03', 0, 0, 0, 0, 0)]);
});
