// Worked examples, one per defect of the invoicing issue, through the public API on the real
// subscription workflow (time-skipping server, real activities, real PostgreSQL), each on a
// test clock so every date and every proration is exact. The arithmetic is in the comments.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '../support/temporal.ts';
import {
  advanceClock,
  created,
  createBillingHarness,
  invoiceFigures,
  invoicesOf,
  newClock,
  newCustomer,
  previewFigures,
  subscribe,
  type BillingHarness,
  type InvoicePreview,
  type Sub,
  usageCharge,
} from '../support/billing-harness.ts';

const TZ = 'Europe/Paris';
/** An instant given as a wall time in Paris. */
const paris = (local: string) => DateTime.fromISO(local, { zone: TZ }).toUTC().toISO()!;

let h: BillingHarness;

const flat = (amount: number, billing: 'advance' | 'arrears', description = 'Platform') => ({
  key: 'base',
  type: 'flat',
  description,
  billing,
  amount: String(amount),
});

async function plan(code: string, charges: object[]): Promise<void> {
  created(
    await h.post('/v1/plans', { code, name: code, currency: 'EUR', interval: 'month', charges }),
  );
}

async function coupon(code: string, duration: object, percent = '20'): Promise<void> {
  created(
    await h.post('/v1/coupons', {
      code,
      description: `${code} −${percent} %`,
      value: { type: 'percentage', percent },
      duration,
    }),
  );
}

beforeAll(async () => {
  h = await createBillingHarness();
  created(
    await h.post('/v1/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' }),
  );
  await plan('d-flat30', [flat(3000, 'advance')]);
  await plan('d-flat60', [flat(6000, 'advance')]);
  await plan('d-a30', [flat(3000, 'arrears', 'Plan A')]);
  await plan('d-b60', [flat(6000, 'arrears', 'Plan B')]);
  await plan('d-usage', [
    flat(3000, 'advance'),
    usageCharge(
      'calls',
      'api_calls',
      { model: 'per_unit', unitPrice: '2' },
      { description: 'API calls' },
    ),
  ]);
});

afterAll(async () => {
  await h?.close();
});

/** A calendar monthly subscription from 1 April 2027 00:00 Paris, its clock at 16 April 00:00. */
async function halfwayThroughApril(planCode: string): Promise<{ clock: string; sub: Sub }> {
  const clock = await newClock(h, paris('2027-04-01T00:00'));
  const customerId = await newCustomer(h, clock);
  const sub = await subscribe(h, { customerId, planCode, anchoring: { type: 'calendar' } });
  await advanceClock(h, clock, paris('2027-04-16T00:00'));
  return { clock, sub };
}

