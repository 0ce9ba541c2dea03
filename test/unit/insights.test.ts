// The pure definitions behind the insights (docs/FINANCE.md "Insights"), on worked examples, and
// the movements' one invariant as a property: they always sum to the change in MRR.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlanVersion } from '../../domain/catalog/types.ts';
import { customerMrrAt, monthlyRecurringRevenue, perMonth } from '../../domain/insights/mrr.ts';
import { classifyMovements, mrrMonth, mrrMonths } from '../../domain/insights/movements.ts';
import { monthClose, monthsBetween, previousMonth } from '../../domain/insights/months.ts';
import { percent, ratio } from '../../domain/insights/rates.ts';
import {
  agingBucket,
  agingBuckets,
  averageDays,
  daysOverdue,
  daysSalesOutstanding,
} from '../../domain/insights/receivables.ts';
import { statusAt, termsAt, type SubscriptionHistory } from '../../domain/insights/timeline.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('insights.test.ts');

const plan = (over: Partial<PlanVersion> = {}): PlanVersion => ({
  planCode: 'team',
  version: 1,
  currency: 'EUR',
  billingCycle: { interval: 'month', intervalCount: 1 },
  taxBehavior: 'exclusive',
  charges: [
    { key: 'base', description: 'Base', type: 'flat', billing: 'advance', amount: '2000' },
    {
      key: 'seats',
      description: 'Seats',
      type: 'per_seat',
      billing: 'advance',
      unitAmount: '500',
      freeUnits: '2',
    },
    {
      key: 'api',
      description: 'API calls',
      type: 'usage',
      billing: 'arrears',
      metricCode: 'calls',
      pricing: { model: 'per_unit', unitPrice: '1' },
    },
  ],
  ...over,
});

describe('MRR of one subscription', () => {
  it('normalises a period price to a month, rounding once half up', () => {
    expect(perMonth(120000, 'year', 1)).toBe(10000);
    expect(perMonth(10000, 'year', 1)).toBe(833); // 833.33…
    expect(perMonth(9000, 'quarter', 1)).toBe(3000);
    expect(perMonth(9000, 'month', 3)).toBe(3000);
    expect(perMonth(1000, 'week', 1)).toBe(4333); // 1,000 × 52 / 12 = 4,333.33…
    expect(perMonth(100, 'day', 1)).toBe(3042); // 100 × 365 / 12 = 3,041.67
    expect(perMonth(5, 'month', 2)).toBe(3); // 2.5 → 3
  });

  it('counts flat and per-seat charges (after free seats), not usage', () => {
    // 2,000 + 500 × (5 − 2 free) = 3,500
    expect(monthlyRecurringRevenue(plan(), 5)).toBe(3500);
    expect(monthlyRecurringRevenue(plan(), 1)).toBe(2000);
    const yearly = plan({ billingCycle: { interval: 'year', intervalCount: 1 } });
    expect(monthlyRecurringRevenue(yearly, 5)).toBe(292); // 3,500 / 12 = 291.67
  });
});

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

const history = (over: Partial<SubscriptionHistory> = {}): SubscriptionHistory => ({
  id: 'sub_1',
  customerId: 'cus_1',
  startedAt: day('2027-01-10'),
  status: 'active',
  terms: { planId: 'pln_1', version: 1, quantity: 1 },
  transitions: [],
  changes: [],
  ...over,
});

describe('a subscription at an instant', () => {
  const paused = history({
    status: 'active',
    transitions: [
      { from: 'active', to: 'paused', at: day('2027-02-05') },
      { from: 'paused', to: 'active', at: day('2027-03-05') },
    ],
  });

  it('has no status before it began, and the status of its last transition by then', () => {
    expect(statusAt(paused, day('2027-01-09'))).toBeNull();
    expect(statusAt(paused, day('2027-01-10'))).toBe('active');
    expect(statusAt(paused, day('2027-02-05'))).toBe('paused'); // inclusive
    expect(statusAt(paused, day('2027-03-01'))).toBe('paused');
    expect(statusAt(paused, day('2027-03-31'))).toBe('active');
  });

  it('starts from the first transition’s from-status (a trial)', () => {
    const trial = history({
      transitions: [{ from: 'trialing', to: 'active', at: day('2027-01-24') }],
    });
    expect(statusAt(trial, day('2027-01-20'))).toBe('trialing');
    expect(statusAt(trial, day('2027-01-25'))).toBe('active');
  });

  it('bills on the terms of the last change by then, else the first change’s old terms', () => {
    const changed = history({
      terms: { planId: 'pln_2', version: 1, quantity: 3 },
      changes: [
        {
          from: { planId: 'pln_1', version: 1, quantity: 1 },
          to: { planId: 'pln_2', version: 1, quantity: 3 },
          at: day('2027-02-10'),
        },
      ],
    });
    expect(termsAt(changed, day('2027-01-31'))).toEqual({
      planId: 'pln_1',
      version: 1,
      quantity: 1,
    });
    expect(termsAt(changed, day('2027-02-28'))).toEqual(changed.terms);
  });

  it('counts in MRR while active, past due or canceled until ended; not trialing or paused', () => {
    const versions = (_: string, version: number) => (version === 1 ? plan() : undefined);
    const canceled = history({
      customerId: 'cus_2',
      transitions: [
        { from: 'active', to: 'canceled', at: day('2027-02-15') },
        { from: 'canceled', to: 'ended', at: day('2027-03-10') },
      ],
    });
    const at = (iso: string) => customerMrrAt([paused, canceled], versions, day(iso));
    expect(at('2027-01-31')).toEqual(
      new Map([
        ['cus_1', 2000],
        ['cus_2', 2000],
      ]),
    );
    expect(at('2027-02-28')).toEqual(new Map([['cus_2', 2000]]));
    expect(at('2027-03-31')).toEqual(new Map([['cus_1', 2000]]));
  });
});

