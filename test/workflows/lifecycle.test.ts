// The subscription lifecycle on the time-skipping server, with real activities on real
// PostgreSQL: plan versions with flat, per-seat and usage charges, trials, cancels, changes and
// schedules, each asserted on the invoices and credit notes in the database.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { PlanCode } from '../../workflow-contracts/search-attributes.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { realActivities, type Activities } from '../support/activities.ts';
import { loadConfig } from '../../config/index.ts';
import { createMetric } from '../../db/repositories/metrics.ts';
import { recordUsageEvents } from '../../db/repositories/usage.ts';
import {
  prorate,
  prorationFactor,
  scheduleCycle,
  type Anchoring,
} from '../../domain/subscriptions/billing-cycles.ts';
import type { Charge, PlanVersion } from '../../domain/catalog/types.ts';
import { money } from '../../domain/core/money.ts';
import { billingPeriod, type BillingCycle, type Interval } from '../../domain/core/periods.ts';
import { unusedShare } from '../../domain/subscriptions/charges.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import {
  cancelUpdate,
  changeUpdate,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
} from '../../workflows/subscription-messages.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  type RunningWorker,
} from '../support/temporal.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TZ = 'Europe/Paris';
const operator = { actor: 'key_test' };

let env: TestWorkflowEnvironment;
let testDb: TestDatabase;
let activities: Activities;
let worker: RunningWorker;
const taskQueue = `lifecycle-${randomUUID()}`;

beforeAll(async () => {
  [env, testDb] = await Promise.all([createTimeSkippingEnvironment(), createTestDatabase()]);
  const config = loadConfig({});
  activities = realActivities(testDb.db, config);
  await createMetric(testDb.db, { code: 'api_calls', name: 'API calls', aggregation: 'count' });
  worker = await startTestWorker(env, {
    taskQueue,
    activities,
  });
});

const startedHandles: WorkflowHandle[] = [];
afterEach(async () => {
  for (const handle of startedHandles.splice(0)) {
    await handle.terminate('test finished').catch(() => undefined);
  }
});

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await testDb?.destroy();
});

const flat = (key: string, amount: string, billing: 'advance' | 'arrears' = 'advance'): Charge => ({
  key,
  type: 'flat',
  description: key,
  billing,
  amount,
});
const seats = (unitAmount: string): Charge => ({
  key: 'seats',
  type: 'per_seat',
  description: 'Seats',
  billing: 'advance',
  unitAmount,
});
const apiCalls: Charge = {
  key: 'calls',
  type: 'usage',
  description: 'API calls',
  billing: 'arrears',
  metricCode: 'api_calls',
  pricing: { model: 'per_unit', unitPrice: '2' },
};

function planOf(
  code: string,
  charges: Charge[],
  interval: Interval = 'month',
  version = 1,
): PlanVersion {
  return {
    planCode: code,
    version,
    currency: 'EUR',
    billingCycle: { interval, intervalCount: 1 },
    taxBehavior: 'exclusive',
    charges,
  };
}

/** The first local 09:00 after now (on the given day of month, if any). */
async function nextAnchor(day?: number): Promise<string> {
  let t = DateTime.fromMillis(await env.currentTimeMs(), { zone: TZ })
    .plus({ days: 1 })
    .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  if (day) while (t.day !== day) t = t.plus({ days: 1 });
  return t.toISO()!;
}

interface Started {
  handle: WorkflowHandle<typeof subscriptionWorkflow>;
  subscriptionId: string;
  customerId: string;
  cycle: BillingCycle;
}