describe('invoice defects, worked examples', () => {
  test('defect 1: a 20 % coupon on a subscription discounts its next invoices, once or repeating 2', async () => {
    // €30.00 a month in advance, anniversary on 10 March 2027 11:00 Paris; the first invoice
    // (10 March) is issued at subscribe, before the coupons are applied.
    // Each discounted renewal: 20 % × 3000 = 600 off → 2400; VAT 20 % × 2400 = 480 → 2880.
    // Each undiscounted one: 3000 + VAT 600 = 3600.
    // once: the 10 April invoice only (periodsApplied 1); repeating 2: 10 April and 10 May (2).
    await coupon('D1-ONCE', { type: 'once' });
    await coupon('D1-TWICE', { type: 'repeating', periods: 2 });
    const clock = await newClock(h, paris('2027-03-10T11:00'));
    const subs: Record<string, Sub> = {};
    for (const code of ['D1-ONCE', 'D1-TWICE']) {
      const customerId = await newCustomer(h, clock);
      subs[code] = await subscribe(h, { customerId, planCode: 'd-flat30' });
      created(await h.post(`/v1/subscriptions/${subs[code].id}/coupons`, { couponCode: code }));
    }
    // Three renewals: 10 April, 10 May, 10 June.
    await advanceClock(h, clock, paris('2027-06-11T00:00'));
    const expected: Record<string, number[]> = {
      'D1-ONCE': [0, 600, 0, 0],
      'D1-TWICE': [0, 600, 600, 0],
    };
    for (const [code, discounts] of Object.entries(expected)) {
      const invoices = await invoicesOf(h, subs[code]!.id);
      expect(invoices.map((i) => i.discountTotal.amount)).toEqual(discounts);
      expect(invoices.map((i) => i.total.amount)).toEqual(discounts.map((d) => (d ? 2880 : 3600)));
      const applied = await h.get<{ data: { periodsApplied: number; coupon: { code: string } }[] }>(
        `/v1/subscriptions/${subs[code]!.id}/coupons`,
      );
      expect(applied.data).toEqual([
        expect.objectContaining({
          periodsApplied: discounts.filter((d) => d > 0).length,
          coupon: expect.objectContaining({ code }) as object,
        }),
      ]);
    }
  });

  test('defect 3: A (€30 arrears) changed to B (€60 arrears) halfway through a 30-day month bills 15/30 of each', async () => {
    // Calendar monthly from 1 April 2027 00:00 Paris (April has 30 days). Change at 16 April
    // 00:00, 15 days in, applyAt now. The 1 May invoice bills the arrears of April:
    //   Plan A, 1–16 April: 3000 × 15/30 = 1500 (€15.00)
    //   Plan B, 16 April–1 May: 6000 × 15/30 = 3000 (€30.00)
    // subtotal 4500, VAT 20 % 900, total 5400.
    const { clock, sub } = await halfwayThroughApril('d-a30');
    const changed = await h.post(`/v1/subscriptions/${sub.id}/change`, {
      planCode: 'd-b60',
      applyAt: 'now',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    await advanceClock(h, clock, paris('2027-04-30T23:00'));
    const upcoming = await h.get<InvoicePreview>(`/v1/subscriptions/${sub.id}/upcoming-invoice`);
    await advanceClock(h, clock, paris('2027-05-01T01:00'));
    const invoices = await invoicesOf(h, sub.id);
    const boundary = invoices.find(
      (i) => i.period?.start === paris('2027-04-01T00:00') && i.lines.length === 2,
    );
    expect(boundary, JSON.stringify(invoices, null, 2)).toBeDefined();
    expect(boundary!.lines.map((l) => [l.description, l.amount.amount, l.period])).toEqual([
      [
        expect.stringContaining('Plan A') as string,
        1500,
        { start: paris('2027-04-01T00:00'), end: paris('2027-04-16T00:00') },
      ],
      [
        expect.stringContaining('Plan B') as string,
        3000,
        { start: paris('2027-04-16T00:00'), end: paris('2027-05-01T00:00') },
      ],
    ]);
    expect(invoiceFigures(boundary!)).toMatchObject({ subtotal: 4500, tax: 900, total: 5400 });
    // The prediction said the same, and shows the proration in each line's explanation.
    expect(previewFigures(upcoming)).toEqual(invoiceFigures(boundary!));
    const explanations = upcoming.lines.map((l) => l.explanation.join('\n'));
    expect(explanations).toEqual([
      expect.stringMatching(/15\/30/) as string,
      expect.stringMatching(/15\/30/) as string,
    ]);
  });

  test('defect 4: a calendar subscription started on the 10th bills from the 10th, API and HTML', async () => {
    // Calendar monthly, started 10 February 2027 10:00 Paris: the first invoice is the stub
    // 10 Feb → 1 March, 19 of February's 28 days: 3000 × 19/28 = 2035.71… → 2036 (€20.36).
    const start = paris('2027-02-10T10:00');
    const clock = await newClock(h, start);
    const customerId = await newCustomer(h, clock);
    const sub = await subscribe(h, {
      customerId,
      planCode: 'd-flat30',
      anchoring: { type: 'calendar' },
    });
    const [first] = await eventually('the first invoice', async () => {
      const invoices = await invoicesOf(h, sub.id);
      return invoices.length > 0 && invoices;
    });
    expect(first!.period).toEqual({ start, end: paris('2027-03-01T00:00') });
    expect(first!.lines.map((l) => [l.amount.amount, l.period])).toEqual([
      [2036, { start, end: paris('2027-03-01T00:00') }],
    ]);
    // The HTML is rendered by the activity after the invoice's: wait for it.
    const html = await eventually('the invoice HTML', async () => {
      const response = await h.api.request({
        method: 'GET',
        url: `/v1/invoices/${first!.id}/html`,
      });
      return response.statusCode === 200 && response;
    });
    // "10–28 février 2027" in the customer's locale (and language): the stub's first and last
    // local days.
    const servicePeriod = /Période de service<\/th><td>([^<]*)<\/td>/.exec(html.body)?.[1];
    expect(servicePeriod, html.body).toMatch(/^10\D+28 février 2027$/u);
  });

  // Billing day 25, started 16 March 2027 10:00 Paris: a stub 16 → 25 March inside the billing
  // period 25 February → 25 March (28 days): 3000 × 9/28 = 964.28… → 964 (€9.64).
  async function billingDay25(): Promise<{ sub: Sub; start: string }> {
    const start = paris('2027-03-16T10:00');
    const clock = await newClock(h, start);
    const customerId = await newCustomer(h, clock);
    const { id } = await subscribe(h, {
      customerId,
      planCode: 'd-flat30',
      anchoring: { type: 'billing_day', day: 25 },
    });
    const [first] = await eventually('the first invoice', async () => {
      const invoices = await invoicesOf(h, id);
      return invoices.length > 0 && invoices;
    });
    const stub = { start, end: paris('2027-03-25T00:00') };
    expect(first!.period).toEqual(stub);
    expect(first!.lines.map((l) => [l.amount.amount, l.period])).toEqual([[964, stub]]);
    // The workflow counts the invoice once its activity answers, a moment after the row exists.
    const sub = await eventually('the workflow to count its first invoice', async () => {
      const shown = await h.get<Sub>(`/v1/subscriptions/${id}`);
      return shown.invoicesIssued >= 1 && shown;
    });
    return { sub, start };
  }

  test('defect 4: billing day 25 started on the 16th bills the stub 16 → 25', async () => {
    const { sub } = await billingDay25();
    expect(sub).toMatchObject({ invoicesIssued: 1, nextBillingAt: paris('2027-03-25T00:00') });
  });

  // anchorAt is the first full period's start (25 March 00:00 Paris), never the start of the
  // billing period enclosing the stub (25 February), which was before the subscription began;
  // and the current period is the stub itself, from the start.
  test('defect 4: billing day 25 started on the 16th: anchorAt is not before the start', async () => {
    const { sub, start } = await billingDay25();
    expect(sub.anchorAt).toBe(new Date(paris('2027-03-25T00:00')).toISOString());
    expect(Date.parse(sub.anchorAt)).toBeGreaterThanOrEqual(Date.parse(start));
    expect(sub.currentPeriod).toEqual({
      start: new Date(start).toISOString(),
      end: new Date(paris('2027-03-25T00:00')).toISOString(),
    });
  });

  test('defect 5: upcoming-invoice just before the boundary is the invoice issued at it', async () => {
    // €30.00 a month in advance + API calls at 2 cents in arrears, 10 % off forever; anniversary
    // from 3 May 2027 09:00 Paris, 7 calls in the first period. The 3 June invoice:
    //   API calls (arrears, May): 7 × 2 = 14;  Platform (advance, June): 3000;  subtotal 3014
    //   discount 10 % × 3014 = 301.4 → 301 (300 on Platform, 1 on API calls)
    //   VAT 20 %: 2700 × 20 % = 540, 13 × 20 % = 2.6 → 3: 543;  total 3014 − 301 + 543 = 3256.
    await coupon('D5-TEN', { type: 'forever' }, '10');
    const start = paris('2027-05-03T09:00');
    const clock = await newClock(h, start);
    const customerId = await newCustomer(h, clock);
    const sub = await subscribe(h, { customerId, planCode: 'd-usage' });
    created(await h.post(`/v1/subscriptions/${sub.id}/coupons`, { couponCode: 'D5-TEN' }));
    await advanceClock(h, clock, paris('2027-05-20T09:00'));
    const events = Array.from({ length: 7 }, (_, i) => ({
      transactionId: `d5-${i}`,
      subscriptionId: sub.id,
      metricCode: 'api_calls',
      timestamp: paris(`2027-05-1${i}T12:00`),
    }));
    const ingested = await h.post('/v1/events', { events });
    expect(ingested.statusCode, ingested.body).toBe(200);
    await advanceClock(h, clock, paris('2027-06-03T08:59'));
    const upcoming = await h.get<InvoicePreview>(`/v1/subscriptions/${sub.id}/upcoming-invoice`);
    await advanceClock(h, clock, paris('2027-06-03T09:01'));
    const invoices = await invoicesOf(h, sub.id);
    expect(invoices).toHaveLength(2);
    const issued = invoiceFigures(invoices[1]!);
    expect(issued).toMatchObject({ subtotal: 3014, discountTotal: 301, tax: 543, total: 3256 });
    expect(issued.lines.map((l) => [l.amount, l.discount])).toEqual(
      expect.arrayContaining([
        [3000, 300],
        [14, 1],
      ]),
    );
    expect(previewFigures(upcoming)).toEqual(issued);
    expect(upcoming.issuedAt).toBe(paris('2027-06-03T09:00'));
  });

  test('defect 5: preview-change is the change’s invoice and credit note', async () => {
    // Calendar monthly €30.00 in advance from 1 April 2027; at 16 April 00:00 (15 of 30 days
    // left) an upgrade to €60.00:
    //   credit note: 3000 × 15/30 = 1500 + VAT 300 = 1800
    //   invoice:     6000 × 15/30 = 3000 + VAT 600 = 3600;  net 1800.
    const { sub } = await halfwayThroughApril('d-flat30');
    const preview = await h.get<{
      applyAt: string;
      credit: { amount: number };
      charge: { amount: number };
      net: { amount: number };
      invoice: InvoicePreview;
    }>(`/v1/subscriptions/${sub.id}/preview-change?planCode=d-flat60`);
    expect(preview).toMatchObject({
      applyAt: 'now',
      credit: { amount: 1800 },
      charge: { amount: 3600 },
      net: { amount: 1800 },
    });
    const changed = await h.post(`/v1/subscriptions/${sub.id}/change`, { planCode: 'd-flat60' });
    expect(changed.statusCode, changed.body).toBe(200);
    const invoices = await invoicesOf(h, sub.id);
    expect(invoices).toHaveLength(2);
    expect(previewFigures(preview.invoice)).toEqual(invoiceFigures(invoices[1]!));
    const notes = await h.get<{
      data: { subtotal: { amount: number }; total: { amount: number } }[];
    }>(`/v1/invoices/${invoices[0]!.id}/credit-notes`);
    expect(notes.data.map((n) => [n.subtotal.amount, n.total.amount])).toEqual([[1500, 1800]]);
    expect(preview.credit.amount).toBe(notes.data[0]!.total.amount);
    expect(preview.charge.amount).toBe(invoices[1]!.total.amount);
  });
});
