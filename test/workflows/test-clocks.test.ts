// Test clocks on the time-skipping server, with the real activities on real PostgreSQL: the
// production subscription workflow billed on virtual time, walked by the advance workflow.
import { randomUUID } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { newId } from '../../db/ids.ts';
import { beginAdvance, getTestClock, insertTestClock } from '../../db/repositories/test-clocks.ts';
import type { Charge, PlanVersion } from '../../domain/catalog/types.ts';
import { money } from '../../domain/core/money.ts';
import type { Interval } from '../../domain/core/periods.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import { changeUpdate, stateQuery } from '../../workflows/subscription-messages.ts';
import { testClockAdvance, testClockAdvanceWorkflowId } from '../../workflows/test-clock.ts';
import { realActivities } from '../support/activities.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  testDataConverter,
  type RunningWorker,
} from '../support/temporal.ts';
import { advanceClockUpdate, clockPositionQuery } from '../../workflow-contracts/test-clock.ts';

const TZ = 'Europe/Paris';
const T0 = '2027-01-01T08:00:00.000Z'; // 09:00 in Paris

let env: TestWorkflowEnvironment;
/**
 * A plain client: the environment's own skips time whenever it waits on a result, and with no
 * timer pending it would jump to the workflows' 10-year execution timeout. Clocked workflows
 * never need real (or skipped) time.
 */
let client: Client;
let testDb: TestDatabase;
let worker: RunningWorker;
const taskQueue = `test-clocks-${randomUUID()}`;
const started: WorkflowHandle[] = [];
/** Period invoices (subscription/billing key) whose first answer is lost: the activity retried. */
const loseAnswerOnce = new Set<string>();

beforeAll(async () => {
  [env, testDb] = await Promise.all([createTimeSkippingEnvironment(), createTestDatabase()]);
  client = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    dataConverter: testDataConverter,
  });
  const real = realActivities(testDb.db, loadConfig({}), { temporal: client });
  worker = await startTestWorker(env, {
    taskQueue,
    activities: {
      ...real,
      async issuePeriodInvoice(input: Parameters<typeof real.issuePeriodInvoice>[0]) {
        const issued = await real.issuePeriodInvoice(input);
        if (loseAnswerOnce.delete(`${input.subscriptionId}/${input.billingKey}`)) {
          throw ApplicationFailure.create({ message: 'answer lost', nextRetryDelay: '10 ms' });
        }
        return issued;
      },
    },
  });
});

afterEach(async () => {
  for (const handle of started.splice(0)) await handle.terminate('test over').catch(() => {});
});

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await testDb?.destroy();
});

function planOf(code: string, interval: Interval, amount: string): PlanVersion {
  const charge: Charge = {
    key: 'base',
    type: 'flat',
    description: code,
    billing: 'advance',
    amount,
  };
  return {
    planCode: code,
    version: 1,
    currency: 'EUR',
    billingCycle: { interval, intervalCount: 1 },
    taxBehavior: 'exclusive',
    charges: [charge],
  };
}

/** EUR 10 a seat a month, in advance. */
function seatPlan(): PlanVersion {
  return {
    ...planOf('seats', 'month', '0'),
    charges: [
      {
        key: 'seats',
        type: 'per_seat',
        description: 'Seats',
        billing: 'advance',
        unitAmount: '1000',
      },
    ],
  };
}

async function newClock(at = T0) {
  return insertTestClock(testDb.db, { id: newId('clock'), name: 'walkthrough', frozenTime: at });
}

