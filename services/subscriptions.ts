// The subscription use cases but a change of terms (services/subscription-changes.ts): creating
// one (its row and its billing workflow, atomically), reading it (the workflow's live state over
// the row) and pause/resume/cancel (workflow updates: the workflow decides which transitions are
// allowed); what it will invoice is priced in subscription-previews.ts. Refusals are thrown as Refused; the workflow's own
// update errors are thrown as Temporal reports them, for the caller to answer.
import {
  QueryNotRegisteredError,
  QueryRejectedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import { DateTime } from 'luxon';
import { newId } from '../db/ids.ts';
import { getCustomer, taxCustomerOf } from '../db/repositories/customers.ts';
import type { InvoiceTaxSettings } from '../db/repositories/invoice-tax.ts';
import type { Db } from '../db/connect.ts';
import { applyCoupon } from '../db/repositories/coupons.ts';
import {
  getPlanByCode,
  getPlanVersion,
  getPlanWithCurrentVersion,
  toCatalogVersion,
} from '../db/repositories/plans.ts';
import {
  getSubscription,
  insertSubscription,
  listSubscriptions as listSubscriptionRecords,
  type SubscriptionRecord,
} from '../db/repositories/subscriptions.ts';
import { getTestClock } from '../db/repositories/test-clocks.ts';
import {
  scheduleCycle,
  type ANCHORINGS,
  type Anchoring,
  type BillingSchedule,
} from '../domain/subscriptions/billing-cycles.ts';
import { advancePerPeriod } from '../domain/invoicing/period-invoice.ts';
import { INTERVALS, periodBoundary, type BillingCycle } from '../domain/core/periods.ts';
import { COVERAGE_START } from '../domain/tax/rate-table/coverage.ts';
import { validateTaxCustomer } from '../domain/tax/validation.ts';
import { subscriptionStartOptions } from '../temporal/subscription-start.ts';
import { subscriptionWorkflowId } from '../workflow-contracts/ids.ts';
import {
  cancelUpdate,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
  type CancelRequest,
  type OperatorAction,
  type ResumeRequest,
  type SubscriptionState,
  type SubscriptionWorkflowInput,
} from '../workflows/subscription-messages.ts';
import type { subscriptionWorkflow } from '../workflows/subscription.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';
import { changeSubscription, type SubscriptionChangeOrder } from './subscription-changes.ts';
import { fromDatabase, withLiveState, type Subscription } from './subscription-views.ts';
import { isTemporalUnavailable } from './temporal-errors.ts';
import { billingThresholdProblem } from '../domain/invoicing/threshold.ts';

export interface SubscriptionDependencies extends ServiceDependencies {
  tax: InvoiceTaxSettings;
}

export interface NewSubscription {
  customerId: string;
  planCode: string;
  quantity?: number | undefined;
  trialDays?: number | undefined;
  startAt?: string | undefined;
  anchoring?: { type: (typeof ANCHORINGS)[number]; day?: number | undefined } | undefined;
  /** Chosen by the caller (an accepted quote), so a retry can only find it; default a new id. */
  id?: string | undefined;
  /** A version other than the current one (the version a quote priced). */
  planVersion?: number | undefined;
  /** Applied to the subscription in its creating transaction, before its first invoice. */
  couponCodes?: readonly string[] | undefined;
  /** Who applies the coupons, for their redemption records. */
  actor?: string | undefined;
  /** Unbilled usage (minor units) at which an interim invoice is issued (thresholds). */
  billingThreshold?: number | undefined;
}

type SubscriptionHandle = WorkflowHandle<typeof subscriptionWorkflow>;

export function handleOf(deps: ServiceDependencies, id: string): SubscriptionHandle {
  return deps.temporal.workflow.getHandle<typeof subscriptionWorkflow>(subscriptionWorkflowId(id));
}

export async function loadSubscription(
  deps: ServiceDependencies,
  id: string,
): Promise<SubscriptionRecord> {
  const record = await getSubscription(deps.db, id);
  if (!record) throw new Refused('not_found', `Subscription ${id} does not exist.`);
  return record;
}

/** The plan at the version asked for, else its current one. */
async function planVersionOf(db: Db, planCode: string, version: number | undefined) {
  if (version === undefined) return getPlanWithCurrentVersion(db, planCode);
  const plan = await getPlanByCode(db, planCode);
  const stored = plan && (await getPlanVersion(db, plan, version));
  return stored && { plan: plan, version: stored };
}

/** The subscription's grid of periods; a bad anchoring is the request's fault. */
function cycleOf(
  schedule: Omit<BillingSchedule, 'anchoring'>,
  anchoring: NewSubscription['anchoring'],
): BillingCycle {
  if (anchoring?.type === 'billing_day' && anchoring.day === undefined) {
    throw new Refused('unprocessable', 'a billing_day anchoring needs a day (1–31)', {
      field: 'anchoring.day',
    });
  }
  const resolved: Anchoring =
    anchoring?.type === 'billing_day'
      ? { type: 'billing_day', day: anchoring.day! }
      : { type: anchoring?.type ?? 'anniversary' };
  try {
    return scheduleCycle({ ...schedule, anchoring: resolved });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new Refused('unprocessable', error.message, { field: 'anchoring' });
    }
    throw error;
  }
}

