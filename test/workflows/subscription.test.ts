// The subscription workflow on the time-skipping server, with real activities on real
// PostgreSQL: months pass in seconds, and every invoice and email is counted in the database.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { realActivities, type Activities } from '../support/activities.ts';
import { loadConfig } from '../../config/index.ts';
import { billingPeriod, type BillingCycle } from '../../domain/core/periods.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import {
  cancelUpdate,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
} from '../../workflows/subscription-messages.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { flatPlanVersion } from '../support/builders/plans.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  createTestWorker,
} from '../support/temporal.ts';
import { INVALID_TRANSITION } from '../../workflow-contracts/names.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const operator = { actor: 'key_test' };

let env: TestWorkflowEnvironment;
let testDb: TestDatabase;
let activities: Activities;

beforeAll(async () => {
  [env, testDb] = await Promise.all([createTimeSkippingEnvironment(), createTestDatabase()]);
  const config = loadConfig({});
  activities = realActivities(testDb.db, config);
});

// A workflow left running by a failed test would hold up virtual time for the next one.
const startedHandles: WorkflowHandle[] = [];
afterEach(async () => {
  for (const handle of startedHandles.splice(0)) {
    await handle.terminate('test finished').catch(() => undefined);
  }
});

afterAll(async () => {
  await env?.teardown();
  await testDb?.destroy();
});

async function withWorker<R>(
  fn: (taskQueue: string) => Promise<R>,
  overrides?: object,
  taskQueue = `test-${randomUUID()}`,
  maxCachedWorkflows?: number,
) {
  const worker = await createTestWorker(env, {
    taskQueue,
    maxCachedWorkflows,
    activities: { ...activities, ...overrides },
  });
  return worker.runUntil(fn(taskQueue));
}