async function subscribe(
  clockId: string,
  plan: PlanVersion,
  anchor: string,
  trialEnd?: string,
): Promise<{ subscriptionId: string; handle: WorkflowHandle<typeof subscriptionWorkflow> }> {
  const { db } = testDb;
  const { customer, subscriptionId } = await newSubscribedCustomer(db, {
    customer: { timezone: TZ, testClockId: clockId },
    subscription: { status: trialEnd ? 'trialing' : 'active', anchorAt: anchor },
  });
  const clock = (await getTestClock(db, clockId))!;
  const handle = await client.workflow.start<typeof subscriptionWorkflow>('subscriptionWorkflow', {
    ...subscriptionStartOptions({
      subscriptionId,
      customerId: customer.id,
      planCode: plan.planCode,
      planName: plan.planCode,
      cycle: { interval: plan.billingCycle.interval, intervalCount: 1, anchor, timezone: TZ },
      price: money(0, 'EUR'),
      plan,
      ...(trialEnd && { trialEnd }),
      testClock: { id: clockId, now: clock.frozen_time.toISOString() },
    }),
    taskQueue,
  });
  started.push(handle);
  return { subscriptionId, handle };
}

async function advance(clockId: string, to: string) {
  expect(await beginAdvance(testDb.db, clockId, to)).toBeDefined();
  const handle = await client.workflow.start(testClockAdvance, {
    taskQueue,
    workflowId: testClockAdvanceWorkflowId(clockId, to),
    args: [{ clockId, to }],
  });
  const report = await handle.result(); // the walk's last step sets the clock
  const clock = (await getTestClock(testDb.db, clockId))!;
  expect(clock.status).toBe('ready');
  expect(clock.frozen_time.toISOString()).toBe(to);
  return report;
}

async function invoicesOn(clockId: string) {
  return testDb.db
    .selectFrom('invoices')
    .innerJoin('customers', 'customers.id', 'invoices.customer_id')
    .select([
      'invoices.number',
      'invoices.issued_at',
      'invoices.subscription_id',
      'invoices.total',
      'invoices.subtotal',
      'invoices.billing_key',
    ])
    .where('customers.test_clock_id', '=', clockId)
    .orderBy('invoices.number')
    .execute();
}

