// Threshold billing's invariants over random periods (issue #14), with the real rating, threshold
// and wallet functions: usage arrives (graduated calls with a cap, a peak metric aggregated by
// max, with its own minimum, under a plan minimum), credit is granted and expires, the live
// balance's check (crossedThresholds on unbilledUsage) issues interim invoices, and the period
// ends. Every invoice is paid by wallets as the period invoice is (promotional credit before tax,
// purchased after). The wallet never goes negative, every unit is paid by exactly one source, and
// the interim invoices plus the period-end invoice bill the period's full rated amount, to the
// minor unit, line by line. With prices that fall (volume pricing, a `latest` metric that
// drops), the interim invoices' credit notes take off what they billed beyond the full rating.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlanVersion, PricingModel } from '../../domain/catalog/types.ts';
import {
  ratePeriodInvoice,
  storedLines,
  type PeriodInvoice,
} from '../../domain/invoicing/period-invoice.ts';
import {
  crossedThresholds,
  interimBilledOf,
  interimBilledOfLines,
  interimCredits,
  interimInvoice,
  lessInterimBilled,
  overbilledByInterim,
  unbilledUsage,
  type InterimInvoiceLine,
} from '../../domain/invoicing/threshold.ts';
import type { GrantKind } from '../../domain/wallets/draw.ts';
import { fixPropertySeed } from '../support/property-seed.ts';
import { walletLedger } from '../support/wallet-ledger.ts';

fixPropertySeed('threshold-properties');

const PERIOD = { start: '2027-01-01T00:00:00.000Z', end: '2027-02-01T00:00:00.000Z' };
const START = Date.parse(PERIOD.start);
const HOUR = 3_600_000;

const plan: PlanVersion = {
  planCode: 'metered',
  version: 1,
  currency: 'EUR',
  billingCycle: { interval: 'month', intervalCount: 1 },
  taxBehavior: 'exclusive',
  charges: [
    {
      key: 'calls',
      type: 'usage',
      billing: 'arrears',
      description: 'Calls',
      metricCode: 'calls',
      maximum: '9000',
      pricing: {
        model: 'graduated',
        tiers: [
          { upTo: '100', unitPrice: '10' },
          { upTo: '1000', unitPrice: '5', flatFee: '50' },
          { upTo: null, unitPrice: '2.5' },
        ],
      },
    },
    {
      key: 'peak',
      type: 'usage',
      billing: 'arrears',
      description: 'Peak',
      metricCode: 'peak',
      minimum: '300',
      pricing: { model: 'per_unit', unitPrice: '7' },
    },
  ],
  minimumCommitment: '2000',
};
const USAGE_CHARGES = new Set(['calls', 'peak']);

type Step =
  | { op: 'consume'; calls: number; peak: number }
  | { op: 'grant'; kind: GrantKind; amount: number; expiresInHours: number | null }
  | { op: 'wait'; hours: number }
  | { op: 'read' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('consume' as const),
    calls: fc.integer({ min: 0, max: 400 }),
    peak: fc.integer({ min: 0, max: 300 }),
  }),
  fc.record({
    op: fc.constant('grant' as const),
    kind: fc.constantFrom<GrantKind>('purchased', 'promotional'),
    amount: fc.integer({ min: 1, max: 3_000 }),
    expiresInHours: fc.option(fc.integer({ min: 1, max: 200 }), { nil: null }),
  }),
  fc.record({ op: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 48 }) }),
  fc.constant({ op: 'read' as const }),
);

/** The period's arrears rated from its start with the usage so far (as the balance reads it). */
function rateSoFar(usage: { calls: number; peak: number }): PeriodInvoice {
  return rateUsage(plan, usage);
}

/** A plan of usage charges in arrears only (no minimum), one per metric of the same code. */
function usagePlan(pricings: Record<string, PricingModel>): PlanVersion {
  return {
    ...plan,
    charges: Object.entries(pricings).map(([key, pricing]) => ({
      key,
      type: 'usage' as const,
      billing: 'arrears' as const,
      description: key,
      metricCode: key,
      pricing,
    })),
    minimumCommitment: undefined,
  };
}

/** The whole period rated on a plan with the usage given per metric code. */
function rateUsage(on: PlanVersion, usage: Record<string, number>): PeriodInvoice {
  const quantities = Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, String(v)]));
  return ratePeriodInvoice({
    timezone: 'UTC',
    roundingMode: 'half_up',
    arrears: {
      period: PERIOD,
      segments: [
        {
          plan: on,
          quantity: 1,
          from: PERIOD.start,
          to: PERIOD.end,
          usage: quantities,
          transactions: {},
        },
      ],
    },
  });
}

/** Volume pricing: the tier the total reaches prices every unit, cheaper as the volume grows. */
const volume = (...tiers: [string | null, string][]): PricingModel => ({
  model: 'volume',
  tiers: tiers.map(([upTo, unitPrice]) => ({ upTo, unitPrice })),
});

