// What a subscription workflow answers: its state query; the pause, resume, cancel and change
// updates, each with a validator that rejects an impossible transition before it reaches
// history; and the notices of its invoices' collections.
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { advancePerPeriod } from '../domain/invoicing/period-invoice.ts';
import { periodIndexAt } from '../domain/core/periods.ts';
import { INVALID_TRANSITION } from '../workflow-contracts/names.ts';
import type { WorkflowClock } from './clock.ts';
import type { SubscriptionSteps } from './subscription-billing.ts';
import {
  cancelUpdate,
  changeUpdate,
  collectionNoticeSignal,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
  type CancelRequest,
  type ChangeRequest,
  type CollectionNotice,
  type OperatorAction,
  type PlanChange,
  type ResumeRequest,
  type SubscriptionStatus,
} from './subscription-messages.ts';
import {
  keyOfChangeAt,
  subscriptionState,
  type PendingNow,
  type SubscriptionRun,
} from './subscription-state.ts';

function rejected(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: INVALID_TRANSITION, message, nonRetryable: true });
}

/** Drops undefined fields: workflow arguments go through JSON and must not depend on them. */
function actionOf(request: OperatorAction): OperatorAction {
  return { actor: request.actor, ...(request.reason !== undefined && { reason: request.reason }) };
}

export function registerSubscriptionHandlers(
  run: SubscriptionRun,
  clock: WorkflowClock,
  { transition, recordChange, adopt }: SubscriptionSteps,
): void {
  const nowIso = () => clock.nowIso();
  const currentState = () => subscriptionState(run, nowIso());

  function requireStatus(action: string, ...expected: SubscriptionStatus[]): void {
    if (!expected.includes(run.status)) {
      throw rejected(`cannot ${action} a subscription that is ${run.status}`);
    }
  }

  setHandler(stateQuery, currentState);

  setHandler(
    pauseUpdate,
    async (by) => {
      run.pausedAt = nowIso();
      await transition('paused', by);
      return currentState();
    },
    { validator: (_by: OperatorAction) => requireStatus('pause', 'active', 'past_due') },
  );

  setHandler(
    resumeUpdate,
    async (request) => {
      const now = nowIso();
      if (request.anchor === 'reset') {
        run.cycle = { ...run.cycle, anchor: now };
        run.nextPeriodIndex = 0;
      } else {
        run.nextPeriodIndex = Math.max(run.nextPeriodIndex, periodIndexAt(run.cycle, now) + 1);
      }
      run.pausedAt = null;
      run.suspendedBy = null;
      await transition('active', request, request.anchor === 'reset' ? now : undefined);
      return currentState();
    },
    { validator: (_request: ResumeRequest) => requireStatus('resume', 'paused') },
  );

  setHandler(
    cancelUpdate,
    async (request) => {
      run.canceledAt = nowIso();
      // Nothing runs on in a trial or a pause: those end now whatever was asked.
      run.cancelAt =
        run.status === 'active' || run.status === 'past_due' ? (request.cancelAt ?? 'now') : 'now';
      await transition('canceled', request);
      // Cancel now answers once the final invoice and credit note are out.
      // (once the end is recorded too: nothing of it is left running when the answer goes out).
      if (run.cancelAt === 'now') await condition(() => run.endRecorded);
      return currentState();
    },
    {
      validator: (_request: CancelRequest) =>
        requireStatus('cancel', 'trialing', 'active', 'past_due', 'paused'),
    },
  );

  setHandler(
    changeUpdate,
    async (request) => {
      const change: PlanChange = { plan: request.plan, quantity: request.quantity };
      const upgrade =
        advancePerPeriod(change).amount >=
        advancePerPeriod({ plan: run.plan, quantity: run.quantity }).amount;
      const applyAt = request.applyAt ?? (upgrade ? 'now' : 'period_end');
      const by = actionOf(request);
      if (run.status === 'trialing' || !run.openPeriod) {
        // Nothing billed yet: the new terms simply apply from the first paid period.
        adopt(change);
        const at = nowIso();
        await recordChange(change, by, keyOfChangeAt(run, at), at);
      } else if (applyAt === 'period_end') {
        run.pendingChange = { ...change, by };
      } else {
        const at = nowIso();
        const pending: PendingNow = { change, by, at, key: keyOfChangeAt(run, at), done: false };
        run.changeNow = pending;
        await condition(() => pending.done);
      }
      return currentState();
    },
    {
      validator: (request: ChangeRequest) => {
        requireStatus('change', 'trialing', 'active', 'past_due');
        if (run.changeNow) throw rejected('another change is being applied');
        const { plan } = run;
        if (request.plan.currency !== plan.currency) {
          throw rejected(
            `the new plan is priced in ${request.plan.currency}, not ${plan.currency}`,
          );
        }
        const a = request.plan.billingCycle;
        const b = plan.billingCycle;
        if (a.interval !== b.interval || a.intervalCount !== b.intervalCount) {
          throw rejected('a change of billing interval is not supported; cancel and subscribe');
        }
        if (!Number.isInteger(request.quantity) || request.quantity < 1) {
          throw rejected('quantity must be a positive integer');
        }
      },
    },
  );

  /**
   * What an invoice's collection says, step by step as its dunning policy escalates: past due,
   * paused, canceled (also when an earlier step paused it; an operator's own pause stands); back
   * to active once nothing is overdue, or resumed when the invoice that paused it is settled.
   */
  async function onCollectionNotice({ invoiceId, event }: CollectionNotice) {
    const by = (reason: string): OperatorAction => ({ actor: 'collections', reason });
    const unpaid = by(`invoice ${invoiceId} is still unpaid`);
    if (event === 'past_due') {
      if (!run.overdueInvoices.includes(invoiceId)) {
        run.overdueInvoices = [...run.overdueInvoices, invoiceId];
      }
      if (run.status === 'active') {
        await transition('past_due', by(`invoice ${invoiceId} is overdue`));
      }
    } else if (event === 'pause') {
      if (run.status !== 'active' && run.status !== 'past_due') return;
      run.pausedAt = nowIso();
      run.suspendedBy = invoiceId;
      await transition('paused', unpaid);
    } else if (event === 'cancel') {
      const pausedByCollections = run.status === 'paused' && run.suspendedBy !== null;
      if (run.status !== 'active' && run.status !== 'past_due' && !pausedByCollections) return;
      run.canceledAt = nowIso();
      run.cancelAt = 'now';
      await transition('canceled', unpaid);
    } else {
      run.overdueInvoices = run.overdueInvoices.filter((id) => id !== invoiceId);
      const settled = by(`invoice ${invoiceId} is settled`);
      if (run.status === 'paused' && run.suspendedBy === invoiceId) {
        run.nextPeriodIndex = Math.max(run.nextPeriodIndex, periodIndexAt(run.cycle, nowIso()) + 1);
        run.pausedAt = null;
        run.suspendedBy = null;
        await transition(run.overdueInvoices.length > 0 ? 'past_due' : 'active', settled);
      } else if (run.status === 'past_due' && run.overdueInvoices.length === 0) {
        await transition('active', settled);
      }
    }
  }
  setHandler(collectionNoticeSignal, onCollectionNotice);
}