async function subscribe(
  plan: PlanVersion,
  anchor: string,
  options: { quantity?: number; trialEnd?: string; anchoring?: Anchoring; locale?: string } = {},
): Promise<Started> {
  const { db } = testDb;
  const { customer, subscriptionId } = await newSubscribedCustomer(db, {
    customer: { timezone: TZ, ...(options.locale && { locale: options.locale }) },
    subscription: {
      status: options.trialEnd ? 'trialing' : 'active',
      anchorAt: anchor,
      quantity: options.quantity ?? 1,
    },
  });
  // `anchor` is when billing starts; the anchoring lays out the grid of periods.
  const cycle: BillingCycle = scheduleCycle({
    interval: plan.billingCycle.interval,
    intervalCount: 1,
    timezone: TZ,
    startAt: anchor,
    anchoring: options.anchoring ?? { type: 'anniversary' },
  });
  const handle = await env.client.workflow.start<typeof subscriptionWorkflow>(
    'subscriptionWorkflow',
    {
      ...subscriptionStartOptions({
        subscriptionId,
        customerId: customer.id,
        planCode: plan.planCode,
        planName: plan.planCode,
        cycle,
        price: money(0, 'EUR'),
        plan,
        quantity: options.quantity ?? 1,
        ...(options.trialEnd && { trialEnd: options.trialEnd }),
        ...(cycle.anchor !== anchor && { startAt: anchor }),
      }),
      taskQueue,
    },
  );
  startedHandles.push(handle);
  return { handle, subscriptionId, customerId: customer.id, cycle };
}

async function sleepUntil(instant: string | number) {
  const target = typeof instant === 'number' ? instant : Date.parse(instant);
  const now = await env.currentTimeMs();
  if (target > now) await env.sleep(target - now);
}

async function advanceTo(instant: string, s: Started, count: number) {
  await sleepUntil(Date.parse(instant) + HOUR);
  await eventually(
    `${count} invoices`,
    async () => (await s.handle.query(stateQuery)).invoicesIssued >= count,
  );
}

function invoicesOf(subscriptionId: string) {
  return testDb.db
    .selectFrom('invoices')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('issued_at')
    .orderBy('created_at')
    .execute();
}

function linesOf(invoiceId: string) {
  return testDb.db
    .selectFrom('invoice_lines')
    .select([
      'description',
      'quantity',
      'unit_amount',
      'amount',
      'arithmetic',
      'period_start',
      'period_end',
    ])
    .where('invoice_id', '=', invoiceId)
    .orderBy('position')
    .execute();
}

function creditNotesOf(subscriptionId: string) {
  return testDb.db
    .selectFrom('credit_notes')
    .innerJoin('invoices', 'invoices.id', 'credit_notes.invoice_id')
    .select(['credit_notes.total', 'credit_notes.subtotal', 'credit_notes.billing_key'])
    .where('invoices.subscription_id', '=', subscriptionId)
    .execute();
}

async function usage(customerId: string, at: number, count: number) {
  const events = Array.from({ length: count }, (_, i) => ({
    customerId,
    transactionId: `tx-${randomUUID()}-${i}`,
    metricCode: 'api_calls',
    timestamp: new Date(at + i * 1000).toISOString(),
    properties: {},
  }));
  const outcomes = await recordUsageEvents(testDb.db, events, 'reject');
  expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
}

async function expectRejected(promise: Promise<unknown>, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((error as WorkflowUpdateFailedError).cause?.message).toMatch(message);
}

async function status(subscriptionId: string) {
  const row = await testDb.db
    .selectFrom('subscriptions')
    .select('status')
    .where('id', '=', subscriptionId)
    .executeTakeFirstOrThrow();
  return row.status;
}

