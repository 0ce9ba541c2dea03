// The dunned subscription story for the replay test's history (scripts/record-histories.ts):
// after its first paid renewal, the subscription is told by its invoice's collection (the signals
// workflows/collection.ts sends) that the invoice is past due, then paused for it, then settled
// (resumed after the period it missed), then past due and canceled for it: every branch of
// the collection notice, none of which the main story takes.
import { billingPeriod } from '../../domain/core/periods.ts';
import { collectionNoticeSignal, stateQuery } from '../../workflows/subscription-messages.ts';
import type { CollectionNotice, SubscriptionState } from '../../workflows/subscription-messages.ts';
import type { Story } from '../recording.ts';
import { startRecordedSubscription } from './subscription.ts';

export const subscriptionDunned: Story = {
  name: 'subscription-dunned',
  summary: 'told by collections: past due, paused, settled (resumed), past due again, canceled',
  async play(recording) {
    const { db, env } = recording;
    const { handle, cycle, subscriptionId } = await startRecordedSubscription(recording);
    await env.sleep(
      Date.parse(billingPeriod(cycle, 1).start) + 3_600_000 - (await env.currentTimeMs()),
    );
    while ((await handle.query(stateQuery)).invoicesIssued < 2) await env.sleep(1000);
    const { id: invoiceId } = await db
      .selectFrom('invoices')
      .select('id')
      .where('subscription_id', '=', subscriptionId)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const told = async (event: CollectionNotice['event'], status: SubscriptionState['status']) => {
      await handle.signal(collectionNoticeSignal, { invoiceId, event });
      while ((await handle.query(stateQuery)).status !== status) await env.sleep(1000);
    };
    await told('past_due', 'past_due');
    await told('pause', 'paused');
    await env.sleep(40 * 86_400_000);
    await told('settled', 'active');
    await told('past_due', 'past_due');
    await handle.signal(collectionNoticeSignal, { invoiceId, event: 'cancel' });
    await handle.result();
    return handle;
  },
};
