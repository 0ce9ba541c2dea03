// Project billing on the time-skipping server, with the real activities on real PostgreSQL: the
// EUR 1,000,000 worked example (deposit, approval with a rejection, balance), auto-approval,
// retainage and a change order, billable hours over two months through a worker restart, and a
// project on a test clock driven by the advanceTestClock update.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { newId } from '../../db/ids.ts';
import { insertProject } from '../../db/repositories/projects.ts';
import { insertTimeEntry } from '../../db/repositories/project-time-entries.ts';
import { clockWorkflowIds, insertTestClock } from '../../db/repositories/test-clocks.ts';
import { verifyMilestoneApprovalLink } from '../../documents/hosted-links.ts';
import { formatMoney, money } from '../../domain/core/money.ts';
import { hoursAmount, roundMinutes } from '../../domain/projects/hours.ts';
import { priceProject, type HoursTerms, type ProjectTerms } from '../../domain/projects/terms.ts';
import { projectStartOptions } from '../../temporal/project-start.ts';
import type { projectWorkflow } from '../../workflows/project.ts';
import {
  approveMilestoneUpdate,
  budgetWarningSignal,
  changeOrderUpdate,
  completeMilestoneUpdate,
  projectStateQuery,
  rejectMilestoneUpdate,
} from '../../workflows/project-messages.ts';
import { realActivities, type Activities } from '../support/activities.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  createTestWorker,
} from '../support/temporal.ts';
import { advanceClockUpdate } from '../../workflow-contracts/test-clock.ts';

const DAY = 86_400_000;
const TZ = 'Europe/Paris';
const SECRET = 'project-test-signing-secret-0123456789';
const operator = { actor: 'key_test' };

let env: TestWorkflowEnvironment;
let testDb: TestDatabase;
let activities: Activities;

beforeAll(async () => {
  [env, testDb] = await Promise.all([createTimeSkippingEnvironment(), createTestDatabase()]);
  activities = realActivities(testDb.db, loadConfig({ BILLWRIGHT_SIGNING_SECRET: SECRET }));
});

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

async function newWorker(taskQueue: string, overrides: Partial<Activities> = {}) {
  return createTestWorker(env, {
    taskQueue,
    // No sticky cache: a worker that stops mid-test hands the workflow over cleanly.
    maxCachedWorkflows: 0,
    activities: { ...activities, ...overrides },
  });
}

interface Started {
  handle: WorkflowHandle<typeof projectWorkflow>;
  projectId: string;
  customerId: string;
}

async function startProject(
  taskQueue: string,
  terms: ProjectTerms,
  options: { testClock?: { id: string; now: string }; customerId?: string } = {},
): Promise<Started> {
  const { db } = testDb;
  const customerId =
    options.customerId ??
    (await insertCustomer(db, { timezone: TZ, email: `${randomUUID()}@acme.test` })).id;
  const projectId = newId('prj');
  const priced = priceProject(terms);
  await insertProject(db, {
    id: projectId,
    customerId,
    name: 'Riverside offices',
    terms,
    milestones: terms.milestones.map((m, i) => ({
      key: m.key,
      name: m.name,
      amount: priced.milestones[i]!.amount,
    })),
  });
  const handle = await env.client.workflow.start<typeof projectWorkflow>('projectWorkflow', {
    ...projectStartOptions({
      projectId,
      customerId,
      timezone: TZ,
      terms,
      ...(options.testClock && { testClock: options.testClock }),
    }),
    taskQueue,
  });
  startedHandles.push(handle);
  return { handle, projectId, customerId };
}

function invoicesOf(projectId: string) {
  return testDb.db
    .selectFrom('invoices')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('issued_at')
    .orderBy('number')
    .execute();
}

async function linesOf(invoiceId: string) {
  return testDb.db
    .selectFrom('invoice_lines')
    .select(['description', 'amount', 'tax_amount', 'tax_rate'])
    .where('invoice_id', '=', invoiceId)
    .orderBy('position')
    .execute();
}

function outboxTo(address: string) {
  return testDb.db
    .selectFrom('outbox_messages')
    .selectAll()
    .where(sql<boolean>`${address} = any(to_addresses)`)
    .orderBy('created_at')
    .execute();
}

