// The collection story for the replay test's history (scripts/record-histories.ts): an invoice
// finalized with 14 days' terms and collected by the policy: the heads-up before the due date
// and the first reminder in business hours, a partial payment and its receipt, the next
// reminder asking for the rest, then the full payment and its receipt. The collection is
// started and told of payments as the API does (signal-with-start).
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { upsertDunningPolicy } from '../../db/repositories/collections.ts';
import { recordPayment } from '../../db/repositories/payments.ts';
import type { DunningPolicy } from '../../domain/collections/dunning.ts';
import type { collectionWorkflow } from '../../workflows/collection.ts';
import { collectionStateQuery } from '../../workflows/collection-messages.ts';
import { nudgeCollection } from '../../temporal/collection-start.ts';
import { issueInvoice, replayCustomer, type Recording, type Story } from '../recording.ts';
import { collectionWorkflowId } from '../../workflow-contracts/ids.ts';

const HOUR = 3_600_000;

const POLICY: DunningPolicy = {
  beforeDue: { daysBefore: 3 },
  reminders: [
    { daysAfterDue: 1, tone: 'gentle' },
    { daysAfterDue: 7, tone: 'firm' },
  ],
  finalNotice: { daysAfterDue: 14, consequence: 'The account will be handed over.' },
  markUncollectibleAfterDays: null,
  escalation: [{ daysAfterDue: 1, action: 'past_due' }],
  sendWindow: { start: '09:00', end: '17:00', weekdaysOnly: true },
};

export const collection: Story = {
  name: 'collection',
  summary: 'heads-up, reminder, partial payment and receipt, reminder, full payment and receipt',
  collections: true,
  async play(recording) {
    const { db, env } = recording;
    const customer = await replayCustomer(db, 'Europe/Paris', { payment_terms_days: 14 });
    await upsertDunningPolicy(db, {
      name: 'replay',
      scope: { customerId: customer.id },
      policy: POLICY,
    });
    const invoice = await issueInvoice(recording, {
      customerId: customer.id,
      amount: 10_000,
      at: new Date(await env.currentTimeMs()).toISOString(),
    });
    await nudgeCollection(db, env.client, invoice.id, 'finalized');
    const handle = env.client.workflow.getHandle<typeof collectionWorkflow>(
      collectionWorkflowId(invoice.id),
    );
    await untilReminders(recording, handle, 2); // the heads-up and reminder 1
    const part = Math.floor(invoice.total * 0.4);
    await pay(recording, invoice.id, part);
    await settle(
      recording,
      async () => (await handle.query(collectionStateQuery)).amountDue === invoice.total - part,
    );
    await untilReminders(recording, handle, 3); // reminder 2, for the rest
    await pay(recording, invoice.id, invoice.total - part);
    await handle.result();
    return handle;
  },
};

/** Sleeps from one scheduled step to the next until `count` reminders have gone out. */
async function untilReminders(
  recording: Recording,
  handle: WorkflowHandle<typeof collectionWorkflow>,
  count: number,
): Promise<void> {
  const { env } = recording;
  for (;;) {
    const state = await handle.query(collectionStateQuery);
    if (state.remindersSent >= count) return;
    const next = state.nextAction;
    if (state.ended) throw new Error(`the collection ended after ${state.remindersSent} reminders`);
    if (!next) {
      await env.sleep(1000); // still opening: nothing scheduled yet
      continue;
    }
    await env.sleep(Math.max(Date.parse(next.at) - (await env.currentTimeMs()), 0) + HOUR);
    await settle(recording, async () => {
      const now = await handle.query(collectionStateQuery);
      return now.remindersSent > state.remindersSent || now.nextAction?.key !== next.key;
    });
  }
}

/** A payment recorded and its collection told, as POST /v1/invoices/:id/payments does. */
async function pay({ db, env }: Recording, invoiceId: string, amount: number): Promise<void> {
  await recordPayment(db, {
    invoiceId,
    amount,
    method: 'bank transfer',
    reference: `wire-${randomUUID().slice(0, 8)}`,
    paidAt: new Date(await env.currentTimeMs()).toISOString(),
    source: 'api',
  });
  await nudgeCollection(db, env.client, invoiceId, 'payment');
}

/** Polls on skipped time until `check` holds (a second at a time; nothing is due meanwhile). */
async function settle({ env }: Recording, check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await env.sleep(1000);
}
