// The bill-run view's reads on real PostgreSQL, with rows whose times the test chooses: every
// state (issued, retrying, failed, late, scheduled) per currency, the due-to-issued lag's
// percentiles, failures recorded twice, and the failures' pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../db/ids.ts';
import { recordBillingRunFailure } from '../../db/repositories/billing-runs.ts';
import { billingRunsIn, billingWindowIssue } from '../../services/billing-runs.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { insertInvoiceRow } from '../support/builders/invoices.ts';
import { insertPlan } from '../support/builders/plans.ts';
import { insertSubscriptionRow } from '../support/builders/subscriptions.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let testDb: TestDatabase;
const JANUARY = { from: new Date('2027-01-01T00:00:00Z'), to: new Date('2027-02-01T00:00:00Z') };
const none = { due: 0, issued: 0, retrying: 0, failed: 0, late: 0, scheduled: 0 };
const ids: Record<string, string> = {};

/** A subscription whose next renewal is `next`, in `currency`, on a clock at `clock` if given. */
async function subscription(
  name: string,
  options: { next: string; currency?: string; clock?: string },
): Promise<{ subscriptionId: string; customerId: string }> {
  const db = testDb.db;
  let testClockId: string | undefined;
  if (options.clock) {
    testClockId = newId('clock');
    await db
      .insertInto('test_clocks')
      .values({ id: testClockId, frozen_time: options.clock, status: 'ready' })
      .execute();
  }
  const currency = options.currency ?? 'EUR';
  const customer = await insertCustomer(db, { currency, testClockId });
  const plan = await insertPlan(db, { currency });
  const subscriptionId = await insertSubscriptionRow(db, {
    customerId: customer.id,
    planId: plan.id,
    anchorAt: '2026-12-01T00:00:00Z',
  });
  await db
    .updateTable('subscriptions')
    .set({ current_period_end: options.next })
    .where('id', '=', subscriptionId)
    .execute();
  ids[name] = subscriptionId;
  return { subscriptionId, customerId: customer.id };
}

/** Its boundary invoice at `due`, created `lagSeconds` later. */
async function issued(
  sub: { subscriptionId: string; customerId: string },
  due: string,
  lagSeconds: number,
  currency = 'EUR',
) {
  await insertInvoiceRow(testDb.db, {
    customer_id: sub.customerId,
    subscription_id: sub.subscriptionId,
    currency,
    billing_key: `${new Date(due).toISOString()}/boundary`,
    issued_at: due,
    created_at: new Date(Date.parse(due) + lagSeconds * 1000),
  });
}

