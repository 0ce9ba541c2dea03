// Changing what a running subscription is billed: another plan, another version of its plan,
// another quantity, now (prorated) or at the next boundary. One use case for every caller: the
// API's /change and /plan-version, and the plan-migration activity. The subscription's workflow
// decides and bills (credit note and invoice now, or the new terms from the next boundary); this
// module finds the terms, skips a move already made or already pending, and sends the update.
import type { Db } from '../db/connect.ts';
import { getPlanByCode, getPlanVersion, toCatalogVersion } from '../db/repositories/plans.ts';
import { getSubscription, type SubscriptionRecord } from '../db/repositories/subscriptions.ts';
import type { PlanVersion } from '../domain/catalog/types.ts';
import {
  changeUpdate,
  stateQuery,
  type ChangeRequest,
  type SubscriptionState,
} from '../workflows/subscription-messages.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';
import { subscriptionWorkflowId } from '../workflow-contracts/ids.ts';

export interface SubscriptionChangeOrder {
  subscriptionId: string;
  /** Another plan; default: the plan the subscription is billed on now. */
  planCode?: string | undefined;
  /** A version of that plan; default: its current version when `planCode` is given, else the
   * version billed now. */
  version?: number | undefined;
  /**
   * Seats; default: the quantity billed now, or, for a change at period end, the quantity a
   * pending change already asked for (a seat downgrade waiting for the boundary stands).
   */
  quantity?: number | undefined;
  /** Default: the workflow's rule (upgrades now, downgrades at the next boundary). */
  applyAt?: 'now' | 'period_end' | undefined;
  actor: string;
  reason?: string | undefined;
  /**
   * A stable id for this request (a migration's per-subscription key): the workflow update's id,
   * so the same request sent twice to a run is applied once.
   */
  requestId?: string | undefined;
}

export interface SubscriptionChangeResult {
  /** sent: the workflow accepted the change; unchanged: already billed, or already pending. */
  outcome: 'sent' | 'unchanged';
  record: SubscriptionRecord;
  state: SubscriptionState;
}

function sameTerms(a: { plan: PlanVersion; quantity: number }, b: typeof a): boolean {
  return (
    a.plan.planCode === b.plan.planCode &&
    a.plan.version === b.plan.version &&
    a.quantity === b.quantity
  );
}

/** The plan version asked for; refused (naming the field) when it does not exist. */
async function targetVersion(
  db: Db,
  record: SubscriptionRecord,
  order: SubscriptionChangeOrder,
): Promise<PlanVersion | undefined> {
  if (order.planCode === undefined && order.version === undefined) return undefined;
  const code = order.planCode ?? record.planCode;
  const plan = await getPlanByCode(db, code);
  if (!plan)
    throw new Refused('unprocessable', `plan ${code} does not exist`, { field: 'planCode' });
  const number = order.version ?? plan.current_version;
  const version = await getPlanVersion(db, plan, number);
  if (!version) {
    throw new Refused('unprocessable', `plan ${code} has no version ${number}`, {
      field: 'version',
    });
  }
  return toCatalogVersion(version);
}

/** The subscription's live state, from its workflow. */
export async function subscriptionState(
  deps: ServiceDependencies,
  subscriptionId: string,
): Promise<SubscriptionState> {
  const handle = deps.temporal.workflow.getHandle(subscriptionWorkflowId(subscriptionId));
  return temporalCall(deps, () => handle.query(stateQuery));
}

/**
 * Asks the subscription's workflow to bill new terms. Refused before Temporal is asked for an
 * unknown subscription, one whose billing has ended, or unknown terms; the workflow's own
 * refusal (another currency or interval, a paused subscription) comes back as its update error.
 */
export async function changeSubscription(
  deps: ServiceDependencies,
  order: SubscriptionChangeOrder,
): Promise<SubscriptionChangeResult> {
  const { db } = deps;
  const { subscriptionId: id } = order;
  const record = await getSubscription(db, id);
  if (!record) throw new Refused('not_found', `Subscription ${id} does not exist.`);
  if (record.status === 'canceled' || record.status === 'ended') {
    throw new Refused('conflict', `Subscription ${id} is ${record.status}.`);
  }
  const plan = await targetVersion(db, record, order);
  const state = await subscriptionState(deps, id);
  const pending = state.pendingChange;
  const quantity =
    order.quantity ??
    (order.applyAt === 'period_end' && pending ? pending.quantity : state.quantity);
  const next = { plan: plan ?? state.plan, quantity };
  // Nothing to send when billed already, or already waiting for the boundary (unless asked for
  // now: the pending move is then made at once).
  const unchanged = pending
    ? order.applyAt !== 'now' && sameTerms(pending, next)
    : sameTerms(state, next);
  if (unchanged) {
    return { outcome: 'unchanged', record, state };
  }
  const request: ChangeRequest = {
    actor: order.actor,
    ...next,
    ...(order.applyAt !== undefined && { applyAt: order.applyAt }),
    ...(order.reason !== undefined && { reason: order.reason }),
  };
  const handle = deps.temporal.workflow.getHandle(subscriptionWorkflowId(id));
  const after = await temporalCall(deps, () =>
    handle.executeUpdate(changeUpdate, {
      args: [request],
      ...(order.requestId !== undefined && { updateId: order.requestId }),
    }),
  );
  // Re-read: a change applied now has already put the new terms on the row.
  return { outcome: 'sent', record: (await getSubscription(db, id)) ?? record, state: after };
}