async function waitForInvoices(projectId: string, count: number) {
  return eventually(`${count} invoices of ${projectId}`, async () => {
    const rows = await invoicesOf(projectId);
    return rows.length >= count ? rows : undefined;
  });
}

async function refusal(promise: Promise<unknown>): Promise<{ type: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
  return { type: cause.type ?? '', message: cause.message };
}

/** Tax-exclusive invoices: the tax is the line's rate of the subtotal, rounded half up. */
async function expectTaxed(invoice: { id: string; subtotal: number; tax: number; total: number }) {
  const lines = await linesOf(invoice.id);
  const rate = Number(lines[0]!.tax_rate);
  expect(rate).toBeGreaterThan(0);
  expect(invoice.tax).toBe(Math.round((invoice.subtotal * rate) / 100));
  expect(invoice.total).toBe(invoice.subtotal + invoice.tax);
}

async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

const EUR_1M = 100_000_000;

describe('project workflow', () => {
  it('EUR 1,000,000: 15 % deposit, 30 % mid-point (approval, one rejection) and the balance invoice 150,000 / 300,000 / 550,000 with tax', async () => {
    const taskQueue = `project-${randomUUID()}`;
    const worker = await newWorker(taskQueue);
    await worker.runUntil(async () => {
      const s = await startProject(taskQueue, {
        contractValue: EUR_1M,
        currency: 'EUR',
        deposit: { percent: '15' },
        sequential: true,
        milestones: [
          { key: 'mid', name: 'Design approved', price: { percent: '30' }, requiresApproval: true },
          { key: 'done', name: 'Completion', price: { balance: true }, requiresApproval: false },
        ],
      });
      const [deposit] = await waitForInvoices(s.projectId, 1);
      expect(deposit!.subtotal).toBe(15_000_000);
      expect(deposit!.billing_key).toBe('deposit');
      // Worded in the customer's language (fr-FR) when issued, the project named.
      expect((await linesOf(deposit!.id)).map((l) => l.description)).toEqual([
        'Acompte pour Riverside offices',
      ]);
      expect(deposit!.number).toMatch(/^INV-/);
      await expectTaxed(deposit!);
      const described = await s.handle.describe();
      expect(described.searchAttributes.ProjectId).toEqual([s.projectId]);
      expect(described.searchAttributes.CustomerId).toEqual([s.customerId]);

      // The validators: unknown, out of order.
      expect(
        await refusal(
          s.handle.executeUpdate(completeMilestoneUpdate, { args: [{ key: 'nope', ...operator }] }),
        ),
      ).toMatchObject({ type: 'UnknownMilestone' });
      expect(
        await refusal(
          s.handle.executeUpdate(completeMilestoneUpdate, { args: [{ key: 'done', ...operator }] }),
        ),
      ).toMatchObject({
        type: 'MilestoneConflict',
        message: expect.stringMatching(/mid must be completed before done/) as string,
      });

      let state = await s.handle.executeUpdate(completeMilestoneUpdate, {
        args: [{ key: 'mid', ...operator }],
      });
      expect(state.milestones[0]).toMatchObject({ status: 'awaiting_approval', approvalRound: 1 });
      expect(
        await refusal(
          s.handle.executeUpdate(completeMilestoneUpdate, { args: [{ key: 'mid', ...operator }] }),
        ),
      ).toMatchObject({ message: expect.stringMatching(/already completed/) as string });

      // The customer is asked, with a signed link for this round.
      const customer = await testDb.db
        .selectFrom('customers')
        .select('email')
        .where('id', '=', s.customerId)
        .executeTakeFirstOrThrow();
      const asked = await eventually('approval request', async () => {
        const mails = await outboxTo(customer.email);
        return mails.find((m) => m.subject.includes('Merci d’approuver'));
      });
      const link = new URL(/https?:\/\/\S+approval\?\S+/.exec(asked.text)![0]);
      expect(
        verifyMilestoneApprovalLink(
          { projectId: s.projectId, milestoneKey: 'mid' },
          Object.fromEntries(link.searchParams),
          SECRET,
          new Date(await env.currentTimeMs()),
        ),
      ).toEqual({ ok: true, round: 1 });
      expect(await currentDetails(s.handle)).toMatch(
        /Awaiting approval of 'Design approved' from client since \d{4}-\d{2}-\d{2}/,
      );
      expect((await s.handle.describe()).searchAttributes.BillingStatus).toEqual([
        'awaiting_approval',
      ]);

      // Rejected with a reason: back to pending, no invoice.
      state = await s.handle.executeUpdate(rejectMilestoneUpdate, {
        args: [
          {
            key: 'mid',
            actor: 'customer (approval link)',
            round: 1,
            reason: 'Lobby drawings missing',
          },
        ],
      });
      expect(state.milestones[0]).toMatchObject({
        status: 'pending',
        rejections: [{ reason: 'Lobby drawings missing', actor: 'customer (approval link)' }],
      });
      // Re-completed: a new round; the round-1 link no longer answers.
      await s.handle.executeUpdate(completeMilestoneUpdate, {
        args: [{ key: 'mid', ...operator }],
      });
      expect(
        await refusal(
          s.handle.executeUpdate(approveMilestoneUpdate, {
            args: [{ key: 'mid', actor: 'customer (approval link)', round: 1 }],
          }),
        ),
      ).toMatchObject({ message: expect.stringMatching(/earlier request/) as string });
      await s.handle.executeUpdate(approveMilestoneUpdate, {
        args: [{ key: 'mid', actor: 'customer (approval link)', round: 2 }],
      });
      const [, mid] = await waitForInvoices(s.projectId, 2);
      expect(mid!.subtotal).toBe(30_000_000);
      expect(mid!.billing_key).toBe('milestone/mid');
      await expectTaxed(mid!);

      await s.handle.executeUpdate(completeMilestoneUpdate, {
        args: [{ key: 'done', ...operator }],
      });
      const result = await s.handle.result();
      expect(result.status).toBe('completed');
      const invoices = await invoicesOf(s.projectId);
      expect(invoices.map((i) => i.subtotal)).toEqual([15_000_000, 30_000_000, 55_000_000]);
      expect(invoices.reduce((t, i) => t + i.subtotal, 0)).toBe(EUR_1M);
      for (const invoice of invoices) await expectTaxed(invoice);

      // Every invoice was rendered and emailed once; the project row and audit trail follow.
      const emailed = await testDb.db
        .selectFrom('email_deliveries')
        .select(['invoice_id'])
        .where('kind', '=', 'invoice_issued')
        .where(
          'invoice_id',
          'in',
          invoices.map((i) => i.id),
        )
        .execute();
      expect(emailed).toHaveLength(3);
      const events = await testDb.db
        .selectFrom('project_events')
        .select(['kind', 'milestone_key', 'actor', 'reason'])
        .where('project_id', '=', s.projectId)
        .orderBy('id')
        .execute();
      // Updates and invoicing interleave: each milestone's own story is in order.
      const story = (key: string | null) =>
        events.filter((e) => e.milestone_key === key).map((e) => e.kind);
      expect(story(null)).toEqual(['deposit_invoiced', 'project_completed']);
      expect(story('mid')).toEqual([
        'milestone_completed',
        'milestone_rejected',
        'milestone_completed',
        'milestone_approved',
        'milestone_invoiced',
      ]);
      expect(story('done')).toEqual(['milestone_completed', 'milestone_invoiced']);
      expect(events.find((e) => e.kind === 'milestone_rejected')).toMatchObject({
        actor: 'customer (approval link)',
        reason: 'Lobby drawings missing',
      });
      const row = await testDb.db
        .selectFrom('projects')
        .select('status')
        .where('id', '=', s.projectId)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('completed');
    });
  });

  it('auto-approves after the stated days, holds retainage on each milestone and releases it at completion, after a change order', async () => {
    const taskQueue = `project-${randomUUID()}`;
    const worker = await newWorker(taskQueue);
    await worker.runUntil(async () => {
      const s = await startProject(taskQueue, {
        contractValue: 10_000_000,
        currency: 'EUR',
        retainagePercent: '10',
        sequential: false,
        milestones: [
          {
            key: 'design',
            name: 'Design',
            price: { percent: '40' },
            requiresApproval: true,
            autoApproveAfterDays: 5,
          },
          { key: 'build', name: 'Build', price: { balance: true }, requiresApproval: false },
        ],
      });
      // A change order: the contract grows by 10,000.00 for an extra milestone; the balance stays.
      const changed = await s.handle.executeUpdate(changeOrderUpdate, {
        args: [
          {
            ...operator,
            reason: 'Client asked for a terrace',
            change: {
              contractValue: 11_000_000,
              addMilestone: {
                key: 'terrace',
                name: 'Terrace',
                price: { amount: 1_000_000 },
                requiresApproval: false,
              },
            },
          },
        ],
      });
      expect(changed.version).toBe(2);
      expect(changed.milestones.map((m) => [m.key, m.amount])).toEqual([
        // 40 % of the new contract; the balance takes what is left.
        ['design', 4_400_000],
        ['build', 5_600_000],
        ['terrace', 1_000_000],
      ]);
      // A change order that would overprice the contract is refused, naming its field.
      expect(
        await refusal(
          s.handle.executeUpdate(changeOrderUpdate, {
            args: [{ ...operator, change: { contractValue: 900_000 } }],
          }),
        ),
      ).toMatchObject({ type: 'InvalidChangeOrder' });

      await s.handle.executeUpdate(completeMilestoneUpdate, {
        args: [{ key: 'design', ...operator }],
      });
      const awaiting = await s.handle.query(projectStateQuery);
      const autoAt = awaiting.milestones[0]!.autoApproveAt!;
      expect(Date.parse(autoAt) - (await env.currentTimeMs())).toBeGreaterThan(4.9 * DAY);
      const customer = await testDb.db
        .selectFrom('customers')
        .select('email')
        .where('id', '=', s.customerId)
        .executeTakeFirstOrThrow();
      const asked = await eventually('approval request', async () =>
        (await outboxTo(customer.email)).find((m) => m.subject.includes('Merci d’approuver')),
      );
      // The request states the auto-approval date.
      expect(asked.text).toMatch(/automatiquement approuvé le/); // fr-FR
      expect(await currentDetails(s.handle)).toMatch(/auto-approval on/);

      // Nobody answers: after 5 days it is approved by the system and invoiced less 10 %.
      await env.sleep(5 * DAY + 60_000);
      const [design] = await waitForInvoices(s.projectId, 1);
      expect(design!.subtotal).toBe(3_960_000);
      expect((await linesOf(design!.id))[0]!.description).toMatch(/less 10 % retainage/);
      const state = await s.handle.query(projectStateQuery);
      expect(state.milestones[0]).toMatchObject({ approvedBy: 'system', retained: 440_000 });

      await s.handle.executeUpdate(completeMilestoneUpdate, {
        args: [{ key: 'terrace', ...operator }],
      });
      await waitForInvoices(s.projectId, 2);
      await s.handle.executeUpdate(completeMilestoneUpdate, {
        args: [{ key: 'build', ...operator }],
      });
      const done = await s.handle.result();
      expect(done).toMatchObject({
        status: 'completed',
        retainageHeld: 1_100_000,
        retainageReleased: true,
      });
      const invoices = await invoicesOf(s.projectId);
      expect(invoices.map((i) => [i.billing_key, i.subtotal])).toEqual([
        ['milestone/design', 3_960_000],
        ['milestone/terrace', 900_000],
        ['milestone/build', 5_040_000],
        ['retainage', 1_100_000],
      ]);
      expect(invoices.reduce((t, i) => t + i.subtotal, 0)).toBe(11_000_000);
      expect((await linesOf(invoices[3]!.id)).map((l) => [l.description, l.amount])).toEqual([
        // The system's words in the customer's language (fr-FR), the milestones' names as given.
        ['Retenue de garantie libérée : Design', 440_000],
        ['Retenue de garantie libérée : Build', 560_000],
        ['Retenue de garantie libérée : Terrace', 100_000],
      ]);
      const orders = await testDb.db
        .selectFrom('project_change_orders')
        .selectAll()
        .where('project_id', '=', s.projectId)
        .execute();
      expect(orders).toMatchObject([
        {
          version: 2,
          contract_value_before: 10_000_000,
          contract_value_after: 11_000_000,
          actor: 'key_test',
          reason: 'Client asked for a terrace',
        },
      ]);
      const auto = await testDb.db
        .selectFrom('project_events')
        .select(['actor', 'reason'])
        .where('project_id', '=', s.projectId)
        .where('kind', '=', 'milestone_approved')
        .executeTakeFirstOrThrow();
      expect(auto).toEqual({
        actor: 'system',
        reason: 'no answer within 5 days: approved automatically',
      });
    });
  });
});

