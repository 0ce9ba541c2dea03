// Dunning policies (per customer, per plan, or the default) and one collection row per invoice:
// what its workflow is doing, where it stands, and whether an operator paused it for a dispute.
// Dispute dates are the customer's (a test clock's time on a clocked customer); updated_at is
// bookkeeping no customer sees, in real time.
import { olderThan, toPage } from '../pagination.ts';
import { sql, type Transaction } from 'kysely';
import {
  DEFAULT_DUNNING_POLICY,
  type DunningPolicy,
  type CollectionStatus,
} from '../../domain/collections/dunning.ts';
import { collectionStepKindOf } from '../../domain/collections/dunning.ts';
import { inTransaction, type Db } from '../connect.ts';
import type { Database, DunningPolicyRow, InvoiceCollection } from '../database.ts';
import { newId } from '../ids.ts';
import { markInvoiceOverdue } from './invoice-lifecycle.ts';
import { customerNow } from './test-clocks.ts';
import { recordEvent } from './webhook-events.ts';

type Executor = Db | Transaction<Database>;

export type PolicyScope = { planId: string } | { customerId: string } | { isDefault: true };

/** Creates a policy, or replaces the one that has the same scope (one per plan, customer, default). */
export async function upsertDunningPolicy(
  db: Db,
  input: { name: string; scope: PolicyScope; policy: DunningPolicy },
): Promise<DunningPolicyRow> {
  return db.transaction().execute(async (trx) => {
    const { scope } = input;
    let existing = trx.selectFrom('dunning_policies').select('id');
    existing =
      'planId' in scope
        ? existing.where('plan_id', '=', scope.planId)
        : 'customerId' in scope
          ? existing.where('customer_id', '=', scope.customerId)
          : existing.where('is_default', '=', true);
    const found = await existing.forUpdate().executeTakeFirst();
    if (found) {
      return trx
        .updateTable('dunning_policies')
        .set({ name: input.name, policy: JSON.stringify(input.policy), updated_at: new Date() })
        .where('id', '=', found.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    return trx
      .insertInto('dunning_policies')
      .values({
        id: newId('dpol'),
        name: input.name,
        plan_id: 'planId' in scope ? scope.planId : null,
        customer_id: 'customerId' in scope ? scope.customerId : null,
        is_default: 'isDefault' in scope,
        policy: JSON.stringify(input.policy),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Newest first; `startingAfter` is the id of the previous page's last policy. */
export async function listDunningPolicies(
  db: Executor,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: DunningPolicyRow[]; hasMore: boolean }> {
  let query = db
    .selectFrom('dunning_policies')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.startingAfter !== undefined)
    query = query.where(olderThan('dunning_policies', options.startingAfter));
  return toPage(await query.execute(), options.limit);
}

export async function getDunningPolicy(
  db: Executor,
  id: string,
): Promise<DunningPolicyRow | undefined> {
  return db.selectFrom('dunning_policies').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deleteDunningPolicy(db: Executor, id: string): Promise<boolean> {
  // Collections keep running on the policy they started with (it is in their history).
  await db
    .updateTable('invoice_collections')
    .set({ policy_id: null })
    .where('policy_id', '=', id)
    .execute();
  const result = await db.deleteFrom('dunning_policies').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * The policy an invoice is collected under: the customer's own, else its subscription's plan's,
 * else the operator's default, else the built-in default (id null).
 */
export async function policyForInvoice(
  db: Executor,
  invoice: { customer_id: string; subscription_id: string | null },
): Promise<{ id: string | null; policy: DunningPolicy }> {
  const own = await db
    .selectFrom('dunning_policies')
    .select(['id', 'policy'])
    .where('customer_id', '=', invoice.customer_id)
    .executeTakeFirst();
  if (own) return own;
  if (invoice.subscription_id) {
    const plan = await db
      .selectFrom('dunning_policies')
      .innerJoin('subscriptions', 'subscriptions.plan_id', 'dunning_policies.plan_id')
      .select(['dunning_policies.id', 'dunning_policies.policy'])
      .where('subscriptions.id', '=', invoice.subscription_id)
      .executeTakeFirst();
    if (plan) return plan;
  }
  const fallback = await db
    .selectFrom('dunning_policies')
    .select(['id', 'policy'])
    .where('is_default', '=', true)
    .executeTakeFirst();
  return fallback ?? { id: null, policy: DEFAULT_DUNNING_POLICY };
}

export async function getCollection(
  db: Executor,
  invoiceId: string,
): Promise<InvoiceCollection | undefined> {
  return db
    .selectFrom('invoice_collections')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirst();
}

/** The collection row, created on the workflow's first run (and left as it is on a later one). */
export async function openCollectionRow(
  db: Executor,
  row: {
    invoiceId: string;
    customerId: string;
    workflowId: string;
    policyId: string | null;
    status: CollectionStatus;
  },
): Promise<InvoiceCollection> {
  await db
    .insertInto('invoice_collections')
    .values({
      invoice_id: row.invoiceId,
      customer_id: row.customerId,
      workflow_id: row.workflowId,
      policy_id: row.policyId,
      status: row.status,
    })
    .onConflict((oc) => oc.column('invoice_id').doNothing())
    .execute();
  return (await getCollection(db, row.invoiceId))!;
}

/** How far a collection's schedule got: the count only grows, the step only moves on. */
export interface CollectionReached {
  remindersSent: number;
  /** The last dunning step performed (its key) and its instant. */
  lastStep: { key: string; at: string } | null;
  /** The instant the latest reminder went out for. */
  lastReminderAt: string | null;
  /** How many steps were performed: the last one's number (each one a collection.step_sent). */
  stepsPerformed: number;
}

/** What the row says of how far the schedule got: where a later run of the workflow picks up. */
export function collectionReached(row: InvoiceCollection): CollectionReached {
  return {
    remindersSent: row.reminders_sent,
    lastStep:
      row.last_step && row.last_step_at
        ? { key: row.last_step, at: row.last_step_at.toISOString() }
        : null,
    lastReminderAt: row.last_reminder_at?.toISOString() ?? null,
    stepsPerformed: row.steps_performed,
  };
}

/**
 * What the workflow reports: its status, the next action, whether it ended, and how far the
 * schedule got. How far only moves forward (GREATEST, and the step only for a later instant), so
 * a replayed or stale report, a late retry of an earlier run's activity, never lowers the count.
 * A step that really raises the count of steps performed emits `collection.step_sent` in the
 * same transaction; a replayed or stale report emits nothing. The first `overdue` report marks
 * the invoice overdue (`invoice.overdue`, once), before the collection row is locked.
 */
export async function updateCollectionRow(
  db: Executor,
  invoiceId: string,
  changes: {
    status?: CollectionStatus | undefined;
    ended?: boolean | undefined;
    nextAction?: { at: string; what: string } | null | undefined;
  } & Partial<CollectionReached>,
): Promise<void> {
  const { remindersSent, lastStep, lastReminderAt, stepsPerformed } = changes;
  await inTransaction(db, async (trx) => {
    if (changes.status === 'overdue') await markInvoiceOverdue(trx, invoiceId);
    // Counted by the workflow, one by one: a report that does not raise the count (a replay, a
    // stale write of an earlier run) performed nothing new.
    const before =
      lastStep && stepsPerformed !== undefined ? await lockCollection(trx, invoiceId) : undefined;
    const advances = before !== undefined && (stepsPerformed ?? 0) > before.steps_performed;
    await trx
      .updateTable('invoice_collections')
      .set({
        ...(changes.status !== undefined && { status: changes.status }),
        ...(changes.ended !== undefined && { ended: changes.ended }),
        ...(remindersSent !== undefined && {
          reminders_sent: sql<number>`greatest(reminders_sent, ${remindersSent})`,
        }),
        ...(lastReminderAt && {
          last_reminder_at: sql<Date>`greatest(last_reminder_at, ${lastReminderAt}::timestamptz)`,
        }),
        ...(lastStep && {
          last_step: sql<string>`case when last_step_at is null or last_step_at <= ${lastStep.at}::timestamptz then ${lastStep.key} else last_step end`,
          last_step_at: sql<Date>`greatest(last_step_at, ${lastStep.at}::timestamptz)`,
        }),
        ...(advances && { steps_performed: stepsPerformed }),
        ...(changes.nextAction !== undefined && {
          next_action_at: changes.nextAction?.at ?? null,
          next_action: changes.nextAction?.what ?? null,
        }),
        updated_at: new Date(),
      })
      .where('invoice_id', '=', invoiceId)
      .execute();
    if (advances && before && lastStep) {
      await recordEvent(trx, 'collection.step_sent', {
        id: invoiceId,
        invoiceId,
        customerId: before.customer_id,
        step: stepsPerformed,
        key: lastStep.key,
        kind: collectionStepKindOf(lastStep.key),
        sentAt: new Date(lastStep.at).toISOString(),
      });
    }
  });
}

export class CollectionStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CollectionStateError';
  }
}

/** The invoice's collection row, locked until the transaction ends. */
function lockCollection(trx: Transaction<Database>, invoiceId: string) {
  return trx
    .selectFrom('invoice_collections')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * An operator pauses collection while a dispute is looked into. Only an invoice with money
 * owing and a running collection can be disputed; a second dispute is refused. Dated `at`, by
 * default the customer's now.
 */
export async function disputeCollection(
  db: Db,
  invoiceId: string,
  dispute: { reason: string; at?: Date | undefined },
): Promise<InvoiceCollection> {
  return db.transaction().execute(async (trx) => {
    const row = await lockCollection(trx, invoiceId);
    if (!row || row.ended) {
      throw new CollectionStateError(`invoice ${invoiceId} is not being collected`);
    }
    if (row.disputed_at && !row.resolved_at) {
      throw new CollectionStateError(`invoice ${invoiceId} is already disputed`);
    }
    return trx
      .updateTable('invoice_collections')
      .set({
        status: 'disputed',
        dispute_reason: dispute.reason,
        disputed_at: dispute.at ?? (await customerNow(trx, row.customer_id)),
        resolved_at: null,
        resolution: null,
        updated_at: new Date(),
      })
      .where('invoice_id', '=', invoiceId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/**
 * The dispute is settled: collection resumes where it paused (its workflow shifts the rest).
 * Dated `at`, by default the customer's now.
 */
export async function resolveDispute(
  db: Db,
  invoiceId: string,
  resolution: { resolution: string; at?: Date | undefined },
): Promise<InvoiceCollection> {
  return db.transaction().execute(async (trx) => {
    const row = await lockCollection(trx, invoiceId);
    if (!row || !row.disputed_at || row.resolved_at) {
      throw new CollectionStateError(`invoice ${invoiceId} is not disputed`);
    }
    return trx
      .updateTable('invoice_collections')
      .set({
        resolved_at: resolution.at ?? (await customerNow(trx, row.customer_id)),
        resolution: resolution.resolution,
        // The workflow puts the real status back (open or overdue) when it resumes.
        status: row.status === 'disputed' ? 'open' : row.status,
        updated_at: new Date(),
      })
      .where('invoice_id', '=', invoiceId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
