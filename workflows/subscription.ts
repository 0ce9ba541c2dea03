// One long-lived workflow per subscription: invoice each period as it opens, wait for the next
// boundary on an interruptible timer, and obey pause, resume and cancel at any moment.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { describeSendingTime, nextSendingTime } from '../domain/business-hours.ts';
import { toDecimalString } from '../domain/money.ts';
import {
  billingPeriod,
  localDate,
  periodIndexAt,
  periodLabel,
  type BillingCycle,
  type BillingPeriod,
} from '../domain/periods.ts';
import { BillingStatus, NextBillingAt } from '../temporal/search-attributes.ts';
import {
  cancelUpdate,
  INVALID_TRANSITION,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
  type OperatorAction,
  type ResumeRequest,
  type SubscriptionState,
  type SubscriptionStatus,
  type SubscriptionWorkflowInput,
} from './subscription-messages.ts';
import { subscriptionLifecycle } from './subscription-lifecycle.ts';

const activityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  // Billing must happen eventually: keep retrying transient faults with capped backoff.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
const billing = proxyActivities<Activities>(activityOptions);

/** History stays bounded: a run covers at most this many periods, then continues as new. */
const PERIODS_PER_RUN = 12;

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

export async function subscriptionWorkflow(
  input: SubscriptionWorkflowInput,
): Promise<SubscriptionState> {
  // Workflows started (or continued as new) since the lifecycle shipped bill plan versions;
  // histories of the first version have no marker here and replay the flat-price loop below.
  if (patched('subscription-lifecycle')) return subscriptionLifecycle(input);
  const { subscriptionId, price } = input;
  let cycle: BillingCycle = input.cycle;
  let status: SubscriptionStatus = input.carried?.status ?? 'active';
  let nextPeriodIndex = input.carried?.nextPeriodIndex ?? 0;
  let invoicesIssued = input.carried?.invoicesIssued ?? 0;
  let pausedAt: string | null = input.carried?.pausedAt ?? null;
  let canceledAt: string | null = null;
  let periodsThisRun = 0;
  const amount = `${price.currency} ${toDecimalString(price)}`;

  function currentState(): SubscriptionState {
    const active = status === 'active';
    const current = active ? periodIndexAt(cycle, nowIso()) : null;
    return {
      subscriptionId,
      status,
      cycle,
      currentPeriod: current !== null && current >= 0 ? billingPeriod(cycle, current) : null,
      nextBillingAt: active ? billingPeriod(cycle, nextPeriodIndex).start : null,
      invoicesIssued,
      pausedAt,
      canceledAt,
    };
  }

  function requireStatus(action: string, expected: SubscriptionStatus): void {
    if (status !== expected) {
      throw ApplicationFailure.create({
        type: INVALID_TRANSITION,
        message: `cannot ${action} a subscription that is ${status}`,
        nonRetryable: true,
      });
    }
  }

  /** Moves to a new status: audit row in PostgreSQL, search attribute for the Temporal UI. */
  async function transition(
    to: SubscriptionStatus,
    by: OperatorAction,
    anchorAt?: string,
  ): Promise<void> {
    const from = status;
    status = to;
    upsertSearchAttributes([{ key: BillingStatus, value: to }]);
    if (to !== 'active') upsertSearchAttributes([{ key: NextBillingAt, value: null }]);
    await billing.recordTransition.executeWithOptions(
      { ...activityOptions, summary: `Record ${from} → ${to} by ${by.actor}` },
      [
        {
          subscriptionId,
          from,
          to,
          actor: by.actor,
          reason: by.reason,
          occurredAt: nowIso(),
          // uuid4() is replay-safe: the same key on every replay of this transition.
          idempotencyKey: `${subscriptionId}/transition/${uuid4()}`,
          ...(anchorAt ? { anchorAt } : {}),
        },
      ],
    );
  }

  setHandler(stateQuery, currentState);

  setHandler(
    pauseUpdate,
    async (by) => {
      pausedAt = nowIso();
      await transition('paused', by);
      return currentState();
    },
    { validator: (_by: OperatorAction) => requireStatus('pause', 'active') },
  );

  setHandler(
    resumeUpdate,
    async (request) => {
      const now = nowIso();
      if (request.anchor === 'reset') {
        // A fresh anchor: a new period starts now and is invoiced at once.
        cycle = { ...cycle, anchor: now };
        nextPeriodIndex = 0;
      } else {
        // Same anchor: the periods spent paused are not billed; billing resumes at the next
        // boundary after now, unless the one we stopped before is still ahead.
        nextPeriodIndex = Math.max(nextPeriodIndex, periodIndexAt(cycle, now) + 1);
      }
      pausedAt = null;
      await transition('active', request, request.anchor === 'reset' ? now : undefined);
      return currentState();
    },
    { validator: (_request: ResumeRequest) => requireStatus('resume', 'paused') },
  );

  setHandler(
    cancelUpdate,
    async (by) => {
      canceledAt = nowIso();
      await transition('canceled', by);
      return currentState();
    },
    {
      validator: (_by: OperatorAction) => {
        if (status === 'canceled') requireStatus('cancel', 'active');
      },
    },
  );

  /**
   * Waits until the operator's sending window opens in the customer's zone (EMAIL_SEND_WINDOW),
   * so a 02:00 invoice lands at 09:00. A cancel ends the wait: the invoice still goes out, now.
   */
  async function holdForBusinessHours(invoiceNumber: string): Promise<void> {
    const window = await billing.emailSendWindow.executeWithOptions(
      { ...activityOptions, summary: 'Read the email sending window' },
      [],
    );
    if (!window) return;
    const now = nowIso();
    const sendAt = nextSendingTime(now, cycle.timezone, window);
    if (sendAt === now) return;
    await condition(() => status === 'canceled', Date.parse(sendAt) - Date.now(), {
      summary: `Hold invoice email ${invoiceNumber} until ${describeSendingTime(sendAt, now, cycle.timezone)}`,
    });
  }

  async function invoicePeriod(period: BillingPeriod): Promise<void> {
    const label = `${periodLabel(period, cycle)} ${period.index === 0 ? 'first period' : 'renewal'}`;
    const issued = await billing.issueSubscriptionInvoice.executeWithOptions(
      { ...activityOptions, summary: `Invoice ${label}, ${amount}` },
      [{ subscriptionId, customerId: input.customerId, planName: input.planName, period, price }],
    );
    await billing.renderInvoice.executeWithOptions(
      { ...activityOptions, summary: `Render invoice ${issued.number}` },
      [{ invoiceId: issued.invoiceId }],
    );
    // Histories recorded before business hours existed have no window read here.
    if (patched('email-business-hours')) await holdForBusinessHours(issued.number);
    try {
      await billing.emailInvoice.executeWithOptions(
        { ...activityOptions, summary: `Email invoice ${issued.number} to the customer` },
        [{ invoiceId: issued.invoiceId }],
      );
    } catch (error) {
      // A rejected address must not stop billing: the invoice stands and the operator resends.
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('invoice email rejected', { invoiceId: issued.invoiceId, error: error.message });
    }
    invoicesIssued++;
  }

  while (status !== 'canceled') {
    if (status === 'paused') {
      setCurrentDetails(`Paused since ${pausedAt}: no invoices until resumed.`);
      await condition(() => status !== 'paused');
      continue;
    }
    const period = billingPeriod(cycle, nextPeriodIndex);
    const wait = Date.parse(period.start) - Date.now();
    if (wait <= 0) {
      await invoicePeriod(period);
      nextPeriodIndex++;
      periodsThisRun++;
      if (periodsThisRun >= PERIODS_PER_RUN || workflowInfo().continueAsNewSuggested) break;
      continue;
    }
    const on = `${localDate(period.start, cycle.timezone)} (${cycle.timezone})`;
    upsertSearchAttributes([{ key: NextBillingAt, value: new Date(period.start) }]);
    setCurrentDetails(`Active: next invoice ${periodLabel(period, cycle)}, ${amount}, on ${on}.`);
    const startIndex = nextPeriodIndex;
    const startCycle = cycle;
    // Interruptible: an operator action wakes the loop at once instead of after the sleep.
    await condition(
      () => status !== 'active' || nextPeriodIndex !== startIndex || cycle !== startCycle,
      wait,
      { summary: `Wait for renewal on ${on}` },
    );
  }

  // Let in-flight updates finish before this run ends, so none is lost.
  await condition(allHandlersFinished);
  if (status === 'canceled') {
    setCurrentDetails(`Canceled on ${canceledAt}.`);
    return currentState();
  }
  return continueAsNew<typeof subscriptionWorkflow>({
    ...input,
    cycle,
    carried: {
      status,
      nextPeriodIndex,
      invoicesIssued,
      ...(pausedAt ? { pausedAt } : {}),
    },
  });
}