const hoursTerms: HoursTerms = {
  roundingMinutes: 15,
  rateCard: { senior: 15_000 },
  invoicing: 'monthly',
  lines: 'per_person',
  budget: { amount: 300_000, warnAtPercent: 80, hardStop: true },
};

async function recordHours(
  projectId: string,
  entry: { person: string; date: string; minutes: number; rate: number },
) {
  const billedMinutes = roundMinutes(entry.minutes, hoursTerms.roundingMinutes);
  return insertTimeEntry(
    testDb.db,
    projectId,
    {
      id: newId('te'),
      person: entry.person,
      role: null,
      workDate: entry.date,
      minutes: entry.minutes,
      billedMinutes,
      hourlyRate: entry.rate,
      amount: hoursAmount(billedMinutes, entry.rate),
      description: 'Work',
      billable: true,
    },
    hoursTerms.budget,
  );
}

describe('billable hours', () => {
  it('invoices rounded hours monthly in arrears, warns at the budget threshold, and never invoices an entry twice across a worker restart', async () => {
    const taskQueue = `project-${randomUUID()}`;
    const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: TZ });
    const month1 = now.toISODate()!;
    const month2Start = now.startOf('month').plus({ months: 1 });
    const month3Start = month2Start.plus({ months: 1 });
    let hoursAttempts = 0;
    // The first hours invoice commits but its answer is lost: the retry must find the same one.
    const flaky: Partial<Activities> = {
      async issueProjectInvoice(input) {
        const result = await activities.issueProjectInvoice(input);
        if (input.billingKey.startsWith('hours/') && hoursAttempts++ === 0) {
          throw ApplicationFailure.create({
            message: 'lost after commit',
            nextRetryDelay: '10 ms',
          });
        }
        return result;
      },
    };
    let s!: Started;
    const first = await newWorker(taskQueue, flaky);
    await first.runUntil(async () => {
      s = await startProject(taskQueue, {
        contractValue: 10_000_000,
        currency: 'EUR',
        sequential: true,
        milestones: [
          {
            key: 'go-live',
            name: 'Go-live',
            price: { amount: 1_000_000 },
            requiresApproval: false,
          },
        ],
        hours: hoursTerms,
      });
      const state = await s.handle.query(projectStateQuery);
      expect(state.nextHoursInvoiceAt).toBe(month2Start.toUTC().toISO());
      // 50 min → 1 h, 100 min → 1.75 h at €150/h.
      await recordHours(s.projectId, { person: 'Ana', date: month1, minutes: 50, rate: 15_000 });
      await recordHours(s.projectId, { person: 'Ana', date: month1, minutes: 100, rate: 15_000 });
      await recordHours(s.projectId, { person: 'Bo', date: month1, minutes: 7, rate: 8_000 });
      await env.sleep(month2Start.toMillis() - (await env.currentTimeMs()) + 60_000);
      await waitForInvoices(s.projectId, 1);
    });
    // The worker is gone; a new one (a deploy, a crash) carries on from history.
    const second = await newWorker(taskQueue);
    await second.runUntil(async () => {
      const [month1Invoice] = await invoicesOf(s.projectId);
      expect(month1Invoice!.billing_key).toBe(`hours/${now.toFormat('yyyy-MM')}`);
      expect((await linesOf(month1Invoice!.id)).map((l) => [l.description, l.amount])).toEqual([
        // In the customer's locale (fr-FR).
        [`Ana: 2.75 h at ${formatMoney(money(15_000, 'EUR'), 'fr-FR')}/h`, 41_250],
        [`Bo: 0.25 h at ${formatMoney(money(8_000, 'EUR'), 'fr-FR')}/h`, 2_000],
      ]);
      expect(month1Invoice!.subtotal).toBe(43_250);

      // Month 2: the budget (€3,000, warn at 80 %) is crossed by one entry; the operator hears once.
      const day = month2Start.plus({ days: 3 }).toISODate()!;
      const a = await recordHours(s.projectId, {
        person: 'Ana',
        date: day,
        minutes: 480,
        rate: 15_000,
      });
      expect(a.crossesWarning).toBe(false);
      const b = await recordHours(s.projectId, {
        person: 'Ana',
        date: day,
        minutes: 480,
        rate: 15_000,
      });
      expect(b.crossesWarning).toBe(true);
      await s.handle.signal(budgetWarningSignal, { used: b.used, budget: 300_000 });
      // The hard stop refuses what would go past the budget, and stores nothing.
      await expect(
        recordHours(s.projectId, { person: 'Ana', date: day, minutes: 120, rate: 15_000 }),
      ).rejects.toThrow(/not-to-exceed budget/);
      const notice = await eventually('budget warning', async () =>
        (await outboxTo('billing@billwright.test')).find((m) =>
          m.subject.startsWith('Budget warning'),
        ),
      );
      expect(notice.text).toMatch(/€2,832.50 of the €3,000.00/);

      await env.sleep(month3Start.toMillis() - (await env.currentTimeMs()) + 60_000);
      const invoices = await waitForInvoices(s.projectId, 2);
      expect(invoices[1]!.billing_key).toBe(`hours/${month2Start.toFormat('yyyy-MM')}`);
      expect(invoices[1]!.subtotal).toBe(240_000);

      // Each entry on exactly one invoice, each invoice once per key, nothing left uninvoiced.
      const entries = await testDb.db
        .selectFrom('time_entries')
        .select(['invoice_id', 'amount'])
        .where('project_id', '=', s.projectId)
        .execute();
      expect(entries).toHaveLength(5);
      expect(entries.every((e) => e.invoice_id !== null)).toBe(true);
      for (const invoice of invoices) {
        const billed = entries.filter((e) => e.invoice_id === invoice.id);
        expect(billed.reduce((t, e) => t + e.amount, 0)).toBe(invoice.subtotal);
      }
      expect(new Set(invoices.map((i) => i.billing_key)).size).toBe(invoices.length);
      // The month-1 invoice activity ran twice (the first answer lost) and issued one invoice.
      expect(hoursAttempts).toBe(2);
      await expectTaxed(invoices[0]!);
    });
  });
});