describe('a subscription on a test clock', () => {
  it('waits on the frozen clock, not on real time', async () => {
    const clock = await newClock();
    const { subscriptionId, handle } = await subscribe(
      clock.id,
      planOf('frozen', 'month', '49'),
      T0,
    );
    // An advance to the clock's own time answers once the first invoice is out.
    const position = await handle.executeUpdate(advanceClockUpdate, { args: [T0] });
    await env.sleep('40 days'); // real (skipped) time passes; the clock does not move
    expect(await handle.query(clockPositionQuery)).toEqual(position);
    expect(position.nextWakeAt).toBe('2027-02-01T08:00:00.000Z');
    const invoices = await invoicesOn(clock.id);
    expect(invoices.map((i) => i.subscription_id)).toEqual([subscriptionId]);
  });

  it('bills every boundary up to the new time, in time order across workflows', async () => {
    const clock = await newClock();
    const monthly = await subscribe(clock.id, planOf('monthly', 'month', '49'), T0);
    // A weekly plan starting two days later, with a trial of a week first.
    const weekly = await subscribe(
      clock.id,
      planOf('weekly', 'week', '10'),
      '2027-01-10T08:00:00.000Z',
      '2027-01-10T08:00:00.000Z',
    );
    // The first renewal's answer is lost: its activity runs again and renews nothing twice.
    loseAnswerOnce.add(`${monthly.subscriptionId}/2027-02-01T08:00:00.000Z/boundary`);
    const to = '2027-03-01T09:00:00.000Z';
    const report = await advance(clock.id, to);

    const invoices = await invoicesOn(clock.id);
    const monthlyDates = invoices
      .filter((i) => i.subscription_id === monthly.subscriptionId)
      .map((i) => i.issued_at!.toISOString());
    expect(monthlyDates).toEqual([
      '2027-01-01T08:00:00.000Z',
      '2027-02-01T08:00:00.000Z',
      '2027-03-01T08:00:00.000Z',
    ]);
    const weeklyDates = invoices
      .filter((i) => i.subscription_id === weekly.subscriptionId)
      .map((i) => i.issued_at!.toISOString());
    // Trial to Jan 10, then every Sunday 09:00 Paris through Feb 28.
    expect(weeklyDates).toEqual(
      [10, 17, 24, 31, 38, 45, 52, 59].map((d) =>
        new Date(Date.parse('2027-01-01T08:00:00.000Z') + (d - 1) * 86_400_000).toISOString(),
      ),
    );
    // Two renewals (not the first period): two subscription.renewed, each with its invoice.
    const renewed = await testDb.db
      .selectFrom('webhook_events')
      .select('payload')
      .where('type', '=', 'subscription.renewed')
      .where('object_id', '=', monthly.subscriptionId)
      .orderBy('seq')
      .execute();
    const renewalInvoices = await testDb.db
      .selectFrom('invoices')
      .select(['id', 'customer_id'])
      .where('subscription_id', '=', monthly.subscriptionId)
      .where('billing_key', 'in', [
        '2027-02-01T08:00:00.000Z/boundary',
        '2027-03-01T08:00:00.000Z/boundary',
      ])
      .orderBy('billing_key')
      .execute();
    expect(renewalInvoices).toHaveLength(2);
    expect(loseAnswerOnce.size).toBe(0);
    expect(renewed.map((e) => (e.payload as { data: { object: unknown } }).data.object)).toEqual(
      [
        ['2027-02-01T08:00:00.000Z', '2027-03-01T08:00:00.000Z'],
        ['2027-03-01T08:00:00.000Z', '2027-04-01T07:00:00.000Z'],
      ].map(([periodStart, periodEnd], i) => ({
        object: 'subscription',
        id: monthly.subscriptionId,
        customerId: renewalInvoices[i]!.customer_id,
        periodStart,
        periodEnd,
        invoiceId: renewalInvoices[i]!.id,
      })),
    );
    // Each renewal's email went out at its own step on the clock (the clock reads the step its
    // walk has reached): not when the advance began (Jan 1), nor in real time.
    const emailed = await testDb.db
      .selectFrom('email_deliveries')
      .innerJoin(
        'outbox_messages',
        'outbox_messages.idempotency_key',
        'email_deliveries.idempotency_key',
      )
      .innerJoin('invoices', 'invoices.id', 'email_deliveries.invoice_id')
      .select(['outbox_messages.created_at', 'email_deliveries.sent_at'])
      .where('invoices.subscription_id', '=', monthly.subscriptionId)
      .where('email_deliveries.kind', '=', 'invoice_issued')
      .orderBy('invoices.issued_at')
      .execute();
    expect(emailed.map((e) => [e.created_at.toISOString(), e.sent_at?.toISOString()])).toEqual(
      monthlyDates.map((d) => [d, d]),
    );
    // Numbers are taken as invoices are issued: in time order only if the walk was in order.
    const byNumber = invoices.map((i) => i.issued_at!.getTime());
    expect(byNumber).toEqual([...byNumber].sort((a, b) => a - b));
    expect(invoices.every((i) => i.number!.startsWith('TEST-'))).toBe(true);
    // The walk stopped at each boundary on the way, in order, and ended at the target.
    expect(report.steps.at(-1)).toBe(to);
    expect(report.steps).toEqual([...report.steps].sort());
    expect(report.steps).toContain('2027-02-01T08:00:00.000Z');
    expect((await weekly.handle.query(stateQuery)).status).toBe('active');
    expect((await monthly.handle.query(clockPositionQuery)).nextWakeAt).toBe(
      '2027-04-01T07:00:00.000Z', // 09:00 Paris in summer time
    );
  });

  it('carries the clock across continue-as-new without a lost or duplicated period', async () => {
    const clock = await newClock();
    const { subscriptionId } = await subscribe(clock.id, planOf('long', 'month', '49'), T0);
    await advance(clock.id, '2028-03-15T00:00:00.000Z'); // 15 invoices: past a 12-period run
    await advance(clock.id, '2028-04-15T00:00:00.000Z');
    const invoices = (await invoicesOn(clock.id)).filter(
      (i) => i.subscription_id === subscriptionId,
    );
    expect(invoices).toHaveLength(16); // January 2027 to April 2028
    expect(new Set(invoices.map((i) => i.billing_key)).size).toBe(16);
    expect(invoices.at(-1)!.issued_at!.toISOString()).toBe('2028-04-01T07:00:00.000Z');
  });

  it('bills two upgrades made at the same frozen instant, each once', async () => {
    const clock = await newClock();
    const plan = seatPlan();
    const { subscriptionId, handle } = await subscribe(clock.id, plan, T0);
    await handle.executeUpdate(advanceClockUpdate, { args: [T0] });
    for (const quantity of [2, 3]) {
      await handle.executeUpdate(changeUpdate, {
        args: [{ actor: 'key_test', plan, quantity, applyAt: 'now' }],
      });
    }
    const invoices = (await invoicesOn(clock.id)).filter(
      (i) => i.subscription_id === subscriptionId,
    );
    expect(invoices.map((i) => i.subtotal)).toEqual([1000, 2000, 3000]);
    expect(new Set(invoices.map((i) => i.billing_key)).size).toBe(3);
    expect((await handle.query(stateQuery)).quantity).toBe(3);
  });

  it('refuses to go back in time or to advance twice at once', async () => {
    const clock = await newClock();
    expect(await beginAdvance(testDb.db, clock.id, '2026-12-01T00:00:00.000Z')).toBeUndefined();
    expect(await beginAdvance(testDb.db, clock.id, '2027-02-01T00:00:00.000Z')).toBeDefined();
    expect(await beginAdvance(testDb.db, clock.id, '2027-03-01T00:00:00.000Z')).toBeUndefined();
  });
});

