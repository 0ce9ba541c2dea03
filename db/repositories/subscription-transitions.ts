// The audit trail of a subscription's lifecycle, written by the workflow through an activity.
import type { Db } from '../connect.ts';
import { recordSubscriptionEvent } from './webhook-events.ts';

export interface SubscriptionTransition {
  subscriptionId: string;
  from: string | null;
  to: string;
  actor: string;
  reason?: string | undefined;
  occurredAt: string;
  /** The workflow's key for this transition: a retried activity records it once. */
  idempotencyKey: string;
  /** A new billing anchor, when the transition moves it (resume with anchor reset). */
  anchorAt?: string | undefined;
}

export async function recordSubscriptionTransition(
  db: Db,
  t: SubscriptionTransition,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('subscription_transitions')
      .values({
        subscription_id: t.subscriptionId,
        from_status: t.from,
        to_status: t.to,
        actor: t.actor,
        reason: t.reason ?? null,
        occurred_at: t.occurredAt,
        idempotency_key: t.idempotencyKey,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      await trx
        .updateTable('subscriptions')
        .set({
          status: t.to,
          updated_at: t.occurredAt,
          ...(t.anchorAt ? { anchor_at: t.anchorAt } : {}),
        })
        .where('id', '=', t.subscriptionId)
        .execute();
      await recordSubscriptionEvent(trx, t.subscriptionId, t);
    }
  });
}

export async function listSubscriptionTransitions(db: Db, subscriptionId: string) {
  return db
    .selectFrom('subscription_transitions')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}
