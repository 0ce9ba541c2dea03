// A subscription run's bookkeeping, with no Temporal API: the state the workflow changes, the
// answer to its query, the terms the Temporal UI shows, the keys of changes, and what a
// continue-as-new carries. The main loop (subscription.ts), the message handlers
// (subscription-handlers.ts) and the billing steps (subscription-billing.ts) share one run.
import type { Span } from '../domain/subscriptions/billing-cycles.ts';
import type { PlanVersion } from '../domain/catalog/types.ts';
import type { TermsFrom } from '../domain/invoicing/boundary.ts';
import { advancePerPeriod } from '../domain/invoicing/period-invoice.ts';
import { toMajorUnitString } from '../domain/core/money.ts';
import {
  billingPeriod,
  periodIndexAt,
  type BillingCycle,
  type BillingPeriod,
} from '../domain/core/periods.ts';
import { changeKey } from '../domain/subscriptions/charges.ts';
import type {
  CancelAt,
  CarriedState,
  OperatorAction,
  PendingChange,
  PlanChange,
  SubscriptionState,
  SubscriptionStatus,
  SubscriptionWorkflowInput,
} from './subscription-messages.ts';

/** A change to apply now, handed from its update handler to the main loop. */
export interface PendingNow {
  change: PlanChange;
  by: OperatorAction;
  at: string;
  /** The change's business key: its instant, numbered when several share one. */
  key: string;
  done: boolean;
}

export interface SubscriptionRun {
  readonly input: SubscriptionWorkflowInput;
  cycle: BillingCycle;
  plan: PlanVersion;
  quantity: number;
  readonly trialEnd: string | null;
  status: SubscriptionStatus;
  nextPeriodIndex: number;
  invoicesIssued: number;
  pausedAt: string | null;
  canceledAt: string | null;
  openPeriod: Span | null;
  cancelAt: CancelAt | null;
  pendingChange: PendingChange | null;
  /** The terms in force over the open period, in order: its arrears are billed at each. */
  openTerms: TermsFrom[];
  /** Invoices whose collection made the subscription past due; the one that suspended it. */
  overdueInvoices: string[];
  suspendedBy: string | null;
  changeNow: PendingNow | null;
  periodsThisRun: number;
  /** Set once the end is recorded: a cancel now answers only then. */
  endRecorded: boolean;
  /** How many changes this run keyed at each instant (keyOfChangeAt). */
  readonly changesAt: Map<string, number>;
}

/** A run as the input starts it: fresh, or where the previous run left off. */
export function startRun(input: SubscriptionWorkflowInput): SubscriptionRun {
  const { carried } = input;
  const trialEnd = input.trialEnd ?? null;
  return {
    input,
    cycle: input.cycle,
    plan: input.plan,
    quantity: input.quantity ?? 1,
    trialEnd,
    status: carried?.status ?? (trialEnd ? 'trialing' : 'active'),
    nextPeriodIndex: carried?.nextPeriodIndex ?? 0,
    invoicesIssued: carried?.invoicesIssued ?? 0,
    pausedAt: carried?.pausedAt ?? null,
    canceledAt: carried?.canceledAt ?? null,
    openPeriod: carried?.openPeriod ?? null,
    cancelAt: carried?.cancelAt ?? null,
    pendingChange: carried?.pendingChange ?? null,
    openTerms: carried?.openTerms ?? [],
    overdueInvoices: carried?.overdueInvoices ?? [],
    suspendedBy: carried?.suspendedBy ?? null,
    changeNow: null,
    periodsThisRun: 0,
    endRecorded: false,
    changesAt: new Map(),
  };
}

/** What the state query and every update answer, as of `now`. */
export function subscriptionState(run: SubscriptionRun, now: string): SubscriptionState {
  const { status, cycle, cancelAt, openPeriod, plan } = run;
  const billingActive = status === 'active' || status === 'past_due';
  return {
    subscriptionId: run.input.subscriptionId,
    status,
    cycle,
    currentPeriod:
      billingActive || (status === 'canceled' && cancelAt === 'period_end')
        ? currentPeriod(run, now)
        : null,
    nextBillingAt:
      status === 'trialing'
        ? run.trialEnd
        : billingActive
          ? billingPeriod(cycle, run.nextPeriodIndex).start
          : status === 'canceled' && cancelAt === 'period_end'
            ? (openPeriod?.end ?? null)
            : null,
    invoicesIssued: run.invoicesIssued,
    pausedAt: run.pausedAt,
    canceledAt: run.canceledAt,
    plan,
    planVersion: plan.version,
    quantity: run.quantity,
    trialEnd: run.trialEnd,
    openPeriod,
    cancelAt,
    pendingChange: run.pendingChange,
    openTerms: run.openTerms,
  };
}

/** The period the customer is in at `now`: a first stub starts when billing did. */
function currentPeriod(run: SubscriptionRun, now: string): BillingPeriod | null {
  const index = periodIndexAt(run.cycle, now);
  if (index < 0) return null;
  const period = billingPeriod(run.cycle, index);
  const from = billedFrom(run, period);
  return from ? { ...period, start: from } : period;
}

/** Where billing of `period` starts: later than its start only for a first, stub period. */
export function billedFrom(run: SubscriptionRun, period: Span): string | undefined {
  const { startAt } = run.input;
  if (!startAt) return undefined;
  const t = Date.parse(startAt);
  return t > Date.parse(period.start) && t < Date.parse(period.end) ? startAt : undefined;
}

/**
 * Changes keyed by instant; two at the same instant (one workflow task, or a frozen test
 * clock) get numbered keys, so the second is billed rather than taken for a retry of the first.
 */
export function keyOfChangeAt(run: SubscriptionRun, at: string): string {
  const seen = run.changesAt.get(at) ?? 0;
  run.changesAt.set(at, seen + 1);
  return seen === 0 ? changeKey(at) : `${changeKey(at)}#${seen + 1}`;
}

/** The terms billed now and any change waiting, for the Temporal UI's current details. */
export function termsDetails(run: SubscriptionRun): string {
  const describe = (terms: PlanChange) => {
    const price = advancePerPeriod(terms);
    return `${terms.plan.planCode} v${terms.plan.version} × ${terms.quantity} (${price.currency} ${toMajorUnitString(price)} in advance per period)`;
  };
  const lines = [`**Plan** ${describe({ plan: run.plan, quantity: run.quantity })}`];
  if (run.pendingChange) {
    lines.push(`**Pending change** to ${describe(run.pendingChange)} at the next boundary`);
  }
  if (run.overdueInvoices.length > 0) {
    lines.push(`**Overdue** ${run.overdueInvoices.join(', ')}`);
  }
  return lines.join('\n\n');
}

/** The compact state the next run starts from (continue-as-new); only what is set. */
export function carriedState(run: SubscriptionRun): CarriedState {
  return {
    status: run.status,
    nextPeriodIndex: run.nextPeriodIndex,
    invoicesIssued: run.invoicesIssued,
    ...(run.pausedAt && { pausedAt: run.pausedAt }),
    ...(run.openPeriod && { openPeriod: run.openPeriod }),
    ...(run.cancelAt && { cancelAt: run.cancelAt }),
    ...(run.canceledAt && { canceledAt: run.canceledAt }),
    ...(run.pendingChange && { pendingChange: run.pendingChange }),
    ...(run.openTerms.length > 0 && { openTerms: run.openTerms }),
    ...(run.overdueInvoices.length > 0 && { overdueInvoices: run.overdueInvoices }),
    ...(run.suspendedBy && { suspendedBy: run.suspendedBy }),
  };
}
