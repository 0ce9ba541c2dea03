// Outgoing webhook events, written by the repositories that make a change, in the change's own
// transaction: an event exists if and only if its change committed (none lost, none invented).
// The dispatcher (temporal/webhook-dispatch.ts) hands the undispatched ones to the endpoints'
// delivery workflows in commit order.
import { sql, type Kysely, type Transaction } from 'kysely';
import { creditNoteExcess } from '../../domain/ledger/postings.ts';
import {
  eventObjectOf,
  invoiceEventsOf,
  subscriptionEventOf,
  type WebhookEventType,
  type WebhookPayload,
} from '../../domain/webhooks/events.ts';
import type { CreditNote, Database, Invoice, WebhookEvent } from '../database.ts';
import { newId } from '../ids.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Records one event about `object` (a row with an id) in the caller's transaction, and returns
 * the object, so a repository can chain it: `.then((row) => recordEvent(trx, 'x.y', row))`.
 */
export async function recordEvent<T extends { id: string }>(
  trx: Executor,
  type: WebhookEventType,
  object: T,
): Promise<T> {
  const kind = type.slice(0, type.indexOf('.'));
  const payload: Omit<WebhookPayload, 'timestamp'> = {
    type,
    data: { object: eventObjectOf(kind, object) },
  };
  await trx
    .insertInto('webhook_events')
    .values({ id: newId('evt'), type, object_id: object.id, payload: JSON.stringify(payload) })
    .execute();
  return object;
}

/** The events of an invoice's change of status (finalized, paid, voided…), returning `after`. */
export async function recordInvoiceEvents<T extends { id: string; status: string }>(
  trx: Executor,
  before: { status: string },
  after: T,
): Promise<T> {
  for (const type of invoiceEventsOf(before.status, after.status)) {
    await recordEvent(trx, type, after);
  }
  return after;
}

/**
 * A refund credit note's `payment.refunded`: what it gives back of money already paid (the part
 * the ledger moves to refunds clearing), when there is any; a refund of an unpaid amount only
 * lowers what is owed and writes none.
 */
export async function recordRefundEvent(
  trx: Executor,
  creditNote: CreditNote,
  before: Pick<Invoice, 'status' | 'amount_due'>,
  after: Pick<Invoice, 'status' | 'amount_due'>,
): Promise<void> {
  if (creditNote.reason !== 'refund') return;
  const amount = creditNoteExcess(
    creditNote.total,
    { status: before.status, due: before.amount_due },
    { status: after.status, due: after.amount_due },
  );
  if (amount <= 0) return;
  await recordEvent(trx, 'payment.refunded', {
    id: creditNote.id,
    creditNoteNumber: creditNote.number,
    invoiceId: creditNote.invoice_id,
    customerId: creditNote.customer_id,
    currency: creditNote.currency,
    amount,
    memo: creditNote.memo,
    refundedAt: creditNote.issued_at,
  });
}

/**
 * A subscription's event (created, its terms updated, or what a lifecycle transition means),
 * with its row now.
 */
export async function recordSubscriptionEvent(
  trx: Executor,
  subscriptionId: string,
  change: { from: string | null; to: string } | 'created' | 'updated',
): Promise<void> {
  const type =
    change === 'created' || change === 'updated'
      ? (`subscription.${change}` as const)
      : subscriptionEventOf(change.from, change.to);
  if (!type) return;
  const row = await trx
    .selectFrom('subscriptions')
    .selectAll()
    .where('id', '=', subscriptionId)
    .executeTakeFirstOrThrow();
  await recordEvent(trx, type, row);
}

export async function getWebhookEvent(db: Executor, id: string): Promise<WebhookEvent | undefined> {
  return db.selectFrom('webhook_events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Events in commit order, optionally about one object (tests and the operator's view). */
export async function listWebhookEvents(
  db: Executor,
  filter: { objectId?: string; afterSeq?: number; limit?: number } = {},
): Promise<WebhookEvent[]> {
  let query = db.selectFrom('webhook_events').selectAll().orderBy('seq');
  if (filter.objectId) query = query.where('object_id', '=', filter.objectId);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  return query.limit(filter.limit ?? 1000).execute();
}

/**
 * Runs `dispatch` on the undispatched events in commit order and marks them dispatched, under a
 * transaction-scoped advisory lock so only one dispatcher (of all workers) hands events over at a
 * time: two side by side could otherwise signal an object's events out of order.
 */
export async function dispatchPendingEvents(
  db: Kysely<Database>,
  limit: number,
  dispatch: (events: WebhookEvent[]) => Promise<void>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(hashtext('billwright.webhook_dispatch')) as locked`.execute(
      trx,
    );
    if (!rows[0]?.locked) return 0;
    const events = await trx
      .selectFrom('webhook_events')
      .selectAll()
      .where('dispatched_at', 'is', null)
      .orderBy('seq')
      .limit(limit)
      .execute();
    if (events.length === 0) return 0;
    await dispatch(events);
    await trx
      .updateTable('webhook_events')
      .set({ dispatched_at: sql<Date>`now()` })
      .where(
        'id',
        'in',
        events.map((e) => e.id),
      )
      .execute();
    return events.length;
  });
}
