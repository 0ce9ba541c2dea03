// Every aggregation on real PostgreSQL, with worked examples, and a property: no result
// depends on the order events were ingested in.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { percentageUsage } from '../../db/repositories/usage-aggregation.ts';
import { aggregateUsage } from '../../db/repositories/usage-aggregation.ts';
import type { Charge, PlanVersion } from '../../domain/catalog/types.ts';
import { AGGREGATIONS, type BillableMetric } from '../../domain/catalog/metrics.ts';
import type { PercentageUsageQuery } from '../../domain/rating/percentage.ts';
import { ratePeriod } from '../../domain/rating/rate-period.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';
import { newMetric, record } from '../support/builders/usage.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('aggregation');

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

const NOV = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };
const DEC = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };

async function setup(aggregation: BillableMetric['aggregation'], field?: string) {
  const { db } = database;
  const metric = await newMetric(db, aggregation, field);
  const { customerId } = await newSubscribedCustomer(db);
  const quantity = (window = NOV) => aggregateUsage(db, { customerId, metric, ...window });
  return { metric, customerId, quantity };
}

describe('aggregateUsage', () => {
  test('count: events in [from, to), the start included and the end excluded', async () => {
    const { metric, customerId, quantity } = await setup('count');
    await record(database.db, customerId, metric, [
      ['2026-10-31T23:59:59.999Z', undefined], // before
      ['2026-11-01T00:00:00Z', undefined], // at from: in
      ['2026-11-15T12:00:00+01:00', undefined],
      ['2026-11-30T23:59:59.999999Z', undefined],
      ['2026-12-01T00:00:00Z', undefined], // at to: next period
    ]);
    expect(await quantity()).toBe('3');
    expect(await quantity(DEC)).toBe('1');
  });

  test('sum: exact decimals, negatives allowed, no float drift', async () => {
    const { metric, customerId, quantity } = await setup('sum', 'gb');
    await record(database.db, customerId, metric, [
      ['2026-11-02T00:00:00Z', '0.1'],
      ['2026-11-03T00:00:00Z', '0.2'],
      ['2026-11-04T00:00:00Z', '1.50'],
      ['2026-11-05T00:00:00Z', '-0.25'],
      ['2026-11-06T00:00:00Z', '100000000000000000000.000000000001'],
      ['2026-12-06T00:00:00Z', '7'],
    ]);
    // 0.1 + 0.2 is exactly 0.3 here; trailing zeros are trimmed.
    expect(await quantity()).toBe('100000000000000000001.550000000001');
    expect(await quantity(DEC)).toBe('7');
  });

  test('max: the largest value, decimals compared numerically', async () => {
    const { metric, customerId, quantity } = await setup('max', 'seats');
    await record(database.db, customerId, metric, [
      ['2026-11-02T00:00:00Z', '3'],
      ['2026-11-03T00:00:00Z', '10.5'],
      ['2026-11-04T00:00:00Z', '9.99'],
      ['2026-11-05T00:00:00Z', '-2'],
      ['2026-12-01T00:00:00Z', '50'],
    ]);
    expect(await quantity()).toBe('10.5');
  });

  test('unique_count: distinct values of the field', async () => {
    const { metric, customerId, quantity } = await setup('unique_count', 'user');
    await record(database.db, customerId, metric, [
      ['2026-10-31T00:00:00Z', 'zoe'], // before: not counted
      ['2026-11-02T00:00:00Z', 'ana'],
      ['2026-11-03T00:00:00Z', 'bob'],
      ['2026-11-04T00:00:00Z', 'ana'],
      ['2026-11-05T00:00:00Z', 'Ana'], // case matters
      ['2026-11-06T00:00:00Z', '42'],
    ]);
    expect(await quantity()).toBe('4');
  });

  test('latest: the last event by timestamp, ties broken by transaction id', async () => {
    const { metric, customerId, quantity } = await setup('latest', 'storage');
    await record(database.db, customerId, metric, [
      ['2026-11-02T00:00:00Z', '5', 'tx-a'],
      ['2026-11-20T00:00:00Z', '8', 'tx-b'],
      ['2026-11-20T00:00:00Z', '9', 'tx-c'], // same instant, greater id: wins
      ['2026-11-20T00:00:00Z', '7', 'tx-a2'],
      ['2026-11-10T00:00:00Z', '100', 'tx-z'], // greater id but earlier
      ['2026-12-01T00:00:00Z', '1', 'tx-next'], // next period
    ]);
    expect(await quantity()).toBe('9');
    expect(await quantity(DEC)).toBe('1');
  });

  test('weighted_sum: a time-weighted running total, carried across the period boundary', async () => {
    const { metric, customerId, quantity } = await setup('weighted_sum', 'gb');
    await record(database.db, customerId, metric, [
      ['2026-10-15T00:00:00Z', '10'], // opening balance of November: 10
      ['2026-11-11T00:00:00Z', '5'], // 15 from day 10 (20 of 30 days left)
      ['2026-11-21T00:00:00Z', '-3'], // 12 from day 20 (10 days left)
    ]);
    // 10 × 10 days + 15 × 10 days + 12 × 10 days = 370 GB·days over 30 days.
    expect(await quantity()).toBe('12.333333333333');
    // December opens at 12 and nothing changes.
    expect(await quantity(DEC)).toBe('12');
    // +6 on Dec 16: 16 of 31 days left, so 12 + 6 × 16/31 = 12 + 96/31.
    await record(database.db, customerId, metric, [['2026-12-16T00:00:00Z', '6']]);
    expect(await quantity(DEC)).toBe('15.096774193548');
    // October: nothing before; 10 from Oct 15 for 17 of 31 days.
    expect(await quantity({ from: new Date('2026-10-01T00:00:00Z'), to: NOV.from })).toBe(
      '5.483870967742',
    );
  });

  test('an empty period is "0" for every aggregation', async () => {
    const { customerId } = await newSubscribedCustomer(database.db);
    for (const aggregation of AGGREGATIONS) {
      const metric = await newMetric(
        database.db,
        aggregation,
        aggregation === 'count' ? undefined : 'v',
      );
      expect(await aggregateUsage(database.db, { customerId, metric, ...NOV }), aggregation).toBe(
        '0',
      );
    }
  });

  test('another customer’s and another metric’s events are not counted', async () => {
    const { metric, customerId, quantity } = await setup('sum', 'gb');
    const other = await newSubscribedCustomer(database.db);
    const otherMetric = await newMetric(database.db, 'sum', 'gb');
    await record(database.db, customerId, metric, [['2026-11-02T00:00:00Z', '1']]);
    await record(database.db, other.customerId, metric, [['2026-11-02T00:00:00Z', '10']]);
    await record(database.db, customerId, otherMetric, [['2026-11-02T00:00:00Z', '100']]);
    expect(await quantity()).toBe('1');
  });

  test('rejects an empty or inverted window', async () => {
    const { metric, customerId } = await setup('count');
    await expect(
      aggregateUsage(database.db, { customerId, metric, from: NOV.to, to: NOV.from }),
    ).rejects.toThrow(RangeError);
  });

  test('is a range scan of the (customer, metric, billing timestamp) index', async () => {
    const { db } = database;
    const { metric, customerId } = await setup('sum', 'gb');
    const other = await newSubscribedCustomer(db);
    // Enough rows, over two customers, that one customer's day is a small part of the table.
    await sql`
      insert into usage_events (customer_id, transaction_id, metric_code, timestamp,
        billing_timestamp, value)
      select case when i % 2 = 0 then ${customerId} else ${other.customerId} end, 'bulk-' || i,
        ${metric.code}, t, t, 1
      from generate_series(1, 20000) i,
        lateral (select timestamptz '2026-11-01' + i * interval '1 minute' as t) ts`.execute(db);
    await sql`analyze usage_events`.execute(db);
    const plan = await sql<{ 'QUERY PLAN': string }>`
      explain select sum(value) from usage_events
      where customer_id = ${customerId} and metric_code = ${metric.code}
        and billing_timestamp >= ${new Date('2026-11-03T00:00:00Z')}
        and billing_timestamp < ${new Date('2026-11-04T00:00:00Z')}`.execute(db);
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(
      'usage_events_aggregation_idx',
    );
  });
});