async function failure(
  sub: { subscriptionId: string; customerId: string },
  due: string,
  attempt: number,
  retrying: boolean,
  kind = 'boundary',
) {
  await recordBillingRunFailure(testDb.db, {
    ...sub,
    billingKey: `${new Date(due).toISOString()}/${kind}`,
    dueAt: due,
    attempt,
    error: `attempt ${attempt} failed`,
    retrying,
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  // Issued in January with 30 s, 90 s and 600 s of lag; one more on a clock (no lag counted).
  await issued(
    await subscription('a', { next: '2027-02-01T00:00:00Z' }),
    '2027-01-01T00:00:00Z',
    30,
  );
  await issued(
    await subscription('b', { next: '2027-02-05T00:00:00Z' }),
    '2027-01-05T00:00:00Z',
    90,
  );
  const usd = await subscription('c', { next: '2027-02-10T00:00:00Z', currency: 'USD' });
  await issued(usd, '2027-01-10T00:00:00Z', 600, 'USD');
  const clocked = await subscription('d', {
    next: '2027-02-03T00:00:00Z',
    clock: '2027-01-25T00:00:00Z',
  });
  await issued(clocked, '2027-01-03T00:00:00Z', 86_400 * 30);
  // Issued after a failed attempt: issued, and no longer listed.
  const recovered = await subscription('e', { next: '2027-02-07T00:00:00Z' });
  await failure(recovered, '2027-01-07T00:00:00Z', 1, true);
  await issued(recovered, '2027-01-07T00:00:00Z', 5);
  // Failing: one for good (not retried), one retrying (recorded at attempts 1 then 3).
  const failed = await subscription('f', { next: '2027-01-12T00:00:00Z' });
  await failure(failed, '2027-01-12T00:00:00Z', 4, false);
  const retrying = await subscription('g', { next: '2027-01-14T00:00:00Z', currency: 'USD' });
  await failure(retrying, '2027-01-14T00:00:00Z', 1, true);
  await failure(retrying, '2027-01-14T00:00:00Z', 3, true);
  // A cancel's final invoice failing is not a renewal.
  await failure(retrying, '2027-01-15T00:00:00Z', 1, true, 'final');
  // Due by its clock (at 2027-01-25) and not issued: late; and one due after the clock: scheduled.
  await subscription('h', { next: '2027-01-20T00:00:00Z', clock: '2027-01-25T00:00:00Z' });
  await subscription('i', { next: '2027-01-28T00:00:00Z', clock: '2027-01-25T00:00:00Z' });
  // Paused: not due at all.
  const paused = await subscription('j', { next: '2027-01-21T00:00:00Z' });
  await testDb.db
    .updateTable('subscriptions')
    .set({ status: 'paused' })
    .where('id', '=', paused.subscriptionId)
    .execute();
});

afterAll(async () => {
  await testDb?.destroy();
});

describe('billing runs', () => {
  it('counts every renewal due in the window by state and currency', async () => {
    const runs = await billingRunsIn(testDb.db, JANUARY, { limit: 10 });
    expect(runs.counts).toEqual({
      due: 9,
      issued: 5,
      retrying: 1,
      failed: 1,
      late: 1,
      scheduled: 1,
    });
    expect(runs.byCurrency).toEqual([
      { currency: 'EUR', ...none, due: 7, issued: 4, failed: 1, late: 1, scheduled: 1 },
      { currency: 'USD', ...none, due: 2, issued: 1, retrying: 1 },
    ]);
  });

  it('measures due to issued over subscriptions on real time: p50, p95 (interpolated), max', async () => {
    const { lag } = await billingRunsIn(testDb.db, JANUARY, { limit: 10 });
    // 5, 30, 90, 600 s: p50 = 60, p95 = 90 + 0.85 × 510 = 523.5.
    expect(lag).toEqual({ count: 4, p50Seconds: 60, p95Seconds: 523.5, maxSeconds: 600 });
    const empty = await billingRunsIn(
      testDb.db,
      { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-06-02T00:00:00Z') },
      { limit: 10 },
    );
    expect(empty.lag).toEqual({ count: 0, p50Seconds: null, p95Seconds: null, maxSeconds: null });
    expect(empty.counts).toEqual({ ...none });
  });

  it('lists the failing renewals, soonest due first, a page at a time', async () => {
    const first = await billingRunsIn(testDb.db, JANUARY, { limit: 1 });
    expect(first.failures.hasMore).toBe(true);
    expect(first.failures.items).toEqual([
      expect.objectContaining({
        subscriptionId: ids.f,
        billingKey: '2027-01-12T00:00:00.000Z/boundary',
        currency: 'EUR',
        dueAt: new Date('2027-01-12T00:00:00Z'),
        state: 'failed',
        attempts: 4,
        lastError: 'attempt 4 failed',
      }),
    ]);
    const second = await billingRunsIn(testDb.db, JANUARY, {
      limit: 1,
      startingAfter: `${ids.f}/2027-01-12T00:00:00.000Z`,
    });
    expect(second.failures).toEqual({
      items: [
        expect.objectContaining({
          subscriptionId: ids.g,
          currency: 'USD',
          state: 'retrying',
          attempts: 3,
          lastError: 'attempt 3 failed',
        }),
      ],
      hasMore: false,
    });
  });

  it('takes windows of at most 31 days, ending after they start', () => {
    const at = (iso: string) => new Date(iso);
    expect(billingWindowIssue(at('2027-01-01T00:00:00Z'), at('2027-02-01T00:00:00Z'))).toBe(
      undefined,
    );
    expect(billingWindowIssue(at('2027-01-01T00:00:00Z'), at('2027-02-01T00:00:01Z'))).toEqual({
      field: 'to',
      message: 'must be at most 31 days after from',
    });
    expect(billingWindowIssue(at('2027-01-02T00:00:00Z'), at('2027-01-01T00:00:00Z'))).toEqual({
      field: 'to',
      message: 'must be after from',
    });
    expect(billingWindowIssue(at('2026-12-31T23:59:60Z'), at('2027-01-01T00:00:00Z'))).toEqual({
      field: 'from',
      message: 'must be a time a clock can show',
    });
  });
});
