// Finance's insights on a hand-computed fixture: four customers billed by the real subscription
// and collection workflows on one test clock from January to April 2027, read back through
// GET /v1/insights/*. Every expected figure is written out with the arithmetic that gives it
// (definitions: docs/FINANCE.md "Insights").
//
// Plans (EUR, before tax; French VAT 20 % on every invoice):
//   basic  3,000 / month            → MRR 3,000,  invoice 3,600
//   pro    6,000 / month            → MRR 6,000,  invoice 7,200
//   yearly 120,000 / year           → MRR 120,000 / 12 = 10,000, invoice 144,000
// Customers in UTC, payment terms 14 days; dunning: reminders 3 and 10 days after the due date.
//
//   Jan 10  A basic, B pro, C basic, D yearly subscribe (invoices due Jan 24); A pays at once
//   Jan 27  reminder 1 to B, C, D               Jan 28  B pays (late, after reminder 1)
//   Feb  3  reminder 2 to C, D                  Feb 10  A, B, C renew (due Feb 24)
//   Feb 15  C pays January (after reminder 2); A, B, C pay February; A asks for pro and B for
//           basic at period end; C cancels at period end
//   Mar 10  A renews on pro, B on basic, C ends  Mar 15  A, B pay March
//   Apr 10  A, B renew (due Apr 24, unpaid)     Apr 20  C subscribes again (basic); B's April
//                                                       invoice is written off
//   D never pays.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { postCustomer } from '../support/builders/customers.ts';
import {
  advanceClock,
  created,
  createBillingHarness,
  invoicesOf,
  newClock,
  subscribe,
  type BillingHarness,
  type Invoice,
} from '../support/billing-harness.ts';
import { eventually } from '../support/temporal.ts';

