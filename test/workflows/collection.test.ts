// Collections on the time-skipping server with the real activities on real PostgreSQL: the
// whole dunning schedule of a subscription invoice (heads-up, three reminders in local business
// hours, final notice, write-off, subscription past due then paused), escalation in steps (past
// due, paused, canceled; a payment in between resumes), and a payment, a partial
// payment, an overpayment, a dispute and a void each changing it; retried activities and
// repeated payments duplicating nothing; a collection walked on a test clock; and a later run
// (a payment after the schedule ended, a restart mid-schedule) carrying on from the earlier ones.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReminderRequest } from '../../activities/collections.ts';
import type { PaymentReceived } from '../../activities/email.ts';
import { loadConfig } from '../../config/index.ts';
import {
  disputeCollection,
  resolveDispute,
  upsertDunningPolicy,
} from '../../db/repositories/collections.ts';
import { getInvoice } from '../../db/repositories/invoices.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { finalizeInvoice } from '../../db/repositories/invoice-finalization.ts';
import { voidInvoice } from '../../db/repositories/invoice-lifecycle.ts';
import { creditBalance, recordPayment } from '../../db/repositories/payments.ts';
import {
  actionTime,
  collectionActions,
  type DunningPolicy,
} from '../../domain/collections/dunning.ts';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
import { money } from '../../domain/core/money.ts';
import type { PlanVersion } from '../../domain/catalog/types.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { collectionWorkflow } from '../../workflows/collection.ts';
import {
  collectionChangedSignal,
  collectionStartFields,
  collectionStateQuery,
  type CollectionInput,
} from '../../workflows/collection-messages.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import { stateQuery } from '../../workflows/subscription-messages.ts';
import { realActivities, type Activities } from '../support/activities.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { insertPlan } from '../support/builders/plans.ts';
import { insertSubscriptionRow } from '../support/builders/subscriptions.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  createTestWorker,
  startTestWorker,
  type RunningWorker,
} from '../support/temporal.ts';
import { collectionWorkflowId } from '../../workflow-contracts/ids.ts';
import { advanceClockUpdate } from '../../workflow-contracts/test-clock.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TZ = 'America/New_York';

const POLICY: DunningPolicy = {
  beforeDue: { daysBefore: 3 },
  reminders: [
    { daysAfterDue: 1, tone: 'gentle' },
    { daysAfterDue: 7, tone: 'firm' },
    { daysAfterDue: 14, tone: 'firm' },
  ],
  finalNotice: { daysAfterDue: 21, consequence: 'Your workspace will be paused.' },
  markUncollectibleAfterDays: 30,
  escalation: [
    { daysAfterDue: 1, action: 'past_due' },
    { daysAfterDue: 30, action: 'pause' },
  ],
  sendWindow: { start: '09:00', end: '17:00', weekdaysOnly: true },
};

const config = loadConfig({});
const tax = {
  provider: createBuiltInTaxProvider(),
  seller: config.taxSeller,
  rounding: config.taxRounding,
};

let env: TestWorkflowEnvironment;
let testDb: TestDatabase;
let real: Activities;
let worker: RunningWorker;
const taskQueue = `collections-${randomUUID()}`;

/** Reminders actually sent (first attempt that sent), with the virtual time they ran at. */
const reminders: { invoiceId: string; step: string; at: number }[] = [];
/** Steps (invoice/step) whose first answer is lost after the email went out. */
const loseAnswerOnce = new Set<string>();
/** Every progress report the workflows made, to replay them as retried activities would. */
const progressReports: Parameters<Activities['recordCollectionProgress']>[0][] = [];
/** Runs once when an invoice's collection records its end for the `skip + 1`-th time. */
const whenEndRecorded = new Map<string, { skip: number; run: () => Promise<void> }>();

beforeAll(async () => {
  [env, testDb] = await Promise.all([createTimeSkippingEnvironment(), createTestDatabase()]);
  real = realActivities(testDb.db, config, { collections: true });
  worker = await startTestWorker(env, {
    taskQueue,
    activities: {
      ...real,
      async remindCustomer(request: ReminderRequest) {
        const at = await env.currentTimeMs();
        const result = await real.remindCustomer(request);
        if (result.sent && !result.alreadySent) {
          reminders.push({ invoiceId: request.invoiceId, step: request.step, at });
        }
        const key = `${request.invoiceId}/${request.step}`;
        if (loseAnswerOnce.delete(key)) {
          throw ApplicationFailure.create({ message: 'answer lost', nextRetryDelay: '10 ms' });
        }
        return result;
      },
      async recordCollectionProgress(input: Parameters<Activities['recordCollectionProgress']>[0]) {
        await real.recordCollectionProgress(input);
        progressReports.push(input);
        const hook = input.ended ? whenEndRecorded.get(input.invoiceId) : undefined;
        if (hook && hook.skip-- === 0) {
          whenEndRecorded.delete(input.invoiceId);
          await hook.run();
        }
      },
      async emailReceipt(input: { invoiceId: string; payment: PaymentReceived }) {
        const result = await real.emailReceipt(input);
        if (loseAnswerOnce.delete(`${input.invoiceId}/receipt`)) {
          throw ApplicationFailure.create({ message: 'answer lost', nextRetryDelay: '10 ms' });
        }
        return result;
      },
    },
  });
});

const leftovers: string[] = [];
afterEach(async () => {
  // Every invoice's collection (subscriptions start theirs as children), and what tests started.
  const invoices = await testDb.db.selectFrom('invoices').select('id').execute();
  const ids = new Set([...leftovers.splice(0), ...invoices.map((i) => collectionWorkflowId(i.id))]);
  for (const id of ids) {
    await env.client.workflow
      .getHandle(id)
      .terminate('test finished')
      .catch(() => undefined);
  }
});

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await testDb?.destroy();
});

