// Subscriptions as stored: the row the API creates alongside the workflow, kept current by the
// workflow's activities (status, current period), plus what the database knows about its
// history (invoices issued, when it was last paused or canceled).
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../connect.ts';
import type { Database } from '../database.ts';
import { recordSubscriptionEvent } from './webhook-events.ts';

export interface NewSubscriptionInput {
  id: string;
  customerId: string;
  planId: string;
  /** The plan version the subscription is pinned to. */
  planVersion: number;
  /** Seats (default 1). */
  quantity?: number;
  /** The billing anchor, an ISO instant. */
  anchorAt: string;
  /** active (default), or trialing for a subscription that starts with a free trial. */
  status?: 'active' | 'trialing';
  /** When it begins (its trial, if any), an ISO instant on the customer's clock; default now. */
  startedAt?: string;
  /** Unbilled usage (minor units) at which an interim invoice is issued (thresholds). */
  billingThreshold?: number | null;
}

export interface SubscriptionRecord {
  id: string;
  customerId: string;
  planId: string;
  planCode: string;
  planVersion: number;
  quantity: number;
  status: string;
  anchorAt: Date;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  invoicesIssued: number;
  /** Latest transition into paused / canceled, from the audit trail. */
  pausedAt: Date | null;
  canceledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Unbilled usage (minor units) at which an interim invoice is issued; null: none. */
  billingThreshold: number | null;
}

/** Inserts the row as active; callers run it in the transaction that starts the workflow. */
export async function insertSubscription(db: Db, input: NewSubscriptionInput): Promise<void> {
  await db
    .insertInto('subscriptions')
    .values({
      id: input.id,
      customer_id: input.customerId,
      plan_id: input.planId,
      plan_version: input.planVersion,
      quantity: input.quantity ?? 1,
      status: input.status ?? 'active',
      anchor_at: input.anchorAt,
      ...(input.startedAt !== undefined && { started_at: input.startedAt }),
      billing_threshold: input.billingThreshold ?? null,
    })
    .execute();
  await recordSubscriptionEvent(db, input.id, 'created');
}

function lastTransitionTo(
  eb: ExpressionBuilder<Database & { s: Database['subscriptions'] }, 's'>,
  status: string,
) {
  return eb
    .selectFrom('subscription_transitions as t')
    .select((e) => e.fn.max('t.occurred_at').as('at'))
    .whereRef('t.subscription_id', '=', 's.id')
    .where('t.to_status', '=', status);
}

function selectRecords(db: Db) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select([
      's.id',
      's.customer_id',
      's.plan_id',
      'p.code as plan_code',
      's.plan_version',
      's.quantity',
      's.status',
      's.anchor_at',
      's.current_period_start',
      's.current_period_end',
      's.created_at',
      's.updated_at',
      's.billing_threshold',
    ])
    .select((eb) => [
      eb
        .selectFrom('invoices as i')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('i.subscription_id', '=', 's.id')
        .as('invoices_issued'),
      lastTransitionTo(eb, 'paused').as('paused_at'),
      lastTransitionTo(eb, 'canceled').as('canceled_at'),
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof selectRecords>['executeTakeFirstOrThrow']>>;

function toRecord(row: Row): SubscriptionRecord {
  return {
    id: row.id,
    customerId: row.customer_id,
    planId: row.plan_id,
    planCode: row.plan_code,
    planVersion: row.plan_version,
    quantity: row.quantity,
    status: row.status,
    anchorAt: row.anchor_at,
    currentPeriodStart: row.current_period_start,
    currentPeriodEnd: row.current_period_end,
    invoicesIssued: Number(row.invoices_issued ?? 0),
    pausedAt: row.paused_at ?? null,
    canceledAt: row.canceled_at ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    billingThreshold: row.billing_threshold,
  };
}

export async function getSubscription(db: Db, id: string): Promise<SubscriptionRecord | undefined> {
  const row = await selectRecords(db).where('s.id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

/** Newest first; `startingAfter` is the id of the last subscription of the previous page. */
export async function listSubscriptions(
  db: Db,
  options: { customerId?: string | undefined; limit: number; startingAfter?: string | undefined },
): Promise<{ items: SubscriptionRecord[]; hasMore: boolean }> {
  let query = selectRecords(db);
  if (options.customerId !== undefined)
    query = query.where('s.customer_id', '=', options.customerId);
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    query = query.where(
      sql<boolean>`(s.created_at, s.id) < (select c.created_at, c.id from subscriptions c where c.id = ${cursor})`,
    );
  }
  const rows = await query
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return {
    items: rows.slice(0, options.limit).map(toRecord),
    hasMore: rows.length > options.limit,
  };
}

/** The audit trail of plan-version changes, oldest first. */
export async function listPlanVersionChanges(db: Db, subscriptionId: string) {
  return db
    .selectFrom('subscription_plan_version_changes')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

export interface AppliedChange {
  subscriptionId: string;
  /** The lifecycle's business key: one change recorded per key, whatever the retries. */
  changeKey: string;
  planCode: string;
  planVersion: number;
  quantity: number;
  actor: string;
  reason?: string | undefined;
  occurredAt: string;
}

/**
 * Puts the terms a running workflow now bills on the row (plan, version, quantity) and appends
 * the move to the plan-version audit trail, in one transaction keyed by `changeKey`: false when
 * an earlier attempt already recorded it. An unknown plan code keeps the row's plan.
 */
export async function recordAppliedChange(db: Db, change: AppliedChange): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('subscriptions')
      .select(['plan_id', 'plan_version', 'quantity'])
      .where('id', '=', change.subscriptionId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new Error(`subscription ${change.subscriptionId} does not exist`);
    const recorded = await trx
      .selectFrom('subscription_plan_version_changes')
      .select('id')
      .where('subscription_id', '=', change.subscriptionId)
      .where('change_key', '=', change.changeKey)
      .executeTakeFirst();
    if (recorded) return false;
    const plan = await trx
      .selectFrom('plans')
      .select('id')
      .where('code', '=', change.planCode)
      .executeTakeFirst();
    const planId = plan?.id ?? row.plan_id;
    await trx
      .updateTable('subscriptions')
      .set({
        plan_id: planId,
        plan_version: change.planVersion,
        quantity: change.quantity,
        updated_at: new Date(),
      })
      .where('id', '=', change.subscriptionId)
      .execute();
    await trx
      .insertInto('subscription_plan_version_changes')
      .values({
        subscription_id: change.subscriptionId,
        change_key: change.changeKey,
        from_plan_id: row.plan_id,
        to_plan_id: planId,
        from_version: row.plan_version,
        to_version: change.planVersion,
        from_quantity: row.quantity,
        to_quantity: change.quantity,
        actor: change.actor,
        reason: change.reason ?? null,
        occurred_at: change.occurredAt,
      })
      .execute();
    // Once per change key, in the change's transaction: a retried activity writes no second.
    await recordSubscriptionEvent(trx, change.subscriptionId, 'updated');
    return true;
  });
}