describe('movements between month ends', () => {
  it('classifies each customer once and sums to the change in MRR', () => {
    const start = new Map([
      ['up', 1000],
      ['down', 3000],
      ['gone', 2000],
      ['same', 500],
    ]);
    const end = new Map([
      ['up', 1500],
      ['down', 1000],
      ['same', 500],
      ['fresh', 700],
      ['back', 900],
    ]);
    expect(classifyMovements(start, end, new Set(['back']))).toEqual({
      new: 700,
      expansion: 500,
      contraction: -2000,
      churn: -2000,
      reactivation: 900,
    });
    // start 6,500; lost 1 of 4; churn + contraction 4,000 / 6,500 = 61.538… %;
    // retained 6,500 + 500 − 2,000 − 2,000 = 3,000 / 6,500 = 46.153… %
    expect(mrrMonth(start, end, new Set(['back']))).toMatchObject({
      mrr: 4600,
      arr: 55200,
      customers: 5,
      arpa: 920,
      logoChurnRate: '25.00',
      revenueChurnRate: '61.54',
      netRevenueRetention: '46.15',
    });
  });

  it('has no rates on a month that starts without MRR, and no ARPA without customers', () => {
    expect(mrrMonth(new Map(), new Map(), new Set())).toMatchObject({
      mrr: 0,
      arpa: 0,
      logoChurnRate: null,
      revenueChurnRate: null,
      netRevenueRetention: null,
    });
  });

  it('calls a customer back after a month at 0 a reactivation, across the window too', () => {
    const billed = new Map([['c', 100]]);
    const months = mrrMonths([billed, new Map()], [new Map(), billed]);
    expect(months.map((m) => m.movements.reactivation)).toEqual([0, 100]);
    expect(months.map((m) => m.movements.new)).toEqual([0, 0]);
  });

  it('always sums to the change in MRR (property)', () => {
    const snapshot = fc
      .dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: 1, max: 10 ** 9 }))
      .map((d) => new Map(Object.entries(d)));
    fc.assert(
      fc.property(
        snapshot,
        snapshot,
        fc.subarray(['a', 'b', 'c', 'd', 'e']),
        (start, end, seen) => {
          const m = classifyMovements(start, end, new Set(seen));
          const total = (s: Map<string, number>) => [...s.values()].reduce((t, v) => t + v, 0);
          const sum = m.new + m.expansion + m.contraction + m.churn + m.reactivation;
          expect(sum).toBe(total(end) - total(start));
          expect(m.contraction).toBeLessThanOrEqual(0);
          expect(m.churn).toBeLessThanOrEqual(0);
        },
      ),
    );
  });
});

describe('months, rates and receivables', () => {
  it('walks calendar months in UTC', () => {
    expect(monthsBetween('2026-11', '2027-02')).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
    expect(previousMonth('2027-01')).toBe('2026-12');
    expect(monthClose('2027-02').toISOString()).toBe('2027-02-28T23:59:59.999Z');
  });

  it('writes rates as exact percents with two decimals, half up', () => {
    expect(percent(1, 3)).toBe('33.33');
    expect(percent(2, 3)).toBe('66.67');
    expect(percent(1, 8)).toBe('12.50');
    expect(percent(1, 0)).toBeNull();
    expect(percent(-1, 3)).toBe('-33.33');
    expect(ratio(10 ** 15, 3)).toBe('333333333333333.33');
  });

  it('ages by whole days past due into the five buckets', () => {
    const asOf = new Date('2027-04-20T00:00:00Z');
    expect(daysOverdue(new Date('2027-04-19T00:00:01Z'), asOf)).toBe(0);
    expect([0, 1, 30, 31, 60, 61, 90, 91].map(agingBucket)).toEqual([
      'current',
      '1-30',
      '1-30',
      '31-60',
      '31-60',
      '61-90',
      '61-90',
      '90+',
    ]);
    const rows = agingBuckets(
      [
        { dueAt: day('2027-05-01'), amountDue: 100 },
        { dueAt: day('2027-01-24'), amountDue: 200 },
        { dueAt: day('2026-12-01'), amountDue: 300 },
      ],
      asOf,
    );
    expect(rows.map((r) => [r.bucket, r.amount, r.invoices])).toEqual([
      ['current', 100, 1],
      ['1-30', 0, 0],
      ['31-60', 0, 0],
      ['61-90', 200, 1],
      ['90+', 300, 1],
    ]);
  });

  it('computes DSO and average days to pay exactly', () => {
    expect(daysSalesOutstanding(158400, 198000, 109)).toBe('87.20');
    expect(daysSalesOutstanding(1, 0, 30)).toBeNull();
    expect(averageDays([0, 18 * 86_400_000])).toBe('9.00');
    expect(averageDays([])).toBeNull();
  });
});

describe('month arithmetic at the edges', () => {
  it('crosses years and reaches 9999-12 without leaving the calendar', () => {
    expect(monthsBetween('2026-12', '2027-01')).toEqual(['2026-12', '2027-01']);
    expect(monthsBetween('9999-11', '9999-12')).toEqual(['9999-11', '9999-12']);
    expect(monthClose('9999-12').toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect(monthsBetween('2027-02', '2027-01')).toEqual([]);
    expect(previousMonth('1970-01')).toBe('1969-12');
  });
});