async function customer(policy: DunningPolicy = POLICY) {
  const email = `ops-${randomUUID().slice(0, 8)}@acme.test`;
  const row = await insertCustomer(testDb.db, { timezone: TZ, email });
  await testDb.db
    .updateTable('customers')
    .set({ payment_terms_days: 14 })
    .where('id', '=', row.id)
    .execute();
  await upsertDunningPolicy(testDb.db, { name: 'test', scope: { customerId: row.id }, policy });
  return { ...row, email };
}

/** A finalized invoice of `amount` (before tax), issued now (or at `at`), due in 14 days. */
async function openInvoice(customerId: string, amount: number, at?: string) {
  const draft = await createDraftInvoice(testDb.db, {
    customerId,
    currency: 'EUR',
    lines: [{ description: 'Pro plan', quantity: '1', unitAmount: String(amount), amount }],
  });
  return finalizeInvoice(testDb.db, draft.id, {
    tax,
    numbering: config.invoiceNumbering,
    seller: config.seller,
    at: at ?? new Date(await env.currentTimeMs()).toISOString(),
  });
}

async function collect(
  invoice: { id: string; customer_id: string; number: string | null },
  extra: Partial<CollectionInput> = {},
): Promise<WorkflowHandle<typeof collectionWorkflow>> {
  const input: CollectionInput = {
    invoiceId: invoice.id,
    customerId: invoice.customer_id,
    ...extra,
  };
  const handle = await env.client.workflow.start<typeof collectionWorkflow>('collectionWorkflow', {
    ...collectionStartFields(input, { number: invoice.number ?? invoice.id, total: 'EUR' }),
    taskQueue,
  });
  leftovers.push(handle.workflowId);
  return handle;
}

/** When the policy's step `key` happens for the invoice (business hours included). */
function stepTime(invoice: { due_at: Date | null }, key: string, issuedAt: string, shiftMs = 0) {
  const dueAt = invoice.due_at!.toISOString();
  const action = collectionActions(POLICY, dueAt, TZ, issuedAt).find((a) => a.key === key)!;
  return Date.parse(actionTime(action, POLICY, dueAt, TZ, shiftMs));
}

async function sleepUntil(instant: number) {
  const now = await env.currentTimeMs();
  if (instant > now) await env.sleep(instant - now);
}

const stepsOf = (invoiceId: string) =>
  reminders.filter((r) => r.invoiceId === invoiceId).map((r) => r.step);

async function pay(
  handle: WorkflowHandle,
  invoiceId: string,
  amount: number,
  reference: string = randomUUID(),
) {
  const recorded = await recordPayment(testDb.db, {
    invoiceId,
    amount,
    method: 'bank transfer',
    reference,
    paidAt: new Date(await env.currentTimeMs()).toISOString(),
    source: 'api',
  });
  await handle.signal(collectionChangedSignal, 'payment');
  return recorded;
}

/** Every email sent about the invoice, by ledger key, and how many outbox copies each has. */
async function emailsAbout(invoiceId: string) {
  return testDb.db
    .selectFrom('email_deliveries')
    .leftJoin(
      'outbox_messages',
      'outbox_messages.idempotency_key',
      'email_deliveries.idempotency_key',
    )
    .select([
      'email_deliveries.kind',
      'email_deliveries.idempotency_key as key',
      'email_deliveries.subject',
      sql<string>`count(outbox_messages.id)`.as('copies'),
      sql<string>`max(outbox_messages.text)`.as('text'),
    ])
    .where('email_deliveries.invoice_id', '=', invoiceId)
    .groupBy([
      'email_deliveries.kind',
      'email_deliveries.idempotency_key',
      'email_deliveries.subject',
      'email_deliveries.created_at',
    ])
    .orderBy('email_deliveries.created_at')
    .execute();
}

function inBusinessHours(at: number) {
  const local = DateTime.fromMillis(at, { zone: TZ });
  return local.weekday <= 5 && local.hour >= 9 && local.hour < 17;
}

/** A subscription row and its workflow: EUR 100.00 a month from `anchor`, for customer `c`. */
async function startSubscription(customerId: string, anchor: string) {
  const planRow = await insertPlan(testDb.db);
  const plan: PlanVersion = {
    planCode: planRow.code,
    version: 1,
    currency: 'EUR',
    billingCycle: { interval: 'month', intervalCount: 1 },
    taxBehavior: 'exclusive',
    charges: [
      { key: 'base', type: 'flat', description: 'Pro', billing: 'advance', amount: '10000' },
    ],
  };
  const subscriptionId = await insertSubscriptionRow(testDb.db, {
    customerId,
    planId: planRow.id,
    anchorAt: anchor,
  });
  const subscription = await env.client.workflow.start<typeof subscriptionWorkflow>(
    'subscriptionWorkflow',
    {
      ...subscriptionStartOptions({
        subscriptionId,
        customerId,
        planCode: plan.planCode,
        planName: 'Pro',
        cycle: { interval: 'month', intervalCount: 1, anchor, timezone: TZ },
        price: money(10000, 'EUR'),
        plan,
        quantity: 1,
      }),
      taskQueue,
    },
  );
  leftovers.push(subscription.workflowId);
  return { subscriptionId, subscription };
}