describe('an update racing continue-as-new', () => {
  it('applies an upgrade sent while the last period of a run is billed, once', async () => {
    const clock = await newClock();
    const plan = seatPlan();
    const { subscriptionId, handle } = await subscribe(clock.id, plan, T0);
    await advance(clock.id, '2027-11-15T00:00:00.000Z'); // 11 periods of a 12-period run
    const firstRun = (await handle.describe()).runId;

    // Walk past the 12th boundary, which ends the run; the moment its invoice exists (its
    // render and email still to come), ask for three seats, applied now.
    expect(await beginAdvance(testDb.db, clock.id, '2028-01-15T00:00:00.000Z')).toBeDefined();
    const walk = await client.workflow.start(testClockAdvance, {
      taskQueue,
      workflowId: testClockAdvanceWorkflowId(clock.id, '2028-01-15T00:00:00.000Z'),
      args: [{ clockId: clock.id, to: '2028-01-15T00:00:00.000Z' }],
    });
    await eventually(
      'the 12th invoice',
      async () => (await invoicesOn(clock.id)).length >= 12,
      30_000,
    );
    const changed = await handle.executeUpdate(changeUpdate, {
      args: [{ actor: 'key_test', plan, quantity: 3, applyAt: 'now' }],
    });
    expect(changed.quantity).toBe(3);
    await walk.result();
    expect((await getTestClock(testDb.db, clock.id))!.status).toBe('ready');

    const invoices = (await invoicesOn(clock.id)).filter(
      (i) => i.subscription_id === subscriptionId,
    );
    // 13 boundaries (January 2027 to January 2028) and one change: no more, no fewer.
    expect(invoices).toHaveLength(14);
    expect(new Set(invoices.map((i) => i.billing_key)).size).toBe(14);
    const january = invoices.find((i) => i.issued_at!.toISOString() === '2028-01-01T08:00:00.000Z');
    expect(january?.subtotal).toBe(3 * 1000); // three seats at EUR 10
    expect((await handle.query(stateQuery)).quantity).toBe(3);
    expect((await handle.describe()).runId).not.toBe(firstRun);
  });
});