/**
 * Subscribes a customer to a plan's current version: the row and its billing workflow in one
 * transaction, so the row commits only if the workflow started. Answers the row as stored.
 */
export async function createSubscription(
  deps: SubscriptionDependencies,
  order: NewSubscription,
): Promise<Subscription> {
  const { db } = deps;
  const { customerId, planCode, quantity = 1, startAt, trialDays, anchoring } = order;
  const customer = await getCustomer(db, customerId);
  if (!customer) {
    throw new Refused('unprocessable', `customer ${customerId} does not exist`, {
      field: 'customerId',
    });
  }
  // Clean data, checked again at the start: the seller's registrations may have changed.
  const taxIssues = validateTaxCustomer(taxCustomerOf(customer), deps.tax.seller);
  if (taxIssues.length > 0) {
    throw new Refused(
      'unprocessable',
      `customer ${customerId} cannot be taxed: ${taxIssues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      { field: 'customerId' },
    );
  }
  const thresholdProblem = billingThresholdProblem(order.billingThreshold);
  if (thresholdProblem)
    throw new Refused('unprocessable', thresholdProblem, { field: 'billingThreshold' });
  const current = await planVersionOf(db, planCode, order.planVersion);
  if (!current) {
    throw new Refused('unprocessable', `plan ${planCode} does not exist`, { field: 'planCode' });
  }
  const { plan, version } = current;
  if (version.currency !== customer.currency) {
    throw new Refused(
      'unprocessable',
      `plan ${planCode} is priced in ${version.currency} but customer ${customerId} is billed in ${customer.currency}`,
      { field: 'planCode' },
    );
  }
  const { interval, intervalCount } = version.billingCycle;
  if (!(INTERVALS as readonly string[]).includes(interval)) {
    throw new Error(`plan ${plan.code} has an unknown interval ${interval}`);
  }
  // A customer on a test clock starts on the clock's time, and waits for it to stand still.
  const clock = customer.test_clock_id ? await getTestClock(db, customer.test_clock_id) : undefined;
  if (clock && clock.status !== 'ready') {
    throw new Refused(
      'conflict',
      `The customer's test clock ${clock.id} is ${clock.status}; retry when ready.`,
    );
  }
  const now = clock ? clock.frozen_time.getTime() : Date.now();
  const startMs = startAt === undefined ? now : Date.parse(startAt);
  if (!Number.isFinite(startMs)) {
    throw new Refused('unprocessable', 'must be an ISO 8601 instant with a UTC offset', {
      field: 'startAt',
    });
  }
  // Periods before the tax rates on record could never be invoiced: the workflow would retry
  // its first invoice for ever (and a cancel wait on it).
  if (startMs < Date.parse(COVERAGE_START)) {
    throw new Refused(
      'unprocessable',
      `must not be before ${COVERAGE_START} (tax rates start then)`,
      {
        field: 'startAt',
      },
    );
  }

  const id = order.id ?? newId('sub');
  // With a trial, the first paid period starts (and billing is anchored) when it ends.
  const trialEnd =
    trialDays === undefined
      ? undefined
      : DateTime.fromMillis(startMs, { zone: customer.timezone })
          .plus({ days: trialDays })
          .toUTC()
          .toISO()!;
  // Billing starts when the trial ends (or at the start); the anchoring lays out the periods.
  const billingStart = trialEnd ?? new Date(startMs).toISOString();
  const cycle = cycleOf(
    { interval, intervalCount, timezone: customer.timezone, startAt: billingStart },
    anchoring,
  );
  const anchor = cycle.anchor;
  const input: SubscriptionWorkflowInput = {
    subscriptionId: id,
    customerId,
    planCode: plan.code,
    planName: plan.name,
    cycle,
    ...(anchor !== billingStart && { startAt: billingStart }),
    price: advancePerPeriod({ plan: toCatalogVersion(version), quantity }),
    plan: toCatalogVersion(version),
    quantity,
    ...(trialEnd !== undefined && { trialEnd }),
    ...(clock && { testClock: { id: clock.id, now: new Date(now).toISOString() } }),
  };
  // One transaction: the row commits only if the workflow started. (The workflow's first
  // activities may run before the commit; they retry until the row is visible.)
  await db.transaction().execute(async (trx) => {
    await insertSubscription(trx, {
      id,
      customerId,
      planId: plan.id,
      planVersion: version.version,
      quantity,
      // A first stub period (calendar or billing-day anchoring started mid-grid) is billed
      // from the start; the anchor customers see is the first full period's start.
      anchorAt: Date.parse(billingStart) > Date.parse(anchor) ? periodBoundary(cycle, 1) : anchor,
      ...(trialEnd !== undefined && { status: 'trialing' }),
      startedAt: new Date(startMs).toISOString(),
      // The plan's default unless the subscription sets its own.
      billingThreshold: order.billingThreshold ?? plan.billing_threshold,
    });
    for (const [i, couponCode] of (order.couponCodes ?? []).entries()) {
      const applied = await applyCoupon(trx, {
        customerId,
        subscriptionId: id,
        couponCode,
        createdBy: order.actor ?? 'system',
      });
      if (applied.outcome !== 'applied') {
        throw new Refused(
          'unprocessable',
          `coupon ${couponCode} cannot be applied: ${applied.outcome}`,
          {
            field: `couponCodes[${i}]`,
          },
        );
      }
    }
    try {
      await temporalCall(deps, () =>
        deps.temporal.workflow.start<typeof subscriptionWorkflow>(
          'subscriptionWorkflow',
          subscriptionStartOptions(input),
        ),
      );
    } catch (error) {
      throw new Refused(
        'unavailable',
        'Could not start the subscription’s billing workflow; nothing was created. Retry later.',
        { cause: error },
      );
    }
  });
  return fromDatabase(await loadSubscription(deps, id));
}