describe('subscription lifecycle', () => {
  it('trial to paid: trialing, no invoice during the trial, the first period starts at its end', async () => {
    const start = await nextAnchor();
    const trialEnd = DateTime.fromISO(start).plus({ days: 14 }).toUTC().toISO()!;
    const s = await subscribe(planOf('trial', [flat('base', '2000')]), trialEnd, { trialEnd });
    const trialing = await s.handle.query(stateQuery);
    expect(trialing.status).toBe('trialing');
    expect(trialing.nextBillingAt).toBe(trialEnd);
    const described = await s.handle.describe();
    expect(described.searchAttributes.BillingStatus).toEqual(['trialing']);

    await sleepUntil(Date.parse(trialEnd) - DAY);
    expect(await invoicesOf(s.subscriptionId)).toHaveLength(0);
    expect((await s.handle.query(stateQuery)).status).toBe('trialing');

    await advanceTo(trialEnd, s, 1);
    const [first] = await invoicesOf(s.subscriptionId);
    expect(first!.subtotal).toBe(2000);
    expect(first!.period_start!.toISOString()).toBe(trialEnd);
    expect((await s.handle.query(stateQuery)).status).toBe('active');
    expect(await status(s.subscriptionId)).toBe('active');
  });

  it('a trial ending mid-month on a calendar plan: the first invoice prorated from the trial end', async () => {
    const trialEnd = new Date(await nextAnchor(12)).toISOString();
    const s = await subscribe(planOf('trial-calendar', [flat('base', '3100')]), trialEnd, {
      trialEnd,
      anchoring: { type: 'calendar' },
    });
    expect((await s.handle.query(stateQuery)).status).toBe('trialing');
    await advanceTo(trialEnd, s, 1);
    const grid = billingPeriod(s.cycle, 0); // the calendar month the trial ends in
    const [first] = await invoicesOf(s.subscriptionId);
    expect(first!.issued_at!.toISOString()).toBe(trialEnd);
    expect(first!.subtotal).toBe(
      prorate(money(3100, 'EUR'), prorationFactor(grid, trialEnd, grid.end, TZ)).amount,
    );
    expect(first!.subtotal).toBeLessThan(3100);
  });

  it('words a de-DE customer’s system lines in German: tier ranges, the minimum true-up, in arrears', async () => {
    const anchor = await nextAnchor();
    const tiered: Charge = {
      ...apiCalls,
      pricing: {
        model: 'graduated',
        tiers: [
          { upTo: '10', unitPrice: '2' },
          { upTo: null, unitPrice: '1' },
        ],
      },
    };
    const plan = {
      ...planOf('committed', [flat('base', '1000'), tiered]),
      minimumCommitment: '5000',
    };
    const s = await subscribe(plan, anchor, { locale: 'de-DE' });
    await advanceTo(anchor, s, 1);
    const period0 = billingPeriod(s.cycle, 0);
    await usage(s.customerId, Date.parse(period0.start) + 2 * DAY, 15);
    await advanceTo(period0.end, s, 2);
    const lines = await linesOf((await invoicesOf(s.subscriptionId))[1]!.id);
    const descriptions = lines.map((l) => l.description);
    expect(descriptions).toContain('API calls (nachträglich)');
    expect(descriptions).toContain('Ausgleich auf die Mindestabnahme (nachträglich)');
    const calls = lines.find((l) => l.description === 'API calls (nachträglich)')!;
    expect(
      (calls.arithmetic as { components: { label: string }[] }).components.map((c) => c.label),
    ).toEqual(['erste 10', 'über 10']);
    expect(descriptions.join(' ')).not.toMatch(/in arrears|Minimum commitment/);
  });

  it('words a de-DE customer’s volume tier in German, its figures formatted the German way', async () => {
    const anchor = await nextAnchor();
    const volume: Charge = {
      ...apiCalls,
      pricing: {
        model: 'volume',
        tiers: [
          { upTo: '1000', unitPrice: '2' },
          { upTo: '10000', unitPrice: '1', flatFee: '500' },
          { upTo: null, unitPrice: '0.5' },
        ],
      },
    };
    const s = await subscribe(planOf('volume-de', [flat('base', '1000'), volume]), anchor, {
      locale: 'de-DE',
    });
    await advanceTo(anchor, s, 1);
    const period0 = billingPeriod(s.cycle, 0);
    await usage(s.customerId, Date.parse(period0.start) + 2 * DAY, 1200);
    await advanceTo(period0.end, s, 2);
    const lines = await linesOf((await invoicesOf(s.subscriptionId))[1]!.id);
    const calls = lines.find((l) => l.description === 'API calls (nachträglich)')!;
    const arithmetic = calls.arithmetic as {
      components: { label: string }[];
      explanation: string[];
      explanationWording?: unknown;
    };
    // 1,200 units reach tier 2: 1,200 × €0.01 = €12.00, plus its flat fee of €5.00.
    expect(calls.amount).toBe(1700);
    expect(arithmetic.components.map((c) => c.label)).toEqual([
      'alle Einheiten zu Stufe 2 (über 1.000 bis 10.000)',
      'Grundgebühr (Stufe 2)',
    ]);
    // (Intl puts a no-break space before the euro sign.)
    expect(arithmetic.explanation.map((step) => step.replace(/\u00a0/g, ' '))).toEqual([
      '1.200 Einheiten erreichen Stufe 2 (über 1.000 bis 10.000): 1.200 × 0,01 € = 12,00 €; Grundgebühr 5,00 €',
      'Summe 17,00 €',
    ]);
    // Worded once, when stored: the messages themselves are not kept.
    expect(arithmetic.explanationWording).toBeUndefined();
    expect(JSON.stringify(arithmetic)).not.toMatch(/tier|flat fee|units reach|total|1,000/);
  });

  it('bills usage in arrears with the advance charges of the next period on one invoice per boundary', async () => {
    const anchor = await nextAnchor();
    const plan = planOf('metered', [flat('base', '1000'), seats('500'), apiCalls]);
    const s = await subscribe(plan, anchor, { quantity: 3 });
    await advanceTo(anchor, s, 1);
    const period0 = billingPeriod(s.cycle, 0);
    await usage(s.customerId, Date.parse(period0.start) + 2 * DAY, 10);
    await advanceTo(period0.end, s, 2);
    const period1 = billingPeriod(s.cycle, 1);
    await usage(s.customerId, Date.parse(period1.start) + DAY, 7);
    await advanceTo(period1.end, s, 3);

    const invoices = await invoicesOf(s.subscriptionId);
    // Opening: base + 3 seats, nothing in arrears yet; then usage of the closed period on top.
    expect(invoices.map((i) => i.subtotal)).toEqual([2500, 2520, 2514]);
    expect(invoices.map((i) => i.tax)).toEqual([500, 504, 503]);
    const lines = await linesOf(invoices[1]!.id);
    // Each line keeps its arithmetic: 10 calls × 2¢ = 20¢, 1 × €10.00, 3 seats × €5.00.
    expect(lines.map((l) => [l.description, l.quantity, l.unit_amount, l.amount])).toEqual([
      ['API calls (à terme échu)', '10', '2', 20], // the system's words in fr-FR
      ['base', '1', '1000', 1000],
      ['Seats', '3', '500', 1500],
    ]);
    expect(lines[0]!.arithmetic).toMatchObject({
      kind: 'charge',
      chargeKey: 'calls',
      billing: 'arrears',
      usedQuantity: '10',
      proration: null,
      cappedAt: null,
    });
    expect(lines[0]!.period_start!.toISOString()).toBe(period0.start);
    expect(lines[1]!.period_start!.toISOString()).toBe(period1.start);
    // Usage was closed through the boundary before it was aggregated.
    const row = await testDb.db
      .selectFrom('subscriptions')
      .select('usage_closed_through')
      .where('id', '=', s.subscriptionId)
      .executeTakeFirstOrThrow();
    expect(row.usage_closed_through!.toISOString()).toBe(period1.end);
  });

  it('cancel now: final invoice with usage to date and the unused advance credited', async () => {
    const anchor = await nextAnchor(1);
    const s = await subscribe(planOf('cancel-now', [flat('base', '3000'), apiCalls]), anchor);
    await advanceTo(anchor, s, 1);
    await usage(s.customerId, Date.parse(anchor) + DAY, 5);
    await sleepUntil(Date.parse(anchor) + 10 * DAY);
    const result = await s.handle.executeUpdate(cancelUpdate, { args: [operator] });
    expect(result.status).toBe('ended');
    expect((await s.handle.result()).status).toBe('ended');
    const canceledAt = result.canceledAt!;

    const invoices = await invoicesOf(s.subscriptionId);
    expect(invoices).toHaveLength(2);
    expect(invoices[1]!.subtotal).toBe(10); // 5 calls × €0.02 to date
    const period = billingPeriod(s.cycle, 0);
    const share = unusedShare(period, canceledAt, TZ);
    expect(share.numerator).toBe(share.denominator - 10);
    const notes = await creditNotesOf(s.subscriptionId);
    expect(notes).toHaveLength(1);
    // The advance line's total (€30.00 + 20 % VAT) × unused days / days of the period.
    expect(notes[0]!.total).toBe(prorate(money(3600, 'EUR'), share).amount);
    expect(await status(s.subscriptionId)).toBe('ended');
    await expect(s.handle.executeUpdate(pauseUpdate, { args: [operator] })).rejects.toThrow();
  });

  it('cancel at period end: canceled until the period closes, then the last arrears and ended', async () => {
    const anchor = await nextAnchor();
    const s = await subscribe(planOf('cancel-later', [flat('base', '3000'), apiCalls]), anchor);
    await advanceTo(anchor, s, 1);
    await usage(s.customerId, Date.parse(anchor) + DAY, 4);
    const canceled = await s.handle.executeUpdate(cancelUpdate, {
      args: [{ ...operator, cancelAt: 'period_end' }],
    });
    expect(canceled.status).toBe('canceled');
    expect(canceled.nextBillingAt).toBe(billingPeriod(s.cycle, 0).end);
    await expectRejected(
      s.handle.executeUpdate(cancelUpdate, { args: [operator] }),
      /cannot cancel a subscription that is canceled/,
    );
    await sleepUntil(Date.parse(billingPeriod(s.cycle, 0).end) + HOUR);
    expect((await s.handle.result()).status).toBe('ended');
    const invoices = await invoicesOf(s.subscriptionId);
    expect(invoices.map((i) => i.subtotal)).toEqual([3000, 8]);
    expect(await creditNotesOf(s.subscriptionId)).toHaveLength(0);
    expect(await status(s.subscriptionId)).toBe('ended');
  });

  it('pausing twice and resuming an active subscription are rejected', async () => {
    const anchor = await nextAnchor();
    const s = await subscribe(planOf('pausable', [flat('base', '1000')]), anchor);
    await advanceTo(anchor, s, 1);
    await s.handle.executeUpdate(pauseUpdate, { args: [operator] });
    await expectRejected(
      s.handle.executeUpdate(pauseUpdate, { args: [operator] }),
      /cannot pause a subscription that is paused/,
    );
    await s.handle.executeUpdate(resumeUpdate, { args: [{ ...operator, anchor: 'keep' }] });
    await expectRejected(
      s.handle.executeUpdate(resumeUpdate, { args: [{ ...operator, anchor: 'keep' }] }),
      /cannot resume a subscription that is active/,
    );
  });

  it('upgrade mid-period: unused old price credited, new price charged for the rest', async () => {
    const anchor = await nextAnchor(1);
    const basic = planOf('basic', [flat('base', '3000')]);
    const pro = planOf('pro', [flat('base', '6000')], 'month', 2);
    const s = await subscribe(basic, anchor);
    await advanceTo(anchor, s, 1);
    await sleepUntil(Date.parse(anchor) + 12 * DAY);
    const changed = await s.handle.executeUpdate(changeUpdate, {
      args: [{ ...operator, plan: pro, quantity: 1 }],
    });
    expect(changed.planVersion).toBe(2);
    // The Temporal UI follows the change: PlanCode and the current details name the new terms.
    expect((await s.handle.describe()).typedSearchAttributes.get(PlanCode)).toBe('pro');
    const metadata = await s.handle.query<{ currentDetails?: string }>(
      '__temporal_workflow_metadata',
    );
    expect(metadata.currentDetails).toContain('**Plan** pro v2 × 1 (EUR 60.00');
    const invoices = await invoicesOf(s.subscriptionId);
    expect(invoices).toHaveLength(2);
    const period = billingPeriod(s.cycle, 0);
    const at = (await invoicesOf(s.subscriptionId))[1]!.issued_at!.toISOString();
    const share = unusedShare(period, at, TZ);
    expect(invoices[1]!.subtotal).toBe(prorate(money(6000, 'EUR'), share).amount);
    const notes = await creditNotesOf(s.subscriptionId);
    expect(notes.map((n) => n.total)).toEqual([prorate(money(3600, 'EUR'), share).amount]);
    // The next period is billed on the new price.
    await advanceTo(period.end, s, 3);
    expect((await invoicesOf(s.subscriptionId))[2]!.subtotal).toBe(6000);
  });

  it('downgrade at period end, and a quantity change applied now', async () => {
    const anchor = await nextAnchor(1);
    const pro = planOf('pro', [seats('1000')]);
    const basic = planOf('basic', [seats('400')], 'month', 2);
    const s = await subscribe(pro, anchor, { quantity: 2 });
    await advanceTo(anchor, s, 1);
    await sleepUntil(Date.parse(anchor) + 5 * DAY);
    const downgraded = await s.handle.executeUpdate(changeUpdate, {
      args: [{ ...operator, plan: basic, quantity: 2 }],
    });
    expect(downgraded.pendingChange?.plan.planCode).toBe('basic');
    expect(await invoicesOf(s.subscriptionId)).toHaveLength(1);
    const period0 = billingPeriod(s.cycle, 0);
    await advanceTo(period0.end, s, 2);
    expect((await invoicesOf(s.subscriptionId)).map((i) => i.subtotal)).toEqual([2000, 800]);

    // More seats mid-period: an upgrade, applied now.
    await sleepUntil(Date.parse(period0.end) + 15 * DAY);
    await s.handle.executeUpdate(changeUpdate, {
      args: [{ ...operator, plan: basic, quantity: 5 }],
    });
    const invoices = await invoicesOf(s.subscriptionId);
    expect(invoices).toHaveLength(3);
    const period1 = billingPeriod(s.cycle, 1);
    const share = unusedShare(period1, invoices[2]!.issued_at!.toISOString(), TZ);
    expect(invoices[2]!.subtotal).toBe(prorate(money(2000, 'EUR'), share).amount);
    const notes = await creditNotesOf(s.subscriptionId);
    expect(notes.map((n) => n.total)).toEqual([prorate(money(960, 'EUR'), share).amount]);
    expect((await s.handle.query(stateQuery)).quantity).toBe(5);
  });

  it('follows yearly (from Feb 29), quarterly and weekly schedules', async () => {
    const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: TZ });
    const q = now.plus({ days: 2 }).startOf('day').set({ hour: 9 });
    // Shortest first: virtual time only moves forward, and each case reads its first invoices.
    const cases: { interval: Interval; anchor: string; count: number; expected: string[] }[] = [
      {
        interval: 'week',
        anchor: q.toUTC().toISO()!,
        count: 3,
        expected: [0, 7, 14].map((d) => q.plus({ days: d }).toISODate()!),
      },
      {
        interval: 'quarter',
        anchor: q.toUTC().toISO()!,
        count: 3,
        expected: [0, 3, 6].map((m) => q.plus({ months: m }).toISODate()!),
      },
      {
        interval: 'year',
        anchor: DateTime.fromISO('2028-02-29T09:00', { zone: TZ }).toUTC().toISO()!,
        count: 3,
        expected: ['2028-02-29', '2029-02-28', '2030-02-28'],
      },
    ];
    const started = await Promise.all(
      cases.map((c) =>
        subscribe(planOf(`every-${c.interval}`, [flat('base', '1200')], c.interval), c.anchor),
      ),
    );
    for (const [i, c] of cases.entries()) {
      const s = started[i]!;
      await advanceTo(billingPeriod(s.cycle, c.count - 1).start, s, c.count);
      const invoices = (await invoicesOf(s.subscriptionId)).slice(0, c.count);
      // Each one is canceled once read, so it does not keep billing while the next case runs.
      await s.handle.terminate('read');
      expect(
        invoices.map((inv) => DateTime.fromJSDate(inv.period_start!, { zone: TZ }).toISODate()),
        c.interval,
      ).toEqual(c.expected);
      expect(invoices.every((inv) => inv.subtotal === 1200)).toBe(true);
    }
  });

  it('calendar-anchored from mid-month: a prorated first invoice, then whole months', async () => {
    const start = await nextAnchor(10);
    const s = await subscribe(
      planOf('calendar', [flat('base', '3000'), flat('support', '1000', 'arrears')]),
      start,
      { anchoring: { type: 'calendar' } },
    );
    const grid = billingPeriod(s.cycle, 0);
    expect(DateTime.fromISO(grid.start, { zone: TZ }).day).toBe(1);
    await advanceTo(start, s, 1);
    const stub = prorationFactor(grid, start, grid.end, TZ); // e.g. 22/31 from the 10th
    expect(stub.numerator).toBeLessThan(stub.denominator);
    let invoices = await invoicesOf(s.subscriptionId);
    expect(invoices[0]!.issued_at!.toISOString()).toBe(new Date(start).toISOString());
    expect(invoices[0]!.subtotal).toBe(prorate(money(3000, 'EUR'), stub).amount);
    expect((await linesOf(invoices[0]!.id))[0]!.period_start!.toISOString()).toBe(
      new Date(start).toISOString(),
    );

    // The 1st of next month: a whole month in advance, the stub's arrears prorated alike.
    await advanceTo(grid.end, s, 2);
    invoices = await invoicesOf(s.subscriptionId);
    expect(invoices[1]!.issued_at!.toISOString()).toBe(grid.end);
    expect(invoices[1]!.subtotal).toBe(3000 + prorate(money(1000, 'EUR'), stub).amount);
    await advanceTo(billingPeriod(s.cycle, 2).start, s, 3);
    expect((await invoicesOf(s.subscriptionId))[2]!.subtotal).toBe(4000);
  });

  it('24 monthly renewals with correct totals across continue-as-new', async () => {
    const anchor = await nextAnchor(31);
    const s = await subscribe(planOf('long', [flat('base', '4900'), seats('100')]), anchor, {
      quantity: 2,
    });
    const firstRun = (await s.handle.describe()).runId;
    await advanceTo(billingPeriod(s.cycle, 23).start, s, 24);
    const invoices = await invoicesOf(s.subscriptionId);
    expect(invoices).toHaveLength(24);
    expect(new Set(invoices.map((i) => i.period_start!.toISOString())).size).toBe(24);
    expect(invoices.every((i) => i.subtotal === 5100 && i.tax === 1020 && i.total === 6120)).toBe(
      true,
    );
    expect(invoices.reduce((t, i) => t + i.total, 0)).toBe(24 * 6120);
    const state = await s.handle.query(stateQuery);
    expect(state.quantity).toBe(2);
    expect(state.nextBillingAt).toBe(billingPeriod(s.cycle, 24).start);
    expect((await s.handle.describe()).runId).not.toBe(firstRun);
  });
});
