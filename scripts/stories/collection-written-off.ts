// The written-off collection story for the replay test's history (scripts/record-histories.ts):
// the last invoice of a subscription that has since been canceled (its workflow has ended) left
// unpaid to the end of the policy: a reminder, the escalation told to the subscription (whose
// workflow is gone: logged, the schedule carries on), the final notice, then the invoice written
// off by the policy, where the collection ends uncollectible.
import { upsertDunningPolicy } from '../../db/repositories/collections.ts';
import type { DunningPolicy } from '../../domain/collections/dunning.ts';
import { nudgeCollection } from '../../temporal/collection-start.ts';
import { collectionWorkflowId } from '../../workflow-contracts/ids.ts';
import type { collectionWorkflow } from '../../workflows/collection.ts';
import { issueInvoice, replayCustomer, replaySubscription, type Story } from '../recording.ts';

const POLICY: DunningPolicy = {
  beforeDue: null,
  reminders: [{ daysAfterDue: 1, tone: 'gentle' }],
  finalNotice: { daysAfterDue: 10, consequence: 'The invoice will be written off.' },
  markUncollectibleAfterDays: 20,
  escalation: [{ daysAfterDue: 3, action: 'past_due' }],
  sendWindow: { start: '09:00', end: '17:00', weekdaysOnly: true },
};

export const collectionWrittenOff: Story = {
  name: 'collection-written-off',
  summary:
    "an ended subscription's invoice unpaid: reminder, escalation, final notice, written off",
  collections: true,
  async play(recording) {
    const { db, env } = recording;
    const customer = await replayCustomer(db, 'Europe/Paris', { payment_terms_days: 14 });
    await upsertDunningPolicy(db, {
      name: 'replay-write-off',
      scope: { customerId: customer.id },
      policy: POLICY,
    });
    // No workflow runs for it any more: told of the escalation, it cannot be found.
    const { subscriptionId } = await replaySubscription(db, {
      customerId: customer.id,
      status: 'canceled',
      anchor: new Date(await env.currentTimeMs()).toISOString(),
    });
    const invoice = await issueInvoice(recording, {
      customerId: customer.id,
      subscriptionId,
      amount: 2500,
      at: new Date(await env.currentTimeMs()).toISOString(),
    });
    await nudgeCollection(db, env.client, invoice.id, 'finalized');
    const handle = env.client.workflow.getHandle<typeof collectionWorkflow>(
      collectionWorkflowId(invoice.id),
    );
    const result = await handle.result();
    if (result.status !== 'uncollectible') {
      throw new Error(`the collection ended ${result.status}, not written off`);
    }
    return handle;
  },
};