// First in the file: its dates are fixed (to compute them by hand), and later tests that await
// a workflow's result let the test server skip time far ahead of them.
describe('escalation in steps', () => {
  // Past due the day after the due date, paused on day 14, canceled on day 21: no reminders,
  // so the steps are the whole schedule.
  const STEPPED: DunningPolicy = {
    beforeDue: null,
    reminders: [],
    finalNotice: null,
    markUncollectibleAfterDays: null,
    escalation: [
      { daysAfterDue: 1, action: 'past_due' },
      { daysAfterDue: 14, action: 'pause' },
      { daysAfterDue: 21, action: 'cancel' },
    ],
    sendWindow: { start: '09:00', end: '17:00', weekdaysOnly: true },
  };

  /**
   * A customer on STEPPED, a subscription whose first period starts in 60 days (so it bills
   * nothing while the steps run), and an invoice of theirs collected on its behalf: issued at
   * `issuedAt` (the test server's clock is moved there), due 14 local days later.
   */
  async function steppedSubscription(issuedAt: string) {
    await sleepUntil(Date.parse(issuedAt));
    const c = await customer(STEPPED);
    const anchor = new Date(Date.parse(issuedAt) + 60 * DAY).toISOString();
    const { subscriptionId, subscription } = await startSubscription(c.id, anchor);
    const invoice = await openInvoice(c.id, 10000, issuedAt);
    const collection = await collect(invoice, { subscriptionId });
    // Each step at its day after the due date in the customer's calendar, at the due time of
    // day: escalation steps do not wait for business hours (only emails do).
    const due = DateTime.fromJSDate(invoice.due_at!, { zone: TZ });
    const day = (n: number) => due.plus({ days: n }).toMillis();
    return { subscriptionId, subscription, invoice, collection, day };
  }

  async function transitionsOf(subscriptionId: string) {
    return testDb.db
      .selectFrom('subscription_transitions')
      .select(['from_status', 'to_status', 'actor', 'occurred_at'])
      .where('subscription_id', '=', subscriptionId)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute();
  }

  it('past due on day 1, paused on day 14, canceled on day 21, each sent on its day', async () => {
    // Issued Wednesday 1 March 2028, 10:00 in New York (15:00 UTC, EST); due 14 local days
    // later, Wednesday 15 March 10:00 EDT (14:00 UTC: summer time began on 12 March).
    //   past due: +1  → Thursday 16 March 10:00 EDT = 2028-03-16T14:00Z
    //   paused:   +14 → Wednesday 29 March          = 2028-03-29T14:00Z
    //   canceled: +21 → Wednesday 5 April           = 2028-04-05T14:00Z
    const { subscriptionId, subscription, invoice, collection, day } = await steppedSubscription(
      '2028-03-01T15:00:00.000Z',
    );
    expect(invoice.due_at!.toISOString()).toBe('2028-03-15T14:00:00.000Z');
    expect([1, 14, 21].map((n) => new Date(day(n)).toISOString())).toEqual([
      '2028-03-16T14:00:00.000Z',
      '2028-03-29T14:00:00.000Z',
      '2028-04-05T14:00:00.000Z',
    ]);
    await sleepUntil(day(1) + HOUR);
    await eventually(
      'past due',
      async () => (await subscription.query(stateQuery)).status === 'past_due',
    );
    await sleepUntil(day(14) + HOUR);
    await eventually(
      'paused',
      async () => (await subscription.query(stateQuery)).status === 'paused',
    );
    await sleepUntil(day(21) + HOUR);
    // Canceled now: billing ends at once (nothing was billed, so no final invoice). Watched by
    // query and in the database, never by awaiting a result (which lets the server skip time).
    const transitions = await eventually('the end', async () => {
      const rows = await transitionsOf(subscriptionId);
      return rows.some((t) => t.to_status === 'ended') ? rows : undefined;
    });
    expect(await collection.query(collectionStateQuery)).toMatchObject({
      status: 'overdue',
      remindersSent: 0,
      ended: true,
    });
    // The end is recorded at the instant of the cancel (its order by id may come first).
    const steps = transitions.map((t) => [t.from_status, t.to_status, t.actor]);
    expect(steps).toHaveLength(4);
    expect(steps).toEqual(
      expect.arrayContaining([
        ['active', 'past_due', 'collections'],
        ['past_due', 'paused', 'collections'],
        ['paused', 'canceled', 'collections'],
        ['canceled', 'ended', 'system'],
      ]),
    );
    // Due D (issued + 14 days): past due at D + 1 day, paused at D + 14, canceled at D + 21,
    // each within the hour its timer fired (the signal, then its activity).
    const at = (to: string) => transitions.find((t) => t.to_status === to)!.occurred_at.getTime();
    for (const [to, n] of [
      ['past_due', 1],
      ['paused', 14],
      ['canceled', 21],
    ] as const) {
      expect(at(to)).toBeGreaterThanOrEqual(day(n));
      expect(at(to) - day(n)).toBeLessThan(HOUR);
    }
  });

  it('a payment between the pause (day 14) and the cancel (day 21) resumes the subscription and stops the rest', async () => {
    // Issued Thursday 1 June 2028, 10:00 EDT (14:00 UTC); due Thursday 15 June 10:00 EDT:
    // paused Thursday 29 June (+14), paid Saturday 1 July (+16), the cancel would have been
    // Thursday 6 July (+21).
    const { subscriptionId, subscription, invoice, collection, day } = await steppedSubscription(
      '2028-06-01T14:00:00.000Z',
    );
    expect(new Date(day(21)).toISOString()).toBe('2028-07-06T14:00:00.000Z');
    await sleepUntil(day(14) + HOUR);
    await eventually(
      'paused',
      async () => (await subscription.query(stateQuery)).status === 'paused',
    );
    // Day 16: paid in full.
    await sleepUntil(day(16));
    await pay(collection, invoice.id, invoice.total);
    // Watched by query, not by awaiting the result (which lets the test server skip time).
    await eventually(
      'paid',
      async () => (await collection.query(collectionStateQuery)).status === 'paid',
    );
    await eventually(
      'resumed',
      async () => (await subscription.query(stateQuery)).status === 'active',
    );
    // Day 22: past the cancel's day, nothing more happened.
    await sleepUntil(day(22));
    expect((await subscription.query(stateQuery)).status).toBe('active');
    const transitions = await transitionsOf(subscriptionId);
    expect(transitions.map((t) => [t.from_status, t.to_status])).toEqual([
      ['active', 'past_due'],
      ['past_due', 'paused'],
      ['paused', 'active'],
    ]);
  });
});

