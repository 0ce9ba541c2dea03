// Differential property test of the one invoicing path: for generated plans (every pricing
// model, free units, minimums, maximums, block rounding, a plan minimum), usage, coupons and
// mid-period changes, GET upcoming-invoice read just before the boundary must be, to the minor
// unit, the invoice the real subscription workflow issues at it; and without a change, POST
// /v1/estimates for the first period with the same quantities, aggregated usage and coupon must
// total what that invoice does. Through the API, on test clocks on the time-skipping server,
// with the real activities on real PostgreSQL. The seed is fixed per run and printed
// (FC_SEED=… replays a run).
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { percentageUsageFromTransactions } from '../support/percentage-reference.ts';
import { fixPropertySeed } from '../support/property-seed.ts';
import { eventually } from '../support/temporal.ts';
import * as harness from '../support/billing-harness.ts';
import type { BillingHarness, InvoicePreview, Sub } from '../support/billing-harness.ts';

const seed = fixPropertySeed('test/workflows/differential.test.ts');
const TZ = 'Europe/Paris';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const paris = (local: string) => DateTime.fromISO(local, { zone: TZ }).toUTC().toISO()!;
/** Anniversary monthly from 3 March 2027 10:00 Paris; the first boundary is 3 April 10:00. */
const START = paris('2027-03-03T10:00');
const BOUNDARY = paris('2027-04-03T10:00');
const MID = Date.parse(START) + 12 * DAY;

let h: BillingHarness;

beforeAll(async () => {
  h = await harness.createBillingHarness();
  harness.created(
    await h.post('/v1/metrics', { code: 'calls', name: 'Calls', aggregation: 'count' }),
  );
  harness.created(
    await h.post('/v1/metrics', {
      code: 'volume',
      name: 'Payment volume',
      aggregation: 'sum',
      field: 'amount',
    }),
  );
});

afterAll(async () => {
  await h?.close();
});

// ---- generators --------------------------------------------------------------------------

const price = fc.constantFrom('0', '0.5', '1', '2.25', '7', '40', '125');
const units = fc.integer({ min: 1, max: 4 }).map(String);
const minorUnits = (min: number, max: number) => fc.integer({ min, max }).map(String);

/** Increasing upper bounds, the last tier open. */
const bounds = (step: number) =>
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).map((widths) => {
    let upTo = 0;
    return [...widths.map((w) => String((upTo += w * step))), null];
  });

const unitTiers = bounds(2).chain((upTos) =>
  fc.tuple(...upTos.map(() => fc.tuple(price, fc.option(minorUnits(0, 300))))).map((prices) =>
    upTos.map((upTo, i) => {
      const [unitPrice, flatFee] = prices[i]!;
      return { upTo, unitPrice, ...(flatFee !== null && { flatFee }) };
    }),
  ),
);
const percentTiers = bounds(1500).chain((upTos) =>
  fc
    .tuple(
      ...upTos.map(() =>
        fc.tuple(fc.constantFrom('0', '1', '2.5', '3'), fc.option(minorUnits(0, 200))),
      ),
    )
    .map((rates) =>
      upTos.map((upTo, i) => {
        const [rate, flatFee] = rates[i]!;
        return { upTo, rate, ...(flatFee !== null && { flatFee }) };
      }),
    ),
);
const block = fc.option(units, { nil: undefined });

/** One usage charge of every model, with the metric its usage is counted by. */
const usagePricing = fc.oneof(
  fc.record({ model: fc.constant('per_unit'), unitPrice: price, blockSize: block }),
  fc.record({ model: fc.constant('graduated'), tiers: unitTiers, blockSize: block }),
  fc.record({ model: fc.constant('volume'), tiers: unitTiers, blockSize: block }),
  fc.record({
    model: fc.constant('package'),
    packageSize: units,
    packagePrice: minorUnits(0, 900),
  }),
  fc.record({
    model: fc.constant('percentage'),
    rate: fc.constantFrom('0', '1.5', '2.9'),
    fixedFeePerTransaction: minorUnits(0, 40),
    minPerTransaction: fc.option(minorUnits(0, 50), { nil: undefined }),
    maxPerTransaction: fc.option(minorUnits(60, 400), { nil: undefined }),
  }),
  fc.record({ model: fc.constant('graduated_percentage'), tiers: percentTiers }),
);

const chargeOptions = fc.record(
  {
    freeUnits: units,
    minimum: minorUnits(0, 800),
    maximum: minorUnits(900, 5000),
  },
  { requiredKeys: [] },
);

const timing = fc.constantFrom('advance', 'arrears');