describe('percentageUsage', () => {
  // Transaction amounts in minor units, in time order.
  const AMOUNTS = ['1000', '500', '100000', '2000'];
  // 2.9 % + 30 per transaction, each fee clamped to [50, 500] (minor units): a fee is below
  // the minimum when a × 2.9 < (50 − 30) × 100 and above the maximum when a × 2.9 > 47000
  // (what percentageUsageQuery in domain/rating/percentage.ts derives from the pricing).
  const query: PercentageUsageQuery = {
    rate: '2.9',
    freeTransactions: '0',
    freeAmount: '0',
    belowMinimumIfProductBelow: '2000',
    aboveMaximumIfProductAbove: '47000',
  };

  async function payments() {
    const { metric, customerId } = await setup('sum', 'amount');
    await record(
      database.db,
      customerId,
      metric,
      AMOUNTS.map((a, i) => [`2026-11-0${i + 2}T00:00:00Z`, a] as const),
    );
    await record(database.db, customerId, metric, [['2026-12-04T00:00:00Z', '1000']]);
    return { customerId, metric };
  }

  test('without a query: the count and the total', async () => {
    const window = { ...(await payments()), ...NOV };
    expect(await percentageUsage(database.db, window)).toEqual({
      transactionCount: '4',
      totalAmount: '103500',
    });
  });

  test('per-transaction minimum and maximum bands', async () => {
    const window = { ...(await payments()), ...NOV };
    const usage = await percentageUsage(database.db, window, query);
    expect(usage).toEqual({
      transactionCount: '4',
      totalAmount: '103500',
      belowMinimum: { count: '1', amount: '500' },
      aboveMaximum: { count: '1', amount: '100000' },
    });
    // Fees: 1000 → 59, 500 → 50 (min), 100000 → 500 (max), 2000 → 88.
  });

  test('free transactions and a free amount, then the bands on what is chargeable', async () => {
    const window = { ...(await payments()), ...NOV };
    const withFree = { ...query, freeTransactions: '1', freeAmount: '1500' };
    const usage = await percentageUsage(database.db, window, withFree);
    // Both allowances run side by side until either runs out. #1 (1000; running 1000 ≤ 1500)
    // is free; #2 is past the 1 free transaction, so the 500 of free amount left is lost: 500,
    // 100000 and 2000 are chargeable in full.
    expect(usage).toEqual({
      transactionCount: '4',
      totalAmount: '103500',
      chargeable: { count: '3', amount: '102500' },
      belowMinimum: { count: '1', amount: '500' },
      aboveMaximum: { count: '1', amount: '100000' },
    });
    // Fees: 500 → 50 (min), 100000 → 500 (max), 2000 → 88.
  });

  test('the free allowance ends when either the transactions or the amount run out', async () => {
    const free: PercentageUsageQuery = {
      rate: '2.9',
      freeTransactions: '3',
      freeAmount: '500',
      belowMinimumIfProductBelow: null,
      aboveMaximumIfProductAbove: null,
    };
    const amountFirst = await setup('sum', 'amount');
    await record(database.db, amountFirst.customerId, amountFirst.metric, [
      ['2026-11-02T00:00:00Z', '200'],
      ['2026-11-03T00:00:00Z', '400'],
      ['2026-11-04T00:00:00Z', '100'],
      ['2026-11-05T00:00:00Z', '300'],
    ]);
    // Running sums 200, 600, 700, 1000: #1 free; #2 crosses 500: 600 − 500 = 100 chargeable;
    // #3 is one of the 3 free transactions, but the amount is gone: 100; #4: 300.
    // Chargeable 3 transactions, 100 + 100 + 300 = 500; free volume 500 = min(700, 500).
    expect(await percentageUsage(database.db, { ...amountFirst, ...NOV }, free)).toEqual({
      transactionCount: '4',
      totalAmount: '1000',
      chargeable: { count: '3', amount: '500' },
    });
    const countFirst = await setup('sum', 'amount');
    await record(database.db, countFirst.customerId, countFirst.metric, [
      ['2026-11-02T00:00:00Z', '100'],
      ['2026-11-03T00:00:00Z', '100'],
      ['2026-11-04T00:00:00Z', '100'],
      ['2026-11-05T00:00:00Z', '1000'],
    ]);
    // Running sums 100, 200, 300 (≤ 500): #1–#3 free; #4 is past the 3 free transactions:
    // all 1000 chargeable, although 200 of the free amount was not used.
    expect(await percentageUsage(database.db, { ...countFirst, ...NOV }, free)).toEqual({
      transactionCount: '4',
      totalAmount: '1300',
      chargeable: { count: '1', amount: '1000' },
    });
  });

  test('free allowances with per-transaction min and max, and a zero-amount transaction', async () => {
    // 2.9 % + 30 each, fee within [50, 200]: below when a × 2.9 < (50 − 30) × 100 = 2000,
    // above when a × 2.9 > (200 − 30) × 100 = 17000. 2 free transactions or 1500 free.
    const bounded: PercentageUsageQuery = {
      rate: '2.9',
      freeTransactions: '2',
      freeAmount: '1500',
      belowMinimumIfProductBelow: '2000',
      aboveMaximumIfProductAbove: '17000',
    };
    const { metric, customerId } = await setup('sum', 'amount');
    await record(
      database.db,
      customerId,
      metric,
      ['1000', '1000', '700', '10000', '100', '0'].map(
        (a, i) => [`2026-11-0${i + 2}T00:00:00Z`, a] as const,
      ),
    );
    // #1 free (1000 ≤ 1500); #2 crosses: 500 (fee 44.5 → min); #3: 700 (50.3, in bounds);
    // #4: 10000 (320 → max); #5: 100 (32.9 → min); #6: 0 is chargeable too (30 → min).
    // Fees 50 + 50.3 + 200 + 50 + 50 = 400.3.
    expect(await percentageUsage(database.db, { customerId, metric, ...NOV }, bounded)).toEqual({
      transactionCount: '6',
      totalAmount: '12800',
      chargeable: { count: '5', amount: '11300' },
      belowMinimum: { count: '3', amount: '600' },
      aboveMaximum: { count: '1', amount: '10000' },
    });
    // No transactions: every band empty.
    expect(await percentageUsage(database.db, { customerId, metric, ...DEC }, bounded)).toEqual({
      transactionCount: '0',
      totalAmount: '0',
      chargeable: { count: '0', amount: '0' },
      belowMinimum: { count: '0', amount: '0' },
      aboveMaximum: { count: '0', amount: '0' },
    });
  });

  test('refuses a metric without a numeric field', async () => {
    const { metric, customerId } = await setup('count');
    await expect(percentageUsage(database.db, { customerId, metric, ...NOV })).rejects.toThrow(
      /no numeric field/,
    );
  });
});