describe('collection schedule', () => {
  it('walks the whole schedule of a subscription invoice: reminders in local business hours, final notice, write-off, subscription past due then paused', async () => {
    const c = await customer();
    const anchor = DateTime.fromMillis(await env.currentTimeMs(), { zone: TZ })
      .plus({ days: 1 })
      .set({ hour: 10, minute: 0, second: 0, millisecond: 0 })
      .toISO()!;
    const { subscriptionId, subscription } = await startSubscription(c.id, anchor);

    await sleepUntil(Date.parse(anchor) + HOUR);
    const invoice = await eventually('the first invoice', async () =>
      testDb.db
        .selectFrom('invoices')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .executeTakeFirst(),
    );
    const collection = env.client.workflow.getHandle<typeof collectionWorkflow>(
      collectionWorkflowId(invoice.id),
    );
    leftovers.push(collection.workflowId);
    const described = await collection.describe();
    expect(described.searchAttributes).toMatchObject({
      InvoiceId: [invoice.id],
      CustomerId: [c.id],
      SubscriptionId: [subscriptionId],
    });

    const result = await collection.result();
    expect(result).toMatchObject({ status: 'uncollectible', remindersSent: 5 });
    const sent = reminders.filter((r) => r.invoiceId === invoice.id);
    expect(sent.map((r) => r.step)).toEqual([
      'due-in-3d',
      'overdue-1d',
      'overdue-7d',
      'overdue-14d',
      'final-notice',
    ]);
    const due = DateTime.fromJSDate(invoice.due_at!, { zone: TZ });
    const days = [-3, 1, 7, 14, 21];
    sent.forEach((r, i) => {
      expect(inBusinessHours(r.at), `${r.step} in business hours`).toBe(true);
      const nominal = due.plus({ days: days[i] }).toMillis();
      // Never early; later only to reach the next opening (a night, at most a weekend).
      expect(r.at).toBeGreaterThanOrEqual(nominal);
      expect(r.at - nominal).toBeLessThan(3 * DAY);
      if (i > 0) expect(r.at).toBeGreaterThan(sent[i - 1]!.at);
    });
    const emails = await emailsAbout(invoice.id);
    const reminderEmails = emails.filter((e) => e.kind === 'payment_reminder');
    // In the customer's language (the builder's customers speak fr-FR).
    expect(reminderEmails.map((e) => e.subject)).toEqual([
      expect.stringContaining('Petit rappel'),
      expect.stringContaining('étaient dus'),
      expect.stringContaining('en retard'),
      expect.stringContaining('en retard'),
      expect.stringContaining('Dernier rappel'),
    ]);
    expect(reminderEmails.every((e) => Number(e.copies) === 1)).toBe(true);
    expect(reminderEmails.at(-1)!.text).toContain('Your workspace will be paused.');

    expect((await getInvoice(testDb.db, invoice.id))!.status).toBe('uncollectible');
    const state = await subscription.query(stateQuery);
    expect(state.status).toBe('paused');
    const transitions = await testDb.db
      .selectFrom('subscription_transitions')
      .select(['from_status', 'to_status', 'actor'])
      .where('subscription_id', '=', subscriptionId)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute();
    expect(transitions).toEqual([
      { from_status: 'active', to_status: 'past_due', actor: 'collections' },
      { from_status: 'past_due', to_status: 'paused', actor: 'collections' },
    ]);
    const row = await testDb.db
      .selectFrom('invoice_collections')
      .selectAll()
      .where('invoice_id', '=', invoice.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'uncollectible', ended: true, reminders_sent: 5 });
    // Each step performed is one collection.step_sent, numbered, in order, written with the row.
    const stepEvents = async () =>
      (
        await testDb.db
          .selectFrom('webhook_events')
          .select('payload')
          .where('type', '=', 'collection.step_sent')
          .where('object_id', '=', invoice.id)
          .orderBy('seq')
          .execute()
      ).map((e) => (e.payload as { data: { object: Record<string, unknown> } }).data.object);
    const steps = await stepEvents();
    expect(steps.map((o) => [o.step, o.key, o.kind])).toEqual([
      [1, 'due-in-3d', 'reminder'],
      [2, 'past-due', 'past_due'],
      [3, 'overdue-1d', 'reminder'],
      [4, 'overdue-7d', 'reminder'],
      [5, 'overdue-14d', 'reminder'],
      [6, 'final-notice', 'final_notice'],
      [7, 'uncollectible', 'uncollectible'],
      [8, 'pause', 'pause'],
    ]);
    expect(row).toMatchObject({ steps_performed: 8 });
    for (const o of steps) {
      expect(o).toMatchObject({ object: 'collection', invoiceId: invoice.id, customerId: c.id });
    }
    const sentAt = steps.map((o) => Date.parse(o.sentAt as string));
    expect(sentAt).toEqual([...sentAt].sort((a, b) => a - b));
    // Every report replayed (a retried activity, a stale write from an earlier run): no new event.
    for (const report of progressReports.filter((r) => r.invoiceId === invoice.id)) {
      await real.recordCollectionProgress(report);
    }
    expect(await stepEvents()).toHaveLength(8);
    // The renewal a month later opened a second invoice with its own collection.
    const later = await testDb.db
      .selectFrom('invoices')
      .select('id')
      .where('subscription_id', '=', subscriptionId)
      .where('id', '<>', invoice.id)
      .execute();
    leftovers.push(...later.map((i) => collectionWorkflowId(i.id)));
  });

  it('a payment between reminder 1 and 2 stops the rest and sends one receipt, even posted twice', async () => {
    const c = await customer();
    const issuedAt = new Date(await env.currentTimeMs()).toISOString();
    const invoice = await openInvoice(c.id, 12000, issuedAt);
    const handle = await collect(invoice);
    // A lost answer after the first reminder went out: the retry must not send it again.
    loseAnswerOnce.add(`${invoice.id}/overdue-1d`);
    loseAnswerOnce.add(`${invoice.id}/receipt`);

    await sleepUntil(stepTime(invoice, 'overdue-1d', issuedAt) + HOUR);
    await eventually('reminder 1', () =>
      Promise.resolve(stepsOf(invoice.id).includes('overdue-1d')),
    );
    const state = await handle.query(collectionStateQuery);
    expect(state).toMatchObject({ status: 'overdue', remindersSent: 2 });
    expect(state.nextAction?.key).toBe('overdue-7d');

    const first = await pay(handle, invoice.id, invoice.total, 'wire-0001');
    const again = await pay(handle, invoice.id, invoice.total, 'wire-0001');
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(await handle.result()).toMatchObject({ status: 'paid', remindersSent: 2 });

    expect(stepsOf(invoice.id)).toEqual(['due-in-3d', 'overdue-1d']);
    const emails = await emailsAbout(invoice.id);
    expect(emails.map((e) => e.kind)).toEqual(['payment_reminder', 'payment_reminder', 'receipt']);
    expect(emails.every((e) => Number(e.copies) === 1)).toBe(true);
    expect(emails[2]!.subject).toContain('est réglée'); // fr-FR: is paid
    const payments = await testDb.db
      .selectFrom('payments')
      .select('amount')
      .where('invoice_id', '=', invoice.id)
      .execute();
    expect(payments).toEqual([{ amount: invoice.total }]);
    // Nothing happens at the time reminder 2 would have gone out.
    await sleepUntil(stepTime(invoice, 'overdue-7d', issuedAt) + DAY);
    expect(stepsOf(invoice.id)).toEqual(['due-in-3d', 'overdue-1d']);
  });

  it('a partial payment: the next reminder thanks for it and asks for what remains', async () => {
    const c = await customer();
    const issuedAt = new Date(await env.currentTimeMs()).toISOString();
    const invoice = await openInvoice(c.id, 10000, issuedAt);
    const handle = await collect(invoice);
    await sleepUntil(stepTime(invoice, 'overdue-1d', issuedAt) + HOUR);
    await eventually('reminder 1', () =>
      Promise.resolve(stepsOf(invoice.id).includes('overdue-1d')),
    );

    const part = Math.floor(invoice.total * 0.4);
    await pay(handle, invoice.id, part);
    await eventually('partially paid, receipt sent', async () => {
      const emails = await emailsAbout(invoice.id);
      return emails.some((e) => e.kind === 'receipt');
    });
    const partly = (await getInvoice(testDb.db, invoice.id))!;
    expect(partly).toMatchObject({ status: 'partially_paid', amount_due: invoice.total - part });

    await sleepUntil(stepTime(invoice, 'overdue-7d', issuedAt) + HOUR);
    await eventually('reminder 2', () =>
      Promise.resolve(stepsOf(invoice.id).includes('overdue-7d')),
    );
    const reminder2 = (await emailsAbout(invoice.id)).find((e) =>
      e.key.endsWith('/reminder/overdue-7d'),
    )!;
    expect(reminder2.text).toContain('déjà versés'); // fr-FR: already paid
    expect(reminder2.text).toMatch(/Déjà payé: .*\n\s*Montant dû: /);

    await pay(handle, invoice.id, invoice.total - part);
    expect(await handle.result()).toMatchObject({ status: 'paid' });
    const receipts = (await emailsAbout(invoice.id)).filter((e) => e.kind === 'receipt');
    expect(receipts).toHaveLength(2);
    expect(receipts[0]!.subject).toContain('nous avons reçu');
    expect(receipts[1]!.subject).toContain('est réglée');
  });

  it('an overpayment becomes customer credit, taken off the next invoice', async () => {
    const c = await customer();
    const invoice = await openInvoice(c.id, 10000);
    const handle = await collect(invoice);
    await pay(handle, invoice.id, invoice.total + 2500);
    expect(await handle.result()).toMatchObject({ status: 'paid', remindersSent: 0 });
    expect(await creditBalance(testDb.db, c.id, 'EUR')).toBe(2500);
    const receipt = (await emailsAbout(invoice.id)).find((e) => e.kind === 'receipt')!;
    expect(receipt.text).toContain('de plus que le montant de la facture'); // fr-FR

    const next = await openInvoice(c.id, 10000);
    const nextHandle = await collect(next);
    await eventually('credit applied', async () => {
      const row = await getInvoice(testDb.db, next.id);
      return row!.amount_paid === 2500;
    });
    expect(await creditBalance(testDb.db, c.id, 'EUR')).toBe(0);
    await eventually('the collection sees the credit', async () => {
      const state = await nextHandle.query(collectionStateQuery);
      return state.amountDue === next.total - 2500 && state.nextAction !== null;
    });
    const credit = await testDb.db
      .selectFrom('payments')
      .select(['source', 'amount'])
      .where('invoice_id', '=', next.id)
      .execute();
    expect(credit).toEqual([{ source: 'credit_balance', amount: 2500 }]);
    // The rest paid, the second collection ends too: a receipt for each payment.
    await pay(nextHandle, next.id, next.total - 2500);
    expect(await nextHandle.result()).toMatchObject({ status: 'paid' });
    const receipts = (await emailsAbout(next.id)).filter((e) => e.kind === 'receipt');
    expect(receipts).toHaveLength(2);
    // The customer is fr-FR: the method the system recorded reads French.
    expect(receipts[0]!.text).toContain('avoir sur le compte client');
    expect(receipts[0]!.text).not.toContain('account credit');
  });

  it('a dispute pauses the schedule; its resolution resumes it, later by the time paused', async () => {
    const c = await customer();
    const issuedAt = new Date(await env.currentTimeMs()).toISOString();
    const invoice = await openInvoice(c.id, 10000, issuedAt);
    const handle = await collect(invoice);
    await sleepUntil(stepTime(invoice, 'overdue-1d', issuedAt) + HOUR);
    await eventually('reminder 1', () =>
      Promise.resolve(stepsOf(invoice.id).includes('overdue-1d')),
    );

    const disputedAt = await env.currentTimeMs();
    await disputeCollection(testDb.db, invoice.id, {
      reason: 'customer says seats were wrong',
      at: new Date(disputedAt),
    });
    await handle.signal(collectionChangedSignal, 'dispute');
    await eventually('disputed', async () => {
      const d = await handle.describe();
      return d.searchAttributes.CollectionStatus?.[0] === 'disputed';
    });
    // Three weeks pass: reminder 2 and 3 would have gone out, but nothing does.
    await env.sleep(21 * DAY);
    expect(stepsOf(invoice.id)).toEqual(['due-in-3d', 'overdue-1d']);

    const resolvedAt = await env.currentTimeMs();
    await resolveDispute(testDb.db, invoice.id, {
      resolution: 'seats confirmed',
      at: new Date(resolvedAt),
    });
    await handle.signal(collectionChangedSignal, 'resolved');
    const state = await eventually('resumed', async () => {
      const s = await handle.query(collectionStateQuery);
      return s.status === 'overdue' && s.nextAction ? s : undefined;
    });
    expect(state.nextAction!.key).toBe('overdue-7d');
    const resumedAt = Date.parse(state.nextAction!.at);
    // The rest of the schedule moved later by the pause (and still waits for business hours).
    const unshifted = stepTime(invoice, 'overdue-7d', issuedAt);
    expect(resumedAt - unshifted).toBeGreaterThanOrEqual(state.pausedForMs - 3 * DAY);
    expect(state.pausedForMs).toBeGreaterThanOrEqual(resolvedAt - disputedAt - HOUR);
    expect(inBusinessHours(resumedAt)).toBe(true);

    await sleepUntil(resumedAt + HOUR);
    await eventually('reminder 2 after resolution', () =>
      Promise.resolve(stepsOf(invoice.id).includes('overdue-7d')),
    );
    const r2 = reminders.find((r) => r.invoiceId === invoice.id && r.step === 'overdue-7d')!;
    expect(r2.at).toBeGreaterThanOrEqual(resolvedAt);
  });

  it('a void ends the collection and emails the credit note', async () => {
    const c = await customer();
    const issuedAt = new Date(await env.currentTimeMs()).toISOString();
    const invoice = await openInvoice(c.id, 10000, issuedAt);
    const handle = await collect(invoice);
    await sleepUntil(stepTime(invoice, 'due-in-3d', issuedAt) + HOUR);
    await eventually('heads-up', () => Promise.resolve(stepsOf(invoice.id).includes('due-in-3d')));

    const { creditNote } = await voidInvoice(testDb.db, invoice.id, {
      numbering: config.invoiceNumbering,
    });
    await handle.signal(collectionChangedSignal, 'void');
    expect(await handle.result()).toMatchObject({ status: 'void', remindersSent: 1 });
    const emails = await emailsAbout(invoice.id);
    expect(emails.map((e) => e.key)).toEqual([
      `invoice/${invoice.id}/reminder/due-in-3d`,
      `credit-note/${creditNote!.creditNote.id}/issued`,
    ]);
    await sleepUntil(stepTime(invoice, 'overdue-14d', issuedAt));
    expect(stepsOf(invoice.id)).toEqual(['due-in-3d']);
  });
});