const planTerms = fc.record({
  flat: minorUnits(0, 9000),
  flatBilling: timing,
  seat: minorUnits(0, 2500),
  seatBilling: timing,
  seatOptions: chargeOptions,
  pricing: usagePricing,
  usageOptions: chargeOptions,
  minimumCommitment: fc.option(minorUnits(1000, 20000), { nil: undefined }),
});
type PlanTerms = typeof planTerms extends fc.Arbitrary<infer T> ? T : never;

const usageMetric = (pricing: PlanTerms['pricing']) =>
  pricing.model === 'percentage' || pricing.model === 'graduated_percentage' ? 'volume' : 'calls';

function chargesOf(terms: PlanTerms): object[] {
  const pricing = Object.fromEntries(
    Object.entries(terms.pricing).filter(([, v]) => v !== undefined),
  );
  // Free units on a percentage charge are refused: it has its own allowances.
  const options =
    terms.pricing.model === 'percentage'
      ? { ...terms.usageOptions, freeUnits: undefined }
      : terms.usageOptions;
  return [
    {
      key: 'base',
      type: 'flat',
      description: 'Platform',
      billing: terms.flatBilling,
      amount: terms.flat,
    },
    {
      key: 'seats',
      type: 'per_seat',
      description: 'Seats',
      billing: terms.seatBilling,
      unitAmount: terms.seat,
      ...terms.seatOptions,
    },
    harness.usageCharge('usage', usageMetric(terms.pricing), pricing, {
      description: `Usage (${terms.pricing.model})`,
      ...options,
    }),
  ];
}

const coupon = fc.option(
  fc.record({
    value: fc.oneof(
      fc.record({
        type: fc.constant('percentage'),
        percent: fc.constantFrom('5', '12.5', '20', '100'),
      }),
      fc.record({
        type: fc.constant('fixed'),
        amount: fc.integer({ min: 1, max: 6000 }).map((amount) => ({ amount, currency: 'EUR' })),
      }),
    ),
    duration: fc.constantFrom(
      { type: 'once' },
      { type: 'forever' },
      { type: 'repeating', periods: 2 },
    ),
  }),
  { nil: undefined },
);

/** Events before the middle of the period (phase A) or after (phase B), in time order. */
const events = fc.array(
  fc.record({
    late: fc.boolean(),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    amount: fc.integer({ min: 0, max: 4000 }),
  }),
  { maxLength: 8 },
);