let h: BillingHarness;
beforeAll(async () => {
  h = await createBillingHarness({ collections: true });
  const plan = (code: string, interval: string, amount: number) =>
    h.post('/v1/plans', { code, name: code, currency: 'EUR', interval, amount });
  created(await plan('basic', 'month', 3000));
  created(await plan('pro', 'month', 6000));
  created(await plan('yearly', 'year', 120000));
  created(
    await h.post('/v1/dunning-policies', {
      name: 'Two reminders',
      default: true,
      beforeDue: null,
      reminders: [
        { daysAfterDue: 3, tone: 'gentle' },
        { daysAfterDue: 10, tone: 'firm' },
      ],
      finalNotice: null,
      markUncollectibleAfterDays: null,
      escalation: [],
      sendWindow: { start: '00:00', end: '23:59', weekdaysOnly: false },
    }),
  );
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const eur = (amount: number) => ({ amount, currency: 'EUR' });

/** The subscription's `index`-th invoice (oldest first), once it is issued. */
const nthInvoice = (subscriptionId: string, index: number) =>
  eventually(`invoice ${index + 1} of ${subscriptionId}`, async () => {
    const invoices = (await invoicesOf(h, subscriptionId)).filter((i) => i.number);
    return invoices[index];
  });

async function pay(invoice: Invoice, reference: string): Promise<void> {
  const response = await h.post(`/v1/invoices/${invoice.id}/payments`, {
    amount: invoice.total.amount,
    method: 'bank transfer',
    reference,
  });
  expect(response.statusCode, response.body).toBe(201);
}

/** Waits until the invoice's collection has sent `count` reminders. */
const reminded = (invoice: Invoice, count: number) =>
  eventually(`${count} reminder(s) for ${invoice.number}`, async () => {
    const collection = await h.get<{ remindersSent: number }>(
      `/v1/invoices/${invoice.id}/collection`,
    );
    return collection.remindersSent >= count;
  });

test('MRR, aging, payments and dunning on four customers over four months', async () => {
  const clock = await newClock(h, '2027-01-10T00:00:00Z');
  const customer = (name: string) =>
    postCustomer(h.api, {
      name,
      email: `${name.toLowerCase()}@insights.example`,
      timezone: 'UTC',
      paymentTermsDays: 14,
      testClockId: clock,
    });
  const [a, b, c, d] = await Promise.all(['Alpha', 'Beta', 'Gamma', 'Delta'].map(customer));
  const subA = await subscribe(h, { customerId: a, planCode: 'basic' });
  const subB = await subscribe(h, { customerId: b, planCode: 'pro' });
  const subC = await subscribe(h, { customerId: c, planCode: 'basic' });
  const subD = await subscribe(h, { customerId: d, planCode: 'yearly' });
  const [janA, janB, janC, janD] = await Promise.all(
    [subA, subB, subC, subD].map((s) => nthInvoice(s.id, 0)),
  );
  expect([janA, janB, janC, janD].map((i) => i!.total.amount)).toEqual([3600, 7200, 3600, 144000]);
  await pay(janA!, 'a-jan');

  await advanceClock(h, clock, '2027-01-28T00:00:00Z');
  await Promise.all([reminded(janB!, 1), reminded(janC!, 1), reminded(janD!, 1)]);
  await pay(janB!, 'b-jan');

  // As of Jan 28: C's and D's January invoices, due Jan 24, are 4 days overdue.
  const early = await h.get('/v1/insights/ar-aging?asOf=2027-01-28T00:00:00Z&currency=EUR');
  expect(early).toEqual({
    asOf: '2027-01-28T00:00:00.000Z',
    currencies: [
      {
        currency: 'EUR',
        total: eur(147600), // 3,600 + 144,000
        buckets: [
          { bucket: 'current', amount: eur(0), invoices: 0 },
          { bucket: '1-30', amount: eur(147600), invoices: 2 },
          { bucket: '31-60', amount: eur(0), invoices: 0 },
          { bucket: '61-90', amount: eur(0), invoices: 0 },
          { bucket: '90+', amount: eur(0), invoices: 0 },
        ],
      },
    ],
  });

  await advanceClock(h, clock, '2027-02-15T00:00:00Z');
  await Promise.all([reminded(janC!, 2), reminded(janD!, 2)]);
  const [febA, febB, febC] = await Promise.all([subA, subB, subC].map((s) => nthInvoice(s.id, 1)));
  await pay(janC!, 'c-jan');
  await Promise.all([pay(febA!, 'a-feb'), pay(febB!, 'b-feb'), pay(febC!, 'c-feb')]);
  for (const [id, body] of [
    [subA.id, { planCode: 'pro', applyAt: 'period_end' }],
    [subB.id, { planCode: 'basic', applyAt: 'period_end' }],
  ] as const) {
    const response = await h.post(`/v1/subscriptions/${id}/change`, body);
    expect(response.statusCode, response.body).toBe(200);
  }
  const cancel = await h.post(`/v1/subscriptions/${subC.id}/cancel`, { cancelAt: 'period_end' });
  expect(cancel.statusCode, cancel.body).toBe(200);

  await advanceClock(h, clock, '2027-03-15T00:00:00Z');
  const [marA, marB] = await Promise.all([subA, subB].map((s) => nthInvoice(s.id, 2)));
  expect([marA!.total.amount, marB!.total.amount]).toEqual([7200, 3600]);
  await Promise.all([pay(marA!, 'a-mar'), pay(marB!, 'b-mar')]);

  await advanceClock(h, clock, '2027-04-20T00:00:00Z');
  const [, aprB] = await Promise.all([subA, subB].map((s) => nthInvoice(s.id, 3)));
  const writeOff = await h.post(`/v1/invoices/${aprB!.id}/mark-uncollectible`, {});
  expect(writeOff.statusCode, writeOff.body).toBe(200);
  const subC2 = await subscribe(h, { customerId: c, planCode: 'basic' });
  await nthInvoice(subC2.id, 0);
  const asOf = '2027-04-20T00:00:00.000Z';

  // MRR at each month end (April: as of Apr 20).
  //   Jan: A 3,000 + B 6,000 + C 3,000 + D 10,000 = 22,000, all new; ARPA 22,000 / 4 = 5,500.
  //   Feb: unchanged (the changes and C's cancel take effect on Mar 10): every rate on 22,000.
  //   Mar: A 6,000 (+3,000 expansion), B 3,000 (−3,000 contraction), C 0 (−3,000 churn),
  //        D 10,000 = 19,000 = 22,000 + 3,000 − 3,000 − 3,000; ARPA 19,000 / 3 = 6,333.33 → 6,333.
  //        Logo churn 1 / 4 = 25.00 %; revenue churn (3,000 + 3,000) / 22,000 = 27.27 %;
  //        NRR (22,000 + 3,000 − 3,000 − 3,000) / 22,000 = 86.3636… → 86.36 %.
  //   Apr: C back on basic: +3,000 reactivation → 22,000; logo churn 0 / 3; NRR 19,000 / 19,000.
  const mrr = await h.get(`/v1/insights/mrr?currency=EUR&from=2027-01&to=2027-04&asOf=${asOf}`);
  const movements = (n: number, exp: number, con: number, churn: number, react: number) => ({
    new: eur(n),
    expansion: eur(exp),
    contraction: eur(con),
    churn: eur(churn),
    reactivation: eur(react),
  });
  expect(mrr).toEqual({
    currency: 'EUR',
    months: [
      {
        month: '2027-01',
        mrr: eur(22000),
        arr: eur(264000), // 12 × 22,000
        customers: 4,
        arpa: eur(5500),
        movements: movements(22000, 0, 0, 0, 0),
        logoChurnRate: null, // no customers at the start
        revenueChurnRate: null,
        netRevenueRetention: null,
      },
      {
        month: '2027-02',
        mrr: eur(22000),
        arr: eur(264000),
        customers: 4,
        arpa: eur(5500),
        movements: movements(0, 0, 0, 0, 0),
        logoChurnRate: '0.00',
        revenueChurnRate: '0.00',
        netRevenueRetention: '100.00',
      },
      {
        month: '2027-03',
        mrr: eur(19000),
        arr: eur(228000),
        customers: 3,
        arpa: eur(6333),
        movements: movements(0, 3000, -3000, -3000, 0),
        logoChurnRate: '25.00',
        revenueChurnRate: '27.27',
        netRevenueRetention: '86.36',
      },
      {
        month: '2027-04',
        mrr: eur(22000),
        arr: eur(264000),
        customers: 4,
        arpa: eur(5500),
        movements: movements(0, 0, 0, 0, 3000),
        logoChurnRate: '0.00',
        revenueChurnRate: '0.00',
        netRevenueRetention: '100.00',
      },
    ],
  });

  // Owed at Apr 20: D's January invoice (due Jan 24: 86 days → 61-90); A's April invoice (due
  // Apr 24) and C's new one (due May 4) are current: 7,200 + 3,600. B's April one is written off.
  const aging = await h.get(`/v1/insights/ar-aging?asOf=${asOf}`);
  expect(aging).toEqual({
    asOf,
    currencies: [
      {
        currency: 'EUR',
        total: eur(154800), // 144,000 + 10,800
        buckets: [
          { bucket: 'current', amount: eur(10800), invoices: 2 },
          { bucket: '1-30', amount: eur(0), invoices: 0 },
          { bucket: '31-60', amount: eur(0), invoices: 0 },
          { bucket: '61-90', amount: eur(144000), invoices: 1 },
          { bucket: '90+', amount: eur(0), invoices: 0 },
        ],
      },
    ],
  });
  const overdue = await h.get(`/v1/insights/overdue-invoices?asOf=${asOf}&currency=EUR`);
  expect(overdue).toEqual({
    data: [
      {
        invoiceId: janD!.id,
        number: janD!.number,
        customerId: d,
        customerName: 'Delta',
        amountDue: eur(144000),
        dueAt: '2027-01-24T00:00:00.000Z',
        daysOverdue: 86, // Jan 24 → Apr 20: 7 + 28 + 31 + 20
        subscriptionId: subD.id,
      },
    ],
    hasMore: false,
  });

  // Payments by month, and DSO over Jan 1 – Apr 20 (109 days):
  //   Jan: A 3,600 (day 0, on time), B 7,200 (Jan 10 → 28: 18 days, late, after reminder 1):
  //        average (0 + 18) / 2 = 9.00.
  //   Feb: C's January 3,600 (Jan 10 → Feb 15: 36 days, late, after reminder 2); A 3,600, B 7,200
  //        and C 3,600 for February (Feb 10 → 15: 5 days, on time): (36 + 5 + 5 + 5) / 4 = 12.75.
  //   Mar: A 7,200 and B 3,600, 5 days each, on time.   Apr: nothing received.
  //   DSO: owed 154,800 / invoiced 198,000 (Jan 158,400 + Feb 14,400 + Mar 10,800
  //        + Apr 14,400; written off is still invoiced) × 109 days = 85.218… → 85.22.
  const payments = await h.get(
    `/v1/insights/payments?currency=EUR&from=2027-01&to=2027-04&asOf=${asOf}`,
  );
  expect(payments).toEqual({
    currency: 'EUR',
    months: [
      {
        month: '2027-01',
        collected: eur(10800),
        payments: 2,
        paidOnTime: 1,
        paidLate: 1,
        averageDaysToPay: '9.00',
        collectedAfterReminder: [{ step: 1, amount: eur(7200), invoices: 1 }],
      },
      {
        month: '2027-02',
        collected: eur(18000),
        payments: 4,
        paidOnTime: 3,
        paidLate: 1,
        averageDaysToPay: '12.75',
        collectedAfterReminder: [{ step: 2, amount: eur(3600), invoices: 1 }],
      },
      {
        month: '2027-03',
        collected: eur(10800),
        payments: 2,
        paidOnTime: 2,
        paidLate: 0,
        averageDaysToPay: '5.00',
        collectedAfterReminder: [],
      },
      {
        month: '2027-04',
        collected: eur(0),
        payments: 0,
        paidOnTime: 0,
        paidLate: 0,
        averageDaysToPay: null,
        collectedAfterReminder: [],
      },
    ],
    dso: '85.22',
  });

  // Dunning on the invoices due January–April: reminder 1 went to B, C and D (B paid after it),
  // reminder 2 to C and D (C paid after it); B's April invoice, 3,600, was written off.
  const dunning = await h.get('/v1/insights/dunning?currency=EUR&from=2027-01&to=2027-04');
  expect(dunning).toEqual({
    currency: 'EUR',
    steps: [
      { step: 1, sent: 3, paidAfter: 1, recoveredAmount: eur(7200) },
      { step: 2, sent: 2, paidAfter: 1, recoveredAmount: eur(3600) },
    ],
    writtenOff: eur(3600),
  });

  // Renewing in the next 30 days: A (pro, 6,000) and B (basic, 3,000) on May 10, C on May 20.
  const renewals = await h.get<{ data: unknown[] }>(
    `/v1/insights/upcoming-renewals?from=${asOf}&to=2027-05-20T00:00:01Z&currency=EUR`,
  );
  expect(renewals.data).toHaveLength(3);
  expect(renewals).toEqual({
    data: expect.arrayContaining([
      expect.objectContaining({ customerId: a, planCode: 'pro', amount: eur(6000) }),
      expect.objectContaining({ customerId: b, planCode: 'basic', amount: eur(3000) }),
      expect.objectContaining({
        subscriptionId: subC2.id,
        customerName: 'Gamma',
        renewsAt: '2027-05-20T00:00:00.000Z',
        amount: eur(3000),
      }),
    ]) as unknown[],
    hasMore: false,
  });
}, 600_000);