describe('worker restarts', () => {
  it('a new worker picks the collection up from its history: each reminder once, nothing lost', async () => {
    const queue = `collections-restart-${randomUUID()}`;
    const c = await customer();
    const issuedAt = new Date(await env.currentTimeMs()).toISOString();
    const invoice = await openInvoice(c.id, 10000, issuedAt);
    const input: CollectionInput = { invoiceId: invoice.id, customerId: c.id };
    const run = async (until: number) => {
      // No sticky cache: the next worker rebuilds the workflow from its history.
      const w = await createTestWorker(env, {
        taskQueue: queue,
        activities: real,
        maxCachedWorkflows: 0,
      });
      await w.runUntil(async () => {
        await sleepUntil(until);
        // Parked on the next timer: its time is recorded by the last activity before it.
        await eventually('steps done', async () => {
          const row = await testDb.db
            .selectFrom('invoice_collections')
            .select('next_action_at')
            .where('invoice_id', '=', invoice.id)
            .executeTakeFirst();
          return row?.next_action_at ? row.next_action_at.getTime() > until : false;
        });
      });
    };
    await env.client.workflow.start<typeof collectionWorkflow>('collectionWorkflow', {
      ...collectionStartFields(input, { number: invoice.number!, total: 'EUR' }),
      taskQueue: queue,
    });
    leftovers.push(collectionWorkflowId(invoice.id));
    await run(stepTime(invoice, 'overdue-1d', issuedAt) + HOUR);
    await run(stepTime(invoice, 'overdue-7d', issuedAt) + HOUR);
    const emails = await emailsAbout(invoice.id);
    expect(emails.map((e) => e.key.split('/').at(-1))).toEqual([
      'due-in-3d',
      'overdue-1d',
      'overdue-7d',
    ]);
    expect(emails.every((e) => Number(e.copies) === 1)).toBe(true);
  });
});