const scenario = fc.record({
  terms: planTerms,
  quantity: fc.integer({ min: 1, max: 5 }),
  coupon,
  events,
  change: fc.option(
    fc.record({
      terms: planTerms,
      quantity: fc.integer({ min: 1, max: 5 }),
      applyAt: fc.constantFrom('now', 'period_end'),
    }),
    { nil: undefined },
  ),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// ---- one case ----------------------------------------------------------------------------

let caseNumber = 0;

function timed(list: Scenario['events']) {
  // Phase A: START + 1 h … MID − 1 h; phase B: MID + 1 h … BOUNDARY − 2 h. A second apart at
  // least, so time order is the order generated within a phase.
  return list
    .map((e, i) => {
      const [from, to] = e.late
        ? [MID + HOUR, Date.parse(BOUNDARY) - 2 * HOUR]
        : [Date.parse(START) + HOUR, MID - HOUR];
      return { ...e, ms: Math.floor(from + e.at * (to - from - 60_000)) + i * 1000 };
    })
    .sort((a, b) => a.ms - b.ms)
    .map((e, i) => ({ ...e, id: `tx-${String(i).padStart(3, '0')}` }));
}

async function postEvents(sub: Sub, metric: string, list: ReturnType<typeof timed>) {
  if (list.length === 0) return;
  const response = await h.post('/v1/events', {
    events: list.map((e) => ({
      transactionId: e.id,
      subscriptionId: sub.id,
      metricCode: metric,
      timestamp: new Date(e.ms).toISOString(),
      ...(metric === 'volume' && { properties: { amount: e.amount } }),
    })),
  });
  expect(response.statusCode, response.body).toBe(200);
}

async function runCase(c: Scenario): Promise<void> {
  const n = ++caseNumber;
  const code = `diff-${n}`;
  const plan = await h.post('/v1/plans', {
    code,
    name: code,
    currency: 'EUR',
    interval: 'month',
    charges: chargesOf(c.terms),
    ...(c.terms.minimumCommitment && { minimumCommitment: c.terms.minimumCommitment }),
  });
  expect(plan.statusCode, plan.body).toBe(201);
  const clock = await harness.newClock(h, START);
  const customerId = await harness.newCustomer(h, clock);
  const sub = await harness.subscribe(h, { customerId, planCode: code, quantity: c.quantity });
  // The first period is opened (and its advance charges invoiced, if any) once the workflow
  // waits for the next boundary.
  await eventually('the workflow to wait for the boundary', async () => {
    const shown = await h.get<Sub>(`/v1/subscriptions/${sub.id}`);
    return shown.nextBillingAt === BOUNDARY;
  });
  const couponCode = `DIFF-${n}`;
  if (c.coupon) {
    harness.created(
      await h.post('/v1/coupons', { code: couponCode, description: couponCode, ...c.coupon }),
    );
    harness.created(await h.post(`/v1/subscriptions/${sub.id}/coupons`, { couponCode }));
  }
  const metric = usageMetric(c.terms.pricing);
  const all = timed(c.events);
  await harness.advanceClock(h, clock, new Date(MID).toISOString());
  await postEvents(
    sub,
    metric,
    all.filter((e) => !e.late),
  );
  if (c.change) {
    // The usage charge keeps its metric, so usage is counted alike under both terms: a model
    // that needs the other kind of metric (amounts, not counts) keeps the first terms' pricing.
    const next =
      usageMetric(c.change.terms.pricing) === metric
        ? c.change.terms
        : { ...c.change.terms, pricing: c.terms.pricing };
    const version = await h.post(`/v1/plans/${code}/versions`, {
      charges: chargesOf(next),
      ...(next.minimumCommitment && { minimumCommitment: next.minimumCommitment }),
    });
    expect(version.statusCode, version.body).toBe(201);
    const changed = await h.post(`/v1/subscriptions/${sub.id}/change`, {
      planCode: code,
      quantity: c.change.quantity,
      applyAt: c.change.applyAt,
    });
    expect(changed.statusCode, changed.body).toBe(200);
  }
  await postEvents(
    sub,
    metric,
    all.filter((e) => e.late),
  );
  await harness.advanceClock(h, clock, new Date(Date.parse(BOUNDARY) - HOUR).toISOString());
  const upcoming = await h.get<InvoicePreview>(`/v1/subscriptions/${sub.id}/upcoming-invoice`);
  expect(upcoming.issuedAt).toBe(BOUNDARY);
  await harness.advanceClock(h, clock, new Date(Date.parse(BOUNDARY) + HOUR).toISOString());
  const invoices = await harness.invoicesOf(h, sub.id);
  const issued = invoices.find((i) => i.issuedAt === BOUNDARY);
  expect(issued, JSON.stringify(invoices.map((i) => [i.issuedAt, i.period]))).toBeDefined();
  const context = JSON.stringify({ case: n, seed, scenario: c, upcoming }, null, 1);
  expect(harness.invoiceFigures(issued!), context).toEqual(harness.previewFigures(upcoming));

  if (c.change) return;
  // The estimate of the first period: its advance charges are the second's, its arrears the
  // first's, so it is the boundary invoice priced as one period.
  const usage =
    metric === 'volume' ? String(all.reduce((t, e) => t + e.amount, 0)) : String(all.length);
  const estimate = await h.post('/v1/estimates', {
    planCode: code,
    customerId,
    periodStart: START,
    quantities: { seats: c.quantity },
    usage: { [metric]: usage },
    ...(c.terms.pricing.model === 'percentage' && {
      transactions: {
        usage: percentageUsageFromTransactions(
          c.terms.pricing,
          all.map((e) => String(e.amount)),
        ),
      },
    }),
    ...(c.coupon && { couponCodes: [couponCode] }),
  });
  const e = harness.created<{
    lines: { amount: { amount: number } }[];
    subtotal: { amount: number };
    discountTotal: { amount: number };
    tax: { total: { amount: number } } | null;
    total: { amount: number };
  }>(estimate);
  const figures = harness.invoiceFigures(issued!);
  expect(
    {
      lines: e.lines.map((l) => l.amount.amount).sort((a, b) => a - b),
      subtotal: e.subtotal.amount,
      discountTotal: e.discountTotal.amount,
      tax: e.tax?.total.amount,
      total: e.total.amount,
    },
    `estimate ${context}`,
  ).toEqual({
    lines: figures.lines.map((l) => l.amount).sort((a, b) => a - b),
    subtotal: figures.subtotal,
    discountTotal: figures.discountTotal,
    tax: figures.tax,
    total: figures.total,
  });
}

test('upcoming-invoice and estimates equal the invoice the workflow issues', async () => {
  await fc.assert(fc.asyncProperty(scenario, runCase), { numRuns: 8, endOnFailure: true });
}, 240_000);