describe('project on a test clock', () => {
  it('auto-approves and invoices the month’s hours as advanceTestClock passes them', async () => {
    const taskQueue = `project-${randomUUID()}`;
    const worker = await newWorker(taskQueue);
    await worker.runUntil(async () => {
      const frozen = '2027-01-10T09:00:00.000Z';
      const clock = await insertTestClock(testDb.db, {
        id: newId('clock'),
        name: 'projects',
        frozenTime: frozen,
      });
      const customer = await insertCustomer(testDb.db, {
        name: 'Clocked SAS',
        email: 'clocked@acme.test',
        timezone: TZ,
        testClockId: clock.id,
      });
      const s = await startProject(
        taskQueue,
        {
          contractValue: 5_000_000,
          currency: 'EUR',
          sequential: true,
          milestones: [
            {
              key: 'design',
              name: 'Design',
              price: { amount: 2_000_000 },
              requiresApproval: true,
              autoApproveAfterDays: 7,
            },
            {
              key: 'rest',
              name: 'Rest',
              price: { balance: true },
              requiresApproval: false,
              dueDate: '2027-01-25',
            },
          ],
          hours: { ...hoursTerms, budget: undefined },
        },
        { testClock: { id: clock.id, now: frozen }, customerId: customer.id },
      );
      expect(await clockWorkflowIds(testDb.db, clock.id)).toContain(`project-${s.projectId}`);
      await recordHours(s.projectId, {
        person: 'Ana',
        date: '2027-01-11',
        minutes: 60,
        rate: 15_000,
      });
      await s.handle.executeUpdate(completeMilestoneUpdate, {
        args: [{ key: 'design', ...operator }],
      });
      const parked = await s.handle.executeUpdate(advanceClockUpdate, { args: [frozen] });
      // Parked on the auto-approval (7 days after the request), in virtual time.
      expect(parked.nextWakeAt).toBe('2027-01-17T09:00:00.000Z');
      expect(await invoicesOf(s.projectId)).toHaveLength(0);

      const after = await s.handle.executeUpdate(advanceClockUpdate, {
        args: ['2027-01-20T00:00:00.000Z'],
      });
      // Next: the end of 'Rest''s due day in Paris (the operator's reminder).
      expect(after.nextWakeAt).toBe('2027-01-25T23:00:00.000Z');
      expect(await currentDetails(s.handle)).toMatch(
        /Wait for 'Rest' to be completed by 2027-01-25/,
      );
      let invoices = await invoicesOf(s.projectId);
      expect(invoices.map((i) => [i.billing_key, i.subtotal, i.issued_at?.toISOString()])).toEqual([
        ['milestone/design', 2_000_000, '2027-01-17T09:00:00.000Z'],
      ]);

      await s.handle.executeUpdate(advanceClockUpdate, { args: ['2027-02-02T00:00:00.000Z'] });
      invoices = await invoicesOf(s.projectId);
      expect(invoices.map((i) => [i.billing_key, i.subtotal])).toEqual([
        ['milestone/design', 2_000_000],
        ['hours/2027-01', 15_000],
      ]);
      expect(invoices[1]!.issued_at?.toISOString()).toBe('2027-01-31T23:00:00.000Z');
      // 'Rest' passed its due date uncompleted: the operator was reminded, once.
      const reminders = (await outboxTo('billing@billwright.test')).filter((m) =>
        m.subject.includes('"Rest" is overdue'),
      );
      expect(reminders).toHaveLength(1);
      expect(reminders[0]!.text).toMatch(/was due on 2027-01-25 and is not completed/);
    });
  });
});