describe('graduated percentage from the period’s volume', () => {
  test('the metric’s sum is the cumulative volume the tiers take their rates of', async () => {
    // The same path as every usage charge but percentage: aggregateUsage, then ratePeriod
    // with usage by metric code (activities/subscriptions.ts, the upcoming invoice, estimates).
    const { metric, customerId, quantity } = await setup('sum', 'amount');
    await record(database.db, customerId, metric, [
      ['2026-11-02T00:00:00Z', '60000'],
      ['2026-11-15T00:00:00Z', '90000'],
      ['2026-11-29T00:00:00Z', '1100000'],
      ['2026-12-02T00:00:00Z', '5000000'], // December: not this period.
    ]);
    const volume = await quantity();
    expect(volume).toBe('1250000');
    const charge: Charge = {
      key: 'volume',
      description: 'Payment volume',
      billing: 'arrears',
      type: 'usage',
      metricCode: metric.code,
      pricing: {
        model: 'graduated_percentage',
        tiers: [
          { upTo: '100000', rate: '3', flatFee: '100' },
          { upTo: '1000000', rate: '2', flatFee: '500' },
          { upTo: null, rate: '1' },
        ],
      },
    };
    const plan: PlanVersion = {
      planCode: 'volume',
      version: 1,
      currency: 'USD',
      billingCycle: { interval: 'month', intervalCount: 1 },
      taxBehavior: 'exclusive',
      charges: [charge],
    };
    const rated = ratePeriod({ plan, usage: { [metric.code]: volume } });
    // 100,000 × 3 % + 100 = 3,100; 900,000 × 2 % + 500 = 18,500; 250,000 × 1 % = 2,500.
    // 24,100 cents = $241.00.
    expect(rated.lines.map((l) => [l.quantity, l.amount.amount])).toEqual([['1250000', 24100]]);
  });
});