/** The first local 09:00 on the given day of month after now, in the zone. */
async function nextAnchor(timezone: string, day?: number): Promise<string> {
  let t = DateTime.fromMillis(await env.currentTimeMs(), { zone: timezone })
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

async function startSubscription(
  taskQueue: string,
  anchor: string,
  timezone = 'Europe/Paris',
): Promise<Started> {
  const { db } = testDb;
  const { customer, plan, subscriptionId } = await newSubscribedCustomer(db, {
    customer: { timezone },
    subscription: { anchorAt: anchor },
  });
  const cycle: BillingCycle = { interval: 'month', intervalCount: 1, anchor, timezone };
  const options = subscriptionStartOptions({
    subscriptionId,
    customerId: customer.id,
    planCode: plan.code,
    planName: plan.name,
    cycle,
    price: { amount: plan.amount, currency: plan.currency },
    plan: flatPlanVersion(plan),
  });
  const handle = await env.client.workflow.start<typeof subscriptionWorkflow>(
    'subscriptionWorkflow',
    {
      ...options,
      taskQueue,
    },
  );
  startedHandles.push(handle);
  return { handle, subscriptionId, customerId: customer.id, cycle };
}

/** Moves virtual time to `instant` (plus a margin) and waits until the workflow has billed `count` invoices. */
async function advanceTo(instant: string, handle: Started['handle'], count: number) {
  const now = await env.currentTimeMs();
  const target = Date.parse(instant) + HOUR;
  if (target > now) await env.sleep(target - now);
  await eventually(
    `${count} invoices`,
    async () => (await handle.query(stateQuery)).invoicesIssued === count,
  );
}

function invoicesOf(subscriptionId: string) {
  return testDb.db
    .selectFrom('invoices')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('period_start')
    .execute();
}

async function outboxCountFor(customerId: string) {
  const rows = await testDb.db
    .selectFrom('email_deliveries')
    .innerJoin('invoices', 'invoices.id', 'email_deliveries.invoice_id')
    .select(['email_deliveries.status', 'email_deliveries.provider_message_id'])
    .where('invoices.customer_id', '=', customerId)
    .execute();
  const outbox = await testDb.db
    .selectFrom('outbox_messages')
    .select('id')
    .where('id', 'in', rows.map((r) => r.provider_message_id ?? '').concat(['-']))
    .execute();
  return {
    deliveries: rows.length,
    sent: rows.filter((r) => r.status === 'sent').length,
    outbox: outbox.length,
  };
}

async function expectRejected(promise: Promise<unknown>, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe(INVALID_TRANSITION);
  expect((cause as ApplicationFailure).message).toMatch(message);
}

describe('subscription workflow', () => {
  it('bills exactly 12 invoices over 12 months, anchored on the 31st, then continues as new', async () => {
    await withWorker(async (taskQueue) => {
      const anchor = await nextAnchor('Europe/Paris', 31);
      const { handle, subscriptionId, customerId, cycle } = await startSubscription(
        taskQueue,
        anchor,
      );
      const firstRun = (await handle.describe()).runId;

      await advanceTo(billingPeriod(cycle, 11).start, handle, 12);

      const invoices = await invoicesOf(subscriptionId);
      expect(invoices).toHaveLength(12);
      const anchorLocal = DateTime.fromISO(anchor, { zone: 'Europe/Paris' });
      invoices.forEach((invoice, i) => {
        // Each period starts at 09:00 local on the anchor day, clamped to short months' end.
        const expectedStart = anchorLocal.plus({ months: i });
        const start = DateTime.fromJSDate(invoice.period_start!, { zone: 'Europe/Paris' });
        expect(start.toISO()).toBe(expectedStart.toISO());
        expect(start.day).toBe(Math.min(31, start.daysInMonth!));
        expect(start.hour).toBe(9);
        expect(invoice.period_end!.toISOString()).toBe(
          new Date(anchorLocal.plus({ months: i + 1 }).toMillis()).toISOString(),
        );
        // The plan's EUR 49.00 plus French VAT: a French consumer of the Irish demo seller is
        // charged 20 % FR VAT through the One-Stop Shop.
        expect(invoice.subtotal).toBe(4900);
        expect(invoice.tax).toBe(980);
        expect(invoice.total).toBe(5880);
        expect(invoice.amount_due).toBe(5880);
        expect(invoice.currency).toBe('EUR');
        expect(invoice.status).toBe('open');
        expect(invoice.tax_breakdown).toEqual([
          {
            treatment: 'taxable',
            jurisdiction: 'FR',
            taxName: 'VAT',
            rate: '20',
            taxableAmount: { amount: 4900, currency: 'EUR' },
            taxAmount: { amount: 980, currency: 'EUR' },
          },
        ]);
        // Due on receipt (payment terms 0), issued when the period opens.
        expect(invoice.issued_at!.toISOString()).toBe(invoice.period_start!.toISOString());
        expect(invoice.due_at!.toISOString()).toBe(invoice.period_start!.toISOString());
        expect(invoice.customer_details).toMatchObject({
          name: 'Acme SAS',
          address: { country: 'FR' },
          customerType: 'individual',
        });
      });
      // Numbered in issue order within each year's series (INV-2027-000001, …).
      expect(new Set(invoices.map((inv) => inv.number)).size).toBe(12);
      invoices.forEach((invoice, i) => {
        expect(invoice.number).toMatch(
          new RegExp(`^INV-${invoice.issued_at!.getUTCFullYear()}-\\d{6}$`),
        );
        const previous = invoices[i - 1];
        if (previous && previous.number!.slice(0, 8) === invoice.number!.slice(0, 8)) {
          expect(invoice.number! > previous.number!).toBe(true);
        }
      });
      expect(await outboxCountFor(customerId)).toEqual({ deliveries: 12, sent: 12, outbox: 12 });

      // Bounded history: after 12 periods the workflow continued as new, state intact.
      const state = await handle.query(stateQuery);
      expect(state.invoicesIssued).toBe(12);
      expect(state.nextBillingAt).toBe(billingPeriod(cycle, 12).start);
      expect((await handle.describe()).runId).not.toBe(firstRun);

      await handle.executeUpdate(cancelUpdate, { args: [operator] });
      // Canceled, then ended once the final invoice and credit note are out.
      expect((await handle.result()).status).toBe('ended');
    });
  });

  it('stops invoicing while paused and continues on resume, in both anchor modes', async () => {
    await withWorker(async (taskQueue) => {
      const anchor = await nextAnchor('America/New_York');
      const { handle, subscriptionId, cycle } = await startSubscription(
        taskQueue,
        anchor,
        'America/New_York',
      );
      await advanceTo(billingPeriod(cycle, 0).start, handle, 1);

      const paused = await handle.executeUpdate(pauseUpdate, {
        args: [{ ...operator, reason: 'customer asked' }],
      });
      expect(paused.status).toBe('paused');
      expect(paused.nextBillingAt).toBeNull();
      await expectRejected(
        handle.executeUpdate(pauseUpdate, { args: [operator] }),
        /cannot pause a subscription that is paused/,
      );

      // Three months pass: no invoice while paused.
      await env.sleep(95 * DAY);
      expect((await handle.query(stateQuery)).invoicesIssued).toBe(1);
      expect(await invoicesOf(subscriptionId)).toHaveLength(1);

      // Resume on the same anchor: the next invoice waits for the next boundary.
      const resumed = await handle.executeUpdate(resumeUpdate, {
        args: [{ ...operator, anchor: 'keep' }],
      });
      expect(resumed.status).toBe('active');
      await expectRejected(
        handle.executeUpdate(resumeUpdate, { args: [{ ...operator, anchor: 'keep' }] }),
        /cannot resume a subscription that is active/,
      );
      const next = resumed.nextBillingAt!;
      expect(next).toBe(billingPeriod(cycle, 4).start);
      await advanceTo(next, handle, 2);
      const afterKeep = await invoicesOf(subscriptionId);
      expect(afterKeep.map((i) => i.period_start!.toISOString())).toEqual([
        new Date(billingPeriod(cycle, 0).start).toISOString(),
        new Date(billingPeriod(cycle, 4).start).toISOString(),
      ]);

      // Pause again, then resume with a fresh anchor: a new period starts and is billed at once.
      await handle.executeUpdate(pauseUpdate, { args: [operator] });
      await env.sleep(10 * DAY);
      const reset = await handle.executeUpdate(resumeUpdate, {
        args: [{ ...operator, anchor: 'reset' }],
      });
      await eventually(
        'reset invoice',
        async () => (await handle.query(stateQuery)).invoicesIssued === 3,
      );
      const afterReset = await invoicesOf(subscriptionId);
      expect(afterReset).toHaveLength(3);
      expect(afterReset[2]!.period_start!.toISOString()).toBe(
        new Date(reset.cycle.anchor).toISOString(),
      );
      const stored = await testDb.db
        .selectFrom('subscriptions')
        .select('anchor_at')
        .where('id', '=', subscriptionId)
        .executeTakeFirstOrThrow();
      expect(stored.anchor_at.toISOString()).toBe(new Date(reset.cycle.anchor).toISOString());

      const transitions = await testDb.db
        .selectFrom('subscription_transitions')
        .select(['from_status', 'to_status', 'actor', 'reason'])
        .where('subscription_id', '=', subscriptionId)
        .orderBy('occurred_at')
        .orderBy('id')
        .execute();
      expect(transitions).toEqual([
        { from_status: 'active', to_status: 'paused', actor: 'key_test', reason: 'customer asked' },
        { from_status: 'paused', to_status: 'active', actor: 'key_test', reason: null },
        { from_status: 'active', to_status: 'paused', actor: 'key_test', reason: null },
        { from_status: 'paused', to_status: 'active', actor: 'key_test', reason: null },
      ]);
      await handle.executeUpdate(cancelUpdate, { args: [operator] });
    });
  });

  it('ends the workflow on cancel and bills nothing after', async () => {
    await withWorker(async (taskQueue) => {
      const anchor = await nextAnchor('Asia/Tokyo');
      const { handle, subscriptionId, cycle } = await startSubscription(
        taskQueue,
        anchor,
        'Asia/Tokyo',
      );
      await advanceTo(billingPeriod(cycle, 0).start, handle, 1);

      const canceled = await handle.executeUpdate(cancelUpdate, {
        args: [{ ...operator, reason: 'moved to a competitor' }],
      });
      expect(canceled.status).toBe('ended');
      const result = await handle.result();
      expect(result.status).toBe('ended');
      expect((await handle.describe()).status.name).toBe('COMPLETED');

      await env.sleep(62 * DAY);
      expect(await invoicesOf(subscriptionId)).toHaveLength(1);
      const row = await testDb.db
        .selectFrom('subscriptions')
        .select('status')
        .where('id', '=', subscriptionId)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('ended');
    });
  });

  it('issues no duplicate invoice or email when activities are retried and the worker restarts mid-period', async () => {
    const taskQueue = `test-${randomUUID()}`;
    const anchor = await nextAnchor('Europe/London');
    let started!: Started;
    let lostResponses = 0;
    const lost = (message: string) =>
      ApplicationFailure.create({ message, nextRetryDelay: '10 ms' });
    // The first attempt of each side effect succeeds but its answer is "lost" (as on a timeout
    // or a worker crash after the commit); Temporal retries, and the business keys must hold.
    const flaky = {
      async issuePeriodInvoice(input: Parameters<typeof activities.issuePeriodInvoice>[0]) {
        const result = await activities.issuePeriodInvoice(input);
        if (lostResponses++ < 1) throw lost('connection reset after commit');
        return result;
      },
      async emailInvoice(input: Parameters<typeof activities.emailInvoice>[0]) {
        const result = await activities.emailInvoice(input);
        if (lostResponses++ < 3) throw lost('timeout after the provider accepted the email');
        return result;
      },
    };
    await withWorker(
      async () => {
        started = await startSubscription(taskQueue, anchor, 'Europe/London');
        await advanceTo(billingPeriod(started.cycle, 0).start, started.handle, 1);
      },
      flaky,
      taskQueue,
      // No sticky cache: the test server would wait for this worker's sticky queue in
      // virtual time after it stops. The next worker rebuilds the workflow from history.
      0,
    );
    expect(lostResponses).toBeGreaterThanOrEqual(2);
    // Mid-period, a new worker picks the workflow up from its history.
    await withWorker(
      async () => {
        await advanceTo(billingPeriod(started.cycle, 2).start, started.handle, 3);
        await started.handle.executeUpdate(cancelUpdate, { args: [operator] });
      },
      undefined,
      taskQueue,
    );
    const invoices = await invoicesOf(started.subscriptionId);
    expect(invoices).toHaveLength(3);
    expect(new Set(invoices.map((i) => i.period_start!.toISOString())).size).toBe(3);
    // Taxed once each (20 % FR VAT), and numbered consecutively: the retried attempt took no
    // number of its own.
    expect(invoices.map((i) => [i.tax, i.total])).toEqual([
      [980, 5880],
      [980, 5880],
      [980, 5880],
    ]);
    const numbers = invoices.map((i) => /^(INV-\d{4})-(\d{6})$/.exec(i.number!)!);
    numbers.forEach((n, i) => {
      const previous = numbers[i - 1];
      if (previous) {
        expect(Number(n[2])).toBe(previous[1] === n[1] ? Number(previous[2]) + 1 : 1);
      }
    });
    // Three invoices and the cancel's credit note for unused time, each emailed once.
    expect(await outboxCountFor(started.customerId)).toEqual({ deliveries: 4, sent: 4, outbox: 4 });
    const series = await testDb.db
      .selectFrom('number_series')
      .select(['series', 'last_value'])
      .where('series', 'like', 'INV-%')
      .execute();
    const all = await testDb.db.selectFrom('invoices').select('number').execute();
    // Every number taken is used: the lost first attempt left no gap in any series.
    expect(series.reduce((sum, s) => sum + s.last_value, 0)).toBe(all.length);
  });
});