describe('a long project', () => {
  it('continues as new with its state when its history grows, and still completes', async () => {
    const taskQueue = `project-${randomUUID()}`;
    const worker = await newWorker(taskQueue);
    await worker.runUntil(async () => {
      const s = await startProject(taskQueue, {
        contractValue: 1_000_000,
        currency: 'EUR',
        sequential: true,
        milestones: [
          { key: 'all', name: 'All', price: { balance: true }, requiresApproval: false },
        ],
        hours: { ...hoursTerms, budget: undefined },
      });
      const firstRun = (await s.handle.describe()).runId;
      const today = DateTime.fromMillis(await env.currentTimeMs(), { zone: TZ }).toISODate()!;
      await recordHours(s.projectId, { person: 'Ana', date: today, minutes: 60, rate: 15_000 });
      // 32 month starts, two steps each: past the 60 steps one run may take.
      await env.sleep(32 * 31 * DAY);
      const state = await eventually('a later run', async () => {
        const described = await s.handle.describe();
        return described.runId !== firstRun ? s.handle.query(projectStateQuery) : undefined;
      });
      expect(state.invoices.map((i) => i.billingKey)).toEqual([
        `hours/${DateTime.fromISO(today).toFormat('yyyy-MM')}`,
      ]);
      await s.handle.executeUpdate(completeMilestoneUpdate, {
        args: [{ key: 'all', ...operator }],
      });
      expect(await s.handle.result()).toMatchObject({ status: 'completed' });
      const invoices = await invoicesOf(s.projectId);
      expect(invoices.map((i) => [i.billing_key, i.subtotal])).toEqual([
        [`hours/${DateTime.fromISO(today).toFormat('yyyy-MM')}`, 15_000],
        ['milestone/all', 1_000_000],
      ]);
    });
  });
});