describe('property', () => {
  // A few instants (so ties happen), inside and around November.
  const instant = fc.constantFrom(
    '2026-10-20T00:00:00Z',
    '2026-11-01T00:00:00Z',
    '2026-11-10T06:00:00Z',
    '2026-11-10T06:00:00Z',
    '2026-11-29T23:00:00Z',
    '2026-12-01T00:00:00Z',
  );
  const decimal = fc
    .tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 99 }))
    .map(([units, cents]) => `${units}.${String(cents).padStart(2, '0')}`);
  const events = fc.array(fc.tuple(instant, decimal), { minLength: 0, maxLength: 25 });

  test('no aggregation depends on the order events were ingested in', async () => {
    const metrics = await Promise.all(
      AGGREGATIONS.map((aggregation) =>
        newMetric(database.db, aggregation, aggregation === 'count' ? undefined : 'v'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        events,
        fc.func(fc.integer()),
        fc.integer({ min: 1, max: 5 }),
        async (list, rank, batches) => {
          const withIds = list.map(([at, v], i) => [at, v, `tx-${i}`] as const);
          const shuffled = [...withIds].sort(
            (a, b) => rank(a[2]) - rank(b[2]) || a[2].localeCompare(b[2]),
          );
          const a = await newSubscribedCustomer(database.db);
          const b = await newSubscribedCustomer(database.db);
          for (const metric of metrics) {
            await record(database.db, a.customerId, metric, withIds);
            // b gets them shuffled, in several batches.
            const size = Math.ceil(shuffled.length / batches) || 1;
            for (let i = 0; i < shuffled.length; i += size)
              await record(database.db, b.customerId, metric, shuffled.slice(i, i + size));
            const [qa, qb] = await Promise.all(
              [a, b].map(({ customerId }) =>
                aggregateUsage(database.db, { customerId, metric, ...NOV }),
              ),
            );
            expect(qb, metric.aggregation).toBe(qa);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