describe('threshold billing over random periods', () => {
  it('wallet never negative, each unit paid once, interim + period end = full amount', () => {
    let issued = 0;
    let paidByWallet = 0;
    fc.assert(
      fc.property(
        fc.array(stepArb, { maxLength: 40 }),
        fc.integer({ min: 1, max: 5_000 }),
        (steps, threshold) => {
          let now = START;
          const wallets = walletLedger();
          const usage = { calls: 0, peak: 0 };
          const interims: PeriodInvoice[] = [];
          const billed = () =>
            interimBilledOf(
              interims.map((inv, i) => ({ number: `INT-${i + 1}`, lines: storedLines(inv) })),
            );

          /** Wallets pay an invoice as the period invoice is; every unit by one source. */
          const pay = (invoice: PeriodInvoice) => {
            const lineNets = invoice.lines.map((l) => l.amount.amount - l.discount.amount);
            const at = new Date(now).toISOString();
            const { promo, paid } = wallets.pay({
              lineNets,
              planCode: 'metered',
              at,
              taxPercent: 20,
            });
            paidByWallet += promo.total + paid.total;
          };

          /** The balance's check after a read: crossed → one interim invoice, then re-read. */
          const read = () => {
            for (let reads = 0; reads < 3; reads++) {
              const upcoming = lessInterimBilled(rateSoFar(usage), billed());
              const crossed = crossedThresholds([
                {
                  subscriptionId: 'sub',
                  periodEnd: PERIOD.end,
                  billingThreshold: threshold,
                  unbilled: unbilledUsage(upcoming.lines, USAGE_CHARGES),
                  interimInvoices: interims.length,
                },
              ]);
              if (crossed.length === 0) return;
              expect(crossed[0]!.sequence).toBe(interims.length + 1);
              const interim = interimInvoice(rateSoFar(usage), billed(), USAGE_CHARGES);
              // What crossed is what is billed: the usage so far less what was billed.
              expect(interim.totalBeforeTax.amount).toBe(crossed[0]!.unbilled);
              expect(interim.lines.every((l) => l.amount.amount > 0)).toBe(true);
              interims.push(interim);
              issued++;
              pay(interim);
            }
            // Once billed, a re-read finds nothing crossed: a crossing is billed once.
            throw new Error('the threshold was crossed again without new usage');
          };

          steps.forEach((step, i) => {
            if (step.op === 'consume') {
              usage.calls += step.calls;
              usage.peak = Math.max(usage.peak, step.peak);
            } else if (step.op === 'grant') {
              wallets.grant({
                grantId: `g${String(i).padStart(3, '0')}`,
                kind: step.kind,
                priority: 1,
                scope: null,
                expiresAt:
                  step.expiresInHours === null
                    ? null
                    : new Date(now + step.expiresInHours * HOUR).toISOString(),
                grantedAt: new Date(now).toISOString(),
                remaining: step.amount,
              });
            } else if (step.op === 'wait') {
              now += step.hours * HOUR;
              wallets.expireAt(new Date(now).toISOString());
            } else {
              read();
            }
            wallets.checkBalances();
          });

          // The period ends: the rest, less what the interim invoices billed, line by line.
          const full = rateSoFar(usage);
          const periodEnd = lessInterimBilled(full, billed());
          pay(periodEnd);
          const billedTotal =
            interims.reduce((t, inv) => t + inv.totalBeforeTax.amount, 0) +
            periodEnd.totalBeforeTax.amount;
          expect(billedTotal).toBe(full.totalBeforeTax.amount);
          full.lines.forEach((line, j) => {
            const key = `${line.periodStart}|${line.rated.chargeKey}`;
            const onInterims = interims
              .flatMap((inv) => inv.lines)
              .filter(
                (l) =>
                  `${l.periodStart}|${l.rated.chargeKey}` === key &&
                  l.rated.kind === line.rated.kind,
              )
              .reduce((t, l) => t + l.amount.amount, 0);
            expect(periodEnd.lines[j]!.amount.amount + onInterims).toBe(line.amount.amount);
            expect(periodEnd.lines[j]!.amount.amount).toBeGreaterThanOrEqual(0);
          });
          // Minimums true up only at the period end.
          for (const inv of interims)
            expect(inv.lines.every((l) => l.rated.kind === 'charge')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    // Not vacuous: interim invoices were issued, and wallets paid some of them.
    expect(issued).toBeGreaterThan(50);
    expect(paidByWallet).toBeGreaterThan(0);
  });

  it('bills a worked example: 150 graduated calls crossing 500 twice', () => {
    const simple = usagePlan({
      calls: {
        model: 'graduated',
        tiers: [
          { upTo: '100', unitPrice: '10' },
          { upTo: null, unitPrice: '5' },
        ],
      },
    });
    const rate = (calls: number) => rateUsage(simple, { calls });
    const first = interimInvoice(rate(60), interimBilledOf([]), new Set(['calls']));
    expect(first.totalBeforeTax.amount).toBe(600);
    const afterFirst = interimBilledOf([{ number: 'INV-1', lines: storedLines(first) }]);
    const second = interimInvoice(rate(150), afterFirst, new Set(['calls']));
    expect(second.totalBeforeTax.amount).toBe(650); // 100 × 10 + 50 × 5 − 600
    const both = interimBilledOf([
      { number: 'INV-1', lines: storedLines(first) },
      { number: 'INV-2', lines: storedLines(second) },
    ]);
    const last = lessInterimBilled(rate(180), both);
    expect(last.totalBeforeTax.amount).toBe(150);
    expect(last.lines[0]!.description).toContain('INV-1, INV-2');
    expect(last.lines[0]!.wording?.key).toBe('thresholds.lessInterim');
  });

  it('credits what interim invoices overbilled: volume pricing, a `latest` metric that drops', () => {
    const falling = usagePlan({
      calls: volume(['1000', '10'], ['3000', '5'], [null, '3']),
      seats: { model: 'per_unit', unitPrice: '40' },
    });
    const charges = new Set(['calls', 'seats']);
    const rate = (usage: { calls: number; seats: number }) => rateUsage(falling, usage);
    let overbilledRuns = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ calls: fc.integer({ min: 0, max: 900 }), seats: fc.constant(null) }),
            // `latest`: the last reported value counts, so it can drop.
            fc.record({ calls: fc.constant(0), seats: fc.integer({ min: 0, max: 60 }) }),
          ),
          { maxLength: 25 },
        ),
        fc.integer({ min: 200, max: 8_000 }),
        fc.integer({ min: 0, max: 25 }),
        (steps, threshold, taxPercent) => {
          const usage = { calls: 0, seats: 0 };
          const stored: InterimInvoiceLine[] = [];
          for (const step of steps) {
            usage.calls += step.calls;
            if (step.seats !== null) usage.seats = step.seats;
            const billed = interimBilledOfLines(stored);
            const upcoming = lessInterimBilled(rate(usage), billed);
            if (unbilledUsage(upcoming.lines, charges) < threshold) continue;
            const interim = interimInvoice(rate(usage), billed, charges);
            const number = `INT-${new Set(stored.map((l) => l.invoiceId)).size + 1}`;
            storedLines(interim).forEach((line, position) => {
              const net = line.amount - line.discountAmount;
              const tax = Math.round((net * taxPercent) / 100);
              stored.push({ ...line, invoiceId: number, number, position, totalAmount: net + tax });
            });
          }
          const full = rate(usage);
          const billed = interimBilledOfLines(stored);
          const periodEnd = lessInterimBilled(full, billed);
          const credits = interimCredits(overbilledByInterim(full, billed), stored);
          if (credits.length > 0) overbilledRuns++;
          // No invoice is negative, nor any line of one.
          expect(periodEnd.lines.every((l) => l.amount.amount >= 0)).toBe(true);
          // Interim + period end − credit notes = the full rating, to the minor unit.
          const interimTotal = stored.reduce((t, l) => t + l.amount - l.discountAmount, 0);
          const credited = credits.reduce((t, c) => t + c.net, 0);
          expect(interimTotal + periodEnd.totalBeforeTax.amount - credited).toBe(
            full.totalBeforeTax.amount,
          );
          // Each credit stays within the interim line it credits, tax included.
          for (const credit of credits)
            for (const line of credit.lines) {
              const on = stored.find(
                (l) => l.invoiceId === credit.invoiceId && l.position === line.position,
              )!;
              expect(line.amount).toBeGreaterThan(0);
              expect(line.amount).toBeLessThanOrEqual(on.totalAmount);
            }
        },
      ),
      { numRuns: 300 },
    );
    // Not vacuous: the rating fell below what interim invoices billed in many runs.
    expect(overbilledRuns).toBeGreaterThan(20);
  });

  it('credits EUR 25.00 + VAT on the worked volume example', () => {
    const tiers = usagePlan({ calls: volume(['1000', '10'], [null, '5']) });
    const rate = (calls: number) => rateUsage(tiers, { calls });
    const interim = interimInvoice(rate(1000), interimBilledOf([]), new Set(['calls']));
    expect(interim.totalBeforeTax.amount).toBe(10_000);
    const stored: InterimInvoiceLine[] = storedLines(interim).map((line, position) => ({
      ...line,
      invoiceId: 'in_1',
      number: 'INV-1',
      position,
      totalAmount: 12_000, // 20 % VAT
    }));
    const billed = interimBilledOfLines(stored);
    const full = rate(1500);
    expect(full.totalBeforeTax.amount).toBe(7_500);
    const periodEnd = lessInterimBilled(full, billed);
    expect(periodEnd.totalBeforeTax.amount).toBe(0);
    expect(periodEnd.lines[0]!.description).toContain('INV-1');
    expect(overbilledByInterim(full, billed)).toEqual({ [`${PERIOD.start}|calls`]: 2_500 });
    expect(interimCredits(overbilledByInterim(full, billed), stored)).toEqual([
      { invoiceId: 'in_1', number: 'INV-1', lines: [{ position: 0, amount: 3_000 }], net: 2_500 },
    ]);
  });
});