/** A page of subscriptions, newest first, as stored. */
export async function listSubscriptions(
  deps: ServiceDependencies,
  query: { customerId?: string | undefined; limit: number; startingAfter?: string | undefined },
): Promise<{ data: Subscription[]; hasMore: boolean }> {
  const page = await listSubscriptionRecords(deps.db, query);
  return { data: page.items.map(fromDatabase), hasMore: page.hasMore };
}

/** The subscription with its workflow's live state; the stored row once the workflow is gone. */
export async function getLiveSubscription(
  deps: ServiceDependencies,
  id: string,
): Promise<Subscription> {
  const record = await loadSubscription(deps, id);
  // A canceled subscription's workflow has ended: the database has the final word.
  if (record.status === 'canceled' || record.status === 'ended') return fromDatabase(record);
  try {
    const handle = handleOf(deps, record.id);
    const state = await temporalCall(deps, () => handle.query(stateQuery));
    return withLiveState(record, state);
  } catch (error) {
    // The workflow is gone (ended and past retention) or cannot answer queries: the row stands.
    if (
      error instanceof WorkflowNotFoundError ||
      error instanceof QueryNotRegisteredError ||
      error instanceof QueryRejectedError
    ) {
      return fromDatabase(record);
    }
    if (isTemporalUnavailable(error)) {
      throw new Refused('unavailable', 'Temporal is unavailable; retry later.', { cause: error });
    }
    throw error;
  }
}

/** Sends one update to the subscription's workflow and answers with the new state. */
async function updateSubscription(
  deps: ServiceDependencies,
  id: string,
  send: (handle: SubscriptionHandle) => Promise<SubscriptionState>,
): Promise<Subscription> {
  await loadSubscription(deps, id);
  const handle = handleOf(deps, id);
  const state = await temporalCall(deps, () => send(handle));
  // Re-read: the transition's activity may already have updated the row.
  return withLiveState(await loadSubscription(deps, id), state);
}

// Pause, resume and cancel: the workflow decides whether the transition is allowed; its refusal
// is thrown as Temporal reports it (an update failure), as is Temporal being unreachable.

export function pauseSubscription(deps: ServiceDependencies, id: string, action: OperatorAction) {
  return updateSubscription(deps, id, (h) => h.executeUpdate(pauseUpdate, { args: [action] }));
}

/** Resumes on the original anchor unless asked to reset it. */
export function resumeSubscription(
  deps: ServiceDependencies,
  id: string,
  { anchor = 'keep', ...action }: OperatorAction & { anchor?: ResumeRequest['anchor'] },
) {
  const resume: ResumeRequest = { ...action, anchor };
  return updateSubscription(deps, id, (h) => h.executeUpdate(resumeUpdate, { args: [resume] }));
}

export function cancelSubscription(deps: ServiceDependencies, id: string, cancel: CancelRequest) {
  return updateSubscription(deps, id, (h) => h.executeUpdate(cancelUpdate, { args: [cancel] }));
}

/** A change of plan, version or quantity (services/subscription-changes.ts), answered as the
 * subscription after it. */
export async function changeSubscriptionTerms(
  deps: ServiceDependencies,
  order: SubscriptionChangeOrder,
): Promise<Subscription> {
  const { record, state } = await changeSubscription(deps, order);
  return withLiveState(record, state);
}

/** A move to another version of the subscription's plan, with its quantity: at the next
 * boundary unless asked for now (a plan edit is not an upgrade to apply at once). */
export function moveSubscriptionToVersion(
  deps: ServiceDependencies,
  order: Omit<SubscriptionChangeOrder, 'planCode' | 'quantity'> & { version: number },
): Promise<Subscription> {
  return changeSubscriptionTerms(deps, { ...order, applyAt: order.applyAt ?? 'period_end' });
}
