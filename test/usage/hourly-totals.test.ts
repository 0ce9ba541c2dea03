// The hourly totals (usage_hourly_totals) that count, sum and max are rated from always equal the
// events themselves: whatever the batches, duplicates, resends, concurrency or windows, and
// after events are changed or deleted by hand.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { aggregateUsage } from '../../db/repositories/usage-aggregation.ts';
import { recordUsageEvents, type UsageEventInput } from '../../db/repositories/usage.ts';
import type { BillableMetric } from '../../domain/catalog/metrics.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';
import { newMetric } from '../support/builders/usage.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('hourly-totals');

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

const START = Date.parse('2026-11-01T00:00:00Z');
const MINUTE = 60_000;

/** The totals as stored, and as recomputed from the events, for one customer and metric. */
async function totalsAndTruth(customerId: string, metric: string) {
  const { db } = database;
  const stored = await sql<Record<string, string>>`
    select hour::text, event_count::text as n, trim_scale(value_sum)::text as s,
      trim_scale(value_max)::text as m, first_at::text, last_at::text
    from usage_hourly_totals where customer_id = ${customerId} and metric_code = ${metric}
    order by hour`.execute(db);
  const truth = await sql<Record<string, string>>`
    select date_bin('1 hour', billing_timestamp, timestamptz '2000-01-01Z')::text as hour,
      count(*)::text as n, trim_scale(sum(value))::text as s, trim_scale(max(value))::text as m,
      min(billing_timestamp)::text as first_at, max(billing_timestamp)::text as last_at
    from usage_events where customer_id = ${customerId} and metric_code = ${metric}
    group by 1 order by 1`.execute(db);
  return { stored: stored.rows, truth: truth.rows };
}

/** The window's quantity straight from the events, as the rating did before the totals. */
async function fromEvents(customerId: string, metric: BillableMetric, from: Date, to: Date) {
  const aggregate = { count: sql`count(*)`, sum: sql`sum(value)`, max: sql`max(value)` }[
    metric.aggregation as 'count' | 'sum' | 'max'
  ];
  const { rows } = await sql<{ q: string }>`
    select trim_scale(coalesce(${aggregate}, 0))::text as q from usage_events
    where customer_id = ${customerId} and metric_code = ${metric.code}
      and billing_timestamp >= ${from} and billing_timestamp < ${to}`.execute(database.db);
  return rows[0]!.q;
}

// An event: minutes after START (over about three days), a value, an id from a small pool so
// that duplicates within and across batches are frequent.
const eventArb = fc.record({
  minute: fc.integer({ min: 0, max: 4_000 }),
  value: fc.integer({ min: -500, max: 10_000 }).map((cents) => (cents / 100).toFixed(2)),
  id: fc.integer({ min: 0, max: 60 }),
});

describe('usage_hourly_totals', () => {
  test('equal the events and rate windows as the events do, whatever the batches (property)', async () => {
    const { db } = database;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<BillableMetric['aggregation']>('count', 'sum', 'max'),
        fc.array(fc.array(eventArb, { minLength: 1, maxLength: 20 }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4_100 }), fc.integer({ min: 1, max: 4_100 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (aggregation, batches, windows) => {
          const metric = await newMetric(
            db,
            aggregation,
            aggregation === 'count' ? undefined : 'v',
          );
          const { customerId } = await newSubscribedCustomer(db);
          const inputs = batches.map((batch) =>
            batch.map((e): UsageEventInput => ({
              customerId,
              transactionId: `t${e.id}`,
              metricCode: metric.code,
              timestamp: new Date(START + e.minute * MINUTE + e.id * 7).toISOString(),
              properties: {},
              ...(aggregation === 'count' ? {} : { value: e.value }),
            })),
          );
          // Half the batches at once (they race for the same hours), then every batch resent.
          await Promise.all(inputs.map((batch) => recordUsageEvents(db, batch, 'reject')));
          for (const batch of inputs) await recordUsageEvents(db, batch, 'reject');
          const { stored, truth } = await totalsAndTruth(customerId, metric.code);
          expect(stored).toEqual(truth);
          for (const [a, length] of windows) {
            const from = new Date(START + a * MINUTE + (a % 7) * 1000);
            const to = new Date(from.getTime() + length * MINUTE);
            expect(await aggregateUsage(db, { customerId, metric, from, to })).toBe(
              await fromEvents(customerId, metric, from, to),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('a duplicate or a rejected event adds nothing; a cut hour is read from its events', async () => {
    const { db } = database;
    const metric = await newMetric(db, 'sum', 'v');
    const { customerId } = await newSubscribedCustomer(db);
    const event = (id: string, timestamp: string, value: string): UsageEventInput => ({
      customerId,
      transactionId: id,
      metricCode: metric.code,
      timestamp,
      properties: { v: value },
      value,
    });
    await recordUsageEvents(
      db,
      [
        event('a', '2026-11-01T10:05:00Z', '1.5'),
        event('b', '2026-11-01T10:55:00Z', '2'),
        event('a', '2026-11-01T10:06:00Z', '100'), // a duplicate within the batch
      ],
      'reject',
    );
    await recordUsageEvents(db, [event('b', '2026-11-01T10:55:00Z', '2')], 'reject'); // resent
    await recordUsageEvents(
      db,
      [{ ...event('c', '2026-11-01T10:20:00Z', '4'), customerId: 'cus_nobody' }],
      'reject',
    );
    const { stored } = await totalsAndTruth(customerId, metric.code);
    expect(stored).toEqual([
      expect.objectContaining({ hour: '2026-11-01 10:00:00+00', n: '2', s: '3.5', m: '2' }),
    ]);
    const window = (from: string, to: string) =>
      aggregateUsage(db, { customerId, metric, from: new Date(from), to: new Date(to) });
    expect(await window('2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z')).toBe('3.5'); // whole
    expect(await window('2026-11-01T10:30:00Z', '2026-11-02T00:00:00Z')).toBe('2'); // cut: events
    expect(await window('2026-11-01T10:00:00Z', '2026-11-01T10:55:00Z')).toBe('1.5'); // end excluded
  });

  test('events changed or deleted by hand: the hours they touched are recounted', async () => {
    const { db } = database;
    const metric = await newMetric(db, 'max', 'v');
    const { customerId } = await newSubscribedCustomer(db);
    const events = ['1', '9', '4'].map((value, i): UsageEventInput => ({
      customerId,
      transactionId: `h${i}`,
      metricCode: metric.code,
      timestamp: `2026-11-02T0${i}:30:00Z`,
      properties: { v: value },
      value,
    }));
    await recordUsageEvents(db, events, 'reject');
    await sql`delete from usage_events where customer_id = ${customerId} and transaction_id = 'h1'`.execute(
      db,
    );
    await sql`update usage_events set value = 7, billing_timestamp = billing_timestamp + interval '2 hours'
      where customer_id = ${customerId} and transaction_id = 'h0'`.execute(db);
    const { stored, truth } = await totalsAndTruth(customerId, metric.code);
    expect(stored).toEqual(truth);
    expect(stored.map((row) => [row.hour, row.m])).toEqual([['2026-11-02 02:00:00+00', '7']]);
  });
});