describe('collection on a test clock', () => {
  it('advancing the clock walks the reminders in order, and nothing happens between advances', async () => {
    const c = await customer();
    // The clock's instant: a Monday, 10:00 in New York.
    const clockNow = '2027-03-01T15:00:00.000Z';
    const invoice = await openInvoice(c.id, 10000, clockNow);
    const handle = await collect(invoice, { testClock: { id: 'clock_test', now: clockNow } });
    const due = DateTime.fromJSDate(invoice.due_at!, { zone: TZ });

    const walked: string[][] = [];
    for (const days of [-3, 1, 7, 14, 21]) {
      // Just past the step's local day, 12:00: inside business hours on a weekday or not.
      const to = due.plus({ days }).set({ hour: 12 });
      const target = to.weekday > 5 ? to.plus({ days: 8 - to.weekday }) : to;
      const position = await handle.executeUpdate(advanceClockUpdate, {
        args: [target.toUTC().toISO()!],
      });
      expect(position.now).toBe(target.toUTC().toISO());
      walked.push(stepsOf(invoice.id));
    }
    expect(walked).toEqual([
      ['due-in-3d'],
      ['due-in-3d', 'overdue-1d'],
      ['due-in-3d', 'overdue-1d', 'overdue-7d'],
      ['due-in-3d', 'overdue-1d', 'overdue-7d', 'overdue-14d'],
      ['due-in-3d', 'overdue-1d', 'overdue-7d', 'overdue-14d', 'final-notice'],
    ]);
    const end = await handle.executeUpdate(advanceClockUpdate, {
      args: [due.plus({ days: 40 }).toUTC().toISO()!],
    });
    expect(end.finished).toBe(true);
    expect(await handle.result()).toMatchObject({ status: 'uncollectible', remindersSent: 5 });
    const row = await getInvoice(testDb.db, invoice.id);
    expect(row!.status).toBe('uncollectible');
    expect(row!.marked_uncollectible_at!.toISOString()).toBe(
      due.plus({ days: 30 }).toUTC().toISO(),
    );
  });
});

describe('a later run of a collection carries on from the earlier ones', () => {
  // Reminders only: the schedule ends after the final notice, with the invoice still owed.
  const REMINDERS_ONLY: DunningPolicy = {
    ...POLICY,
    markUncollectibleAfterDays: null,
    escalation: [],
  };

  /** What the API does for a payment: write it, then signal-with-start (a new run if it ended). */
  async function payLate(invoice: { id: string; customer_id: string }, amount: number) {
    await recordPayment(testDb.db, {
      invoiceId: invoice.id,
      amount,
      method: 'bank transfer',
      reference: randomUUID(),
      paidAt: new Date(await env.currentTimeMs()).toISOString(),
      source: 'api',
    });
    return nudge(invoice, 'payment');
  }

  /** The API's signal-with-start: a running collection reads again, a closed one runs anew. */
  async function nudge(invoice: { id: string; customer_id: string }, reason: string) {
    const input: CollectionInput = { invoiceId: invoice.id, customerId: invoice.customer_id };
    return env.client.workflow.signalWithStart<typeof collectionWorkflow, [string]>(
      'collectionWorkflow',
      {
        ...collectionStartFields(input, { number: invoice.id, total: 'EUR' }),
        taskQueue,
        signal: collectionChangedSignal,
        signalArgs: [reason],
      },
    );
  }

  /** An invoice collected on REMINDERS_ONLY, issued now: its collection's first run. */
  async function collected() {
    const c = await customer(REMINDERS_ONLY);
    const issuedAt = new Date(await env.currentTimeMs()).toISOString();
    const invoice = await openInvoice(c.id, 10000, issuedAt);
    return { invoice, issuedAt, first: await collect(invoice) };
  }

  /** The collection's latest run (a handle without a run id follows it). */
  const latestRun = (invoiceId: string) =>
    env.client.workflow.getHandle<typeof collectionWorkflow>(collectionWorkflowId(invoiceId));

  const collectionRow = (invoiceId: string) =>
    testDb.db
      .selectFrom('invoice_collections')
      .selectAll()
      .where('invoice_id', '=', invoiceId)
      .executeTakeFirstOrThrow();

  it('a payment after the last reminder settles in a new run that keeps the reminders sent', async () => {
    const { invoice, issuedAt, first } = await collected();
    expect(await first.result()).toMatchObject({ status: 'overdue', remindersSent: 5 });
    const ended = await collectionRow(invoice.id);
    expect(ended).toMatchObject({ status: 'overdue', ended: true, reminders_sent: 5 });
    expect(ended.last_step).toBe('final-notice');
    const finalNoticeAt = ended.last_reminder_at!.getTime();
    expect(finalNoticeAt).toBe(stepTime(invoice, 'final-notice', issuedAt));

    const firstRun = (await first.describe()).runId;
    const second = await payLate(invoice, invoice.total);
    // A new run, not the one that ended.
    expect(second.signaledRunId).not.toBe(firstRun);
    expect(await latestRun(invoice.id).result()).toMatchObject({
      status: 'paid',
      remindersSent: 5,
    });
    const settled = await collectionRow(invoice.id);
    expect(settled).toMatchObject({
      status: 'paid',
      ended: true,
      reminders_sent: 5,
      last_step: 'final-notice',
    });
    expect(settled.last_reminder_at!.getTime()).toBe(finalNoticeAt);
    expect(stepsOf(invoice.id)).toHaveLength(5);
    const receipts = (await emailsAbout(invoice.id)).filter((e) => e.kind === 'receipt');
    expect(receipts).toHaveLength(1);
  });

  it('a partial payment between reminders, another after the last, then the rest: the count never goes back', async () => {
    const { invoice, issuedAt, first } = await collected();
    await sleepUntil(stepTime(invoice, 'overdue-1d', issuedAt) + HOUR);
    await eventually('reminder 1', () =>
      Promise.resolve(stepsOf(invoice.id).includes('overdue-1d')),
    );
    const part = Math.floor(invoice.total / 4);
    await pay(first, invoice.id, part);
    await eventually('partially paid, receipt sent', async () =>
      (await emailsAbout(invoice.id)).some((e) => e.kind === 'receipt'),
    );
    expect(await first.result()).toMatchObject({ status: 'overdue', remindersSent: 5 });
    expect(await collectionRow(invoice.id)).toMatchObject({
      status: 'overdue',
      ended: true,
      reminders_sent: 5,
    });

    // A second part after the schedule ended: a new run receipts it and changes nothing else.
    await payLate(invoice, part);
    expect(await latestRun(invoice.id).result()).toMatchObject({
      status: 'overdue',
      remindersSent: 5,
    });
    expect(await collectionRow(invoice.id)).toMatchObject({
      status: 'overdue',
      ended: true,
      reminders_sent: 5,
      last_step: 'final-notice',
    });

    // The rest: a third run settles it.
    await payLate(invoice, invoice.total - 2 * part);
    expect(await latestRun(invoice.id).result()).toMatchObject({
      status: 'paid',
      remindersSent: 5,
    });
    expect(await collectionRow(invoice.id)).toMatchObject({
      status: 'paid',
      ended: true,
      reminders_sent: 5,
    });
    expect(stepsOf(invoice.id)).toHaveLength(5);
    const receipts = (await emailsAbout(invoice.id)).filter((e) => e.kind === 'receipt');
    expect(receipts).toHaveLength(3);
  });

  it('a run started after one was stopped mid-schedule picks up at the next step: nothing twice', async () => {
    const { invoice, issuedAt, first } = await collected();
    await sleepUntil(stepTime(invoice, 'overdue-1d', issuedAt) + HOUR);
    await eventually('reminder 1 recorded', async () => {
      const row = await collectionRow(invoice.id);
      return row.reminders_sent === 2 && row.next_action === 'overdue-7d';
    });
    await first.terminate('stopped by an operator');

    await nudge(invoice, 'restarted');
    const latest = latestRun(invoice.id);
    const state = await eventually('the new run waits', async () => {
      const s = await latest.query(collectionStateQuery);
      return s.nextAction ? s : undefined;
    });
    expect(state).toMatchObject({ status: 'overdue', remindersSent: 2 });
    expect(state.nextAction!.key).toBe('overdue-7d');

    await sleepUntil(stepTime(invoice, 'overdue-7d', issuedAt) + HOUR);
    await eventually(
      'reminder 2',
      async () => (await collectionRow(invoice.id)).reminders_sent === 3,
    );
    expect(stepsOf(invoice.id)).toEqual(['due-in-3d', 'overdue-1d', 'overdue-7d']);
    const sent = (await emailsAbout(invoice.id)).filter((e) => e.kind === 'payment_reminder');
    expect(sent).toHaveLength(3);
    expect((await latest.query(collectionStateQuery)).remindersSent).toBe(3);
  });

  it('the rest paid while a run is ending (told after its last read) is settled by that run', async () => {
    const { invoice, first } = await collected();
    expect(await first.result()).toMatchObject({ status: 'overdue', remindersSent: 5 });
    const part = Math.floor(invoice.total / 4);
    // The new run records its start, then (after the receipt) its end: the rest is paid and
    // the run told right then, after its last read.
    whenEndRecorded.set(invoice.id, {
      skip: 1,
      run: async () => {
        await recordPayment(testDb.db, {
          invoiceId: invoice.id,
          amount: invoice.total - part,
          method: 'bank transfer',
          reference: randomUUID(),
          paidAt: new Date(await env.currentTimeMs()).toISOString(),
          source: 'api',
        });
        await latestRun(invoice.id).signal(collectionChangedSignal, 'payment');
      },
    });
    await payLate(invoice, part);
    expect(await latestRun(invoice.id).result()).toMatchObject({
      status: 'paid',
      remindersSent: 5,
    });
    expect(whenEndRecorded.has(invoice.id)).toBe(false);
    expect(await collectionRow(invoice.id)).toMatchObject({
      status: 'paid',
      ended: true,
      reminders_sent: 5,
    });
    const receipts = (await emailsAbout(invoice.id)).filter((e) => e.kind === 'receipt');
    expect(receipts).toHaveLength(2);
  });
});
