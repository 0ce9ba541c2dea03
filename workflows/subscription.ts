// The subscription lifecycle: a plan version's charges (flat, per-seat, usage) billed at each
// boundary on ONE invoice (the advance charges of the period that opens, the arrears charges of
// the one that closes), a free trial, cancel now or at period end with unused time credited, and
// plan or quantity changes; pause, resume and collections' past-due notices at any moment.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  IssuedPeriodInvoice,
  IssuePeriodInvoiceInput,
  SubscriptionActivities,
} from '../activities/subscriptions.ts';
import type { Span } from '../domain/billing-cycles.ts';
import { boundaryWindows, arrearsSegments, type TermsFrom } from '../domain/invoicing/boundary.ts';
import { advancePerPeriod } from '../domain/invoicing/period-invoice.ts';
import { toDecimalString } from '../domain/money.ts';
import {
  billingPeriod,
  localDate,
  periodIndexAt,
  periodLabel,
  type BillingCycle,
  type BillingPeriod,
} from '../domain/periods.ts';
import { boundaryKey, changeKey, finalKey } from '../domain/subscription-charges.ts';
import { BillingStatus, NextBillingAt, PlanCode } from '../temporal/search-attributes.ts';
import {
  cancelUpdate,
  changeUpdate,
  collectionNoticeSignal,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
  type CancelAt,
  type CancelRequest,
  type ChangeRequest,
  type CollectionNotice,
  type OperatorAction,
  type PendingChange,
  type PlanChange,
  type ResumeRequest,
  type SubscriptionState,
  type SubscriptionStatus,
  type SubscriptionWorkflowInput,
} from './subscription-messages.ts';
import { quickStep } from './activity-options.ts';
import { workflowClock } from './clock.ts';
import type { CollectionSwitch } from './invoice-collection.ts';
import { deliverInvoice } from './invoice-delivery.ts';
import { INVALID_TRANSITION } from '../workflow-contracts/names.ts';

const billing = proxyActivities<SubscriptionActivities>(quickStep);

/** History stays bounded: a run covers at most this many periods, then continues as new. */
const PERIODS_PER_RUN = 12;
const SYSTEM: OperatorAction = { actor: 'system' };

function rejected(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: INVALID_TRANSITION, message, nonRetryable: true });
}

interface PendingNow {
  change: PlanChange;
  by: OperatorAction;
  at: string;
  /** The change's business key: its instant, numbered when several share one. */
  key: string;
  done: boolean;
}

/** Drops undefined fields: workflow arguments go through JSON and must not depend on them. */
function actionOf(request: OperatorAction): OperatorAction {
  return { actor: request.actor, ...(request.reason !== undefined && { reason: request.reason }) };
}

export async function subscriptionWorkflow(
  input: SubscriptionWorkflowInput,
): Promise<SubscriptionState> {
  const { subscriptionId, customerId, carried } = input;
  // Production time, or the test clock the customer is billed on.
  const clock = workflowClock(input.testClock);
  const nowIso = () => clock.nowIso();
  let cycle: BillingCycle = input.cycle;
  let plan = input.plan;
  let quantity = input.quantity ?? 1;
  const trialEnd = input.trialEnd ?? null;
  let status: SubscriptionStatus = carried?.status ?? (trialEnd ? 'trialing' : 'active');
  let nextPeriodIndex = carried?.nextPeriodIndex ?? 0;
  let invoicesIssued = carried?.invoicesIssued ?? 0;
  let pausedAt: string | null = carried?.pausedAt ?? null;
  let canceledAt: string | null = carried?.canceledAt ?? null;
  let openPeriod: Span | null = carried?.openPeriod ?? null;
  let cancelAt: CancelAt | null = carried?.cancelAt ?? null;
  let pendingChange: PendingChange | null = carried?.pendingChange ?? null;
  /** The terms in force over the open period, in order: its arrears are billed at each. */
  let openTerms: TermsFrom[] = carried?.openTerms ?? [];
  /** Invoices whose collection made the subscription past due; the one that suspended it. */
  let overdueInvoices: string[] = carried?.overdueInvoices ?? [];
  let suspendedBy: string | null = carried?.suspendedBy ?? null;
  /** A change to apply now, handed from its update handler to the main loop. */
  let changeNow: PendingNow | null = null;
  let periodsThisRun = 0;
  let endRecorded = false;

  function currentState(): SubscriptionState {
    const billingActive = status === 'active' || status === 'past_due';
    return {
      subscriptionId,
      status,
      cycle,
      currentPeriod:
        billingActive || (status === 'canceled' && cancelAt === 'period_end')
          ? currentPeriod()
          : null,
      nextBillingAt:
        status === 'trialing'
          ? trialEnd
          : billingActive
            ? billingPeriod(cycle, nextPeriodIndex).start
            : status === 'canceled' && cancelAt === 'period_end'
              ? (openPeriod?.end ?? null)
              : null,
      invoicesIssued,
      pausedAt,
      canceledAt,
      plan,
      planVersion: plan.version,
      quantity,
      trialEnd,
      openPeriod,
      cancelAt,
      pendingChange,
      openTerms,
    };
  }

  /** The period the customer is in now: a first stub starts when billing did. */
  function currentPeriod(): BillingPeriod | null {
    const index = periodIndexAt(cycle, nowIso());
    if (index < 0) return null;
    const period = billingPeriod(cycle, index);
    const from = billedFrom(period);
    return from ? { ...period, start: from } : period;
  }

  function requireStatus(action: string, ...expected: SubscriptionStatus[]): void {
    if (!expected.includes(status)) {
      throw rejected(`cannot ${action} a subscription that is ${status}`);
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
    if (to !== 'active' && to !== 'past_due') {
      upsertSearchAttributes([{ key: NextBillingAt, value: null }]);
    }
    await billing.recordTransition.executeWithOptions(
      { summary: `Record ${from} → ${to} by ${by.actor}` },
      [
        {
          subscriptionId,
          from,
          to,
          actor: by.actor,
          reason: by.reason,
          occurredAt: nowIso(),
          idempotencyKey: `${subscriptionId}/transition/${uuid4()}`,
          ...(anchorAt ? { anchorAt } : {}),
        },
      ],
    );
  }

  /** Puts the terms now billed on the subscription's row, with an audit row, once per key. */
  async function recordChange(
    change: PlanChange,
    by: OperatorAction,
    changeKey: string,
    at: string,
  ): Promise<void> {
    await billing.recordSubscriptionChange.executeWithOptions(
      {
        summary: `Record ${change.plan.planCode} v${change.plan.version} × ${change.quantity} by ${by.actor}`,
      },
      [
        {
          subscriptionId,
          changeKey,
          planCode: change.plan.planCode,
          planVersion: change.plan.version,
          quantity: change.quantity,
          actor: by.actor,
          ...(by.reason !== undefined && { reason: by.reason }),
          occurredAt: at,
        },
      ],
    );
  }

  setHandler(stateQuery, currentState);

  /** The terms billed now and any change waiting, for the Temporal UI's current details. */
  function termsDetails(): string {
    const describe = (terms: PlanChange) => {
      const price = advancePerPeriod(terms);
      return `${terms.plan.planCode} v${terms.plan.version} × ${terms.quantity} (${price.currency} ${toDecimalString(price)} in advance per period)`;
    };
    const lines = [`**Plan** ${describe({ plan, quantity })}`];
    if (pendingChange) {
      lines.push(`**Pending change** to ${describe(pendingChange)} at the next boundary`);
    }
    if (overdueInvoices.length > 0) lines.push(`**Overdue** ${overdueInvoices.join(', ')}`);
    return lines.join('\n\n');
  }

  /**
   * Changes keyed by instant; two at the same instant (one workflow task, or a frozen test
   * clock) get numbered keys, so the second is billed rather than taken for a retry of the first.
   */
  const changesAt = new Map<string, number>();
  function keyOfChangeAt(at: string): string {
    const seen = changesAt.get(at) ?? 0;
    changesAt.set(at, seen + 1);
    return seen === 0 ? changeKey(at) : `${changeKey(at)}#${seen + 1}`;
  }

  setHandler(
    pauseUpdate,
    async (by) => {
      pausedAt = nowIso();
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
        cycle = { ...cycle, anchor: now };
        nextPeriodIndex = 0;
      } else {
        nextPeriodIndex = Math.max(nextPeriodIndex, periodIndexAt(cycle, now) + 1);
      }
      pausedAt = null;
      suspendedBy = null;
      await transition('active', request, request.anchor === 'reset' ? now : undefined);
      return currentState();
    },
    { validator: (_request: ResumeRequest) => requireStatus('resume', 'paused') },
  );

  setHandler(
    cancelUpdate,
    async (request) => {
      canceledAt = nowIso();
      // Nothing runs on in a trial or a pause: those end now whatever was asked.
      cancelAt = status === 'active' || status === 'past_due' ? (request.cancelAt ?? 'now') : 'now';
      await transition('canceled', request);
      // Cancel now answers once the final invoice and credit note are out.
      // (once the end is recorded too: nothing of it is left running when the answer goes out).
      if (cancelAt === 'now') await condition(() => endRecorded);
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
        advancePerPeriod(change).amount >= advancePerPeriod({ plan, quantity }).amount;
      const applyAt = request.applyAt ?? (upgrade ? 'now' : 'period_end');
      const by = actionOf(request);
      if (status === 'trialing' || !openPeriod) {
        // Nothing billed yet: the new terms simply apply from the first paid period.
        plan = change.plan;
        quantity = change.quantity;
        pendingChange = null;
        upsertSearchAttributes([{ key: PlanCode, value: plan.planCode }]);
        const at = nowIso();
        await recordChange(change, by, keyOfChangeAt(at), at);
      } else if (applyAt === 'period_end') {
        pendingChange = { ...change, by };
      } else {
        const at = nowIso();
        const pending: PendingNow = { change, by, at, key: keyOfChangeAt(at), done: false };
        changeNow = pending;
        await condition(() => pending.done);
      }
      return currentState();
    },
    {
      validator: (request: ChangeRequest) => {
        requireStatus('change', 'trialing', 'active', 'past_due');
        if (changeNow) throw rejected('another change is being applied');
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
      if (!overdueInvoices.includes(invoiceId)) overdueInvoices = [...overdueInvoices, invoiceId];
      if (status === 'active') await transition('past_due', by(`invoice ${invoiceId} is overdue`));
    } else if (event === 'pause') {
      if (status !== 'active' && status !== 'past_due') return;
      pausedAt = nowIso();
      suspendedBy = invoiceId;
      await transition('paused', unpaid);
    } else if (event === 'cancel') {
      const pausedByCollections = status === 'paused' && suspendedBy !== null;
      if (status !== 'active' && status !== 'past_due' && !pausedByCollections) return;
      canceledAt = nowIso();
      cancelAt = 'now';
      await transition('canceled', unpaid);
    } else {
      overdueInvoices = overdueInvoices.filter((id) => id !== invoiceId);
      const settled = by(`invoice ${invoiceId} is settled`);
      if (status === 'paused' && suspendedBy === invoiceId) {
        nextPeriodIndex = Math.max(nextPeriodIndex, periodIndexAt(cycle, nowIso()) + 1);
        pausedAt = null;
        suspendedBy = null;
        await transition(overdueInvoices.length > 0 ? 'past_due' : 'active', settled);
      } else if (status === 'past_due' && overdueInvoices.length === 0) {
        await transition('active', settled);
      }
    }
  }
  setHandler(collectionNoticeSignal, onCollectionNotice);

  /** Each open invoice gets its collection; whether collections are on is read once a run. */
  const collecting: CollectionSwitch = {};

  /** Issues one invoice (and credit note) by business key, then renders and emails it. */
  async function issue(
    summary: string,
    request: Omit<IssuePeriodInvoiceInput, 'subscriptionId' | 'customerId' | 'timezone'>,
  ): Promise<IssuedPeriodInvoice> {
    const issued = await billing.issuePeriodInvoice.executeWithOptions({ summary }, [
      { subscriptionId, customerId, timezone: cycle.timezone, ...request },
    ]);
    const { invoice } = issued;
    if (!invoice) return issued;
    await deliverInvoice(clock, invoice, cycle.timezone, {
      collect: { customerId, subscriptionId, collecting },
      wake: () => status === 'canceled',
    });
    invoicesIssued++;
    return issued;
  }

  /** Where billing of `period` starts: later than its start only for a first, stub period. */
  function billedFrom(period: Span): string | undefined {
    const { startAt } = input;
    if (!startAt) return undefined;
    const t = Date.parse(startAt);
    return t > Date.parse(period.start) && t < Date.parse(period.end) ? startAt : undefined;
  }

  /** The boundary opening `period`: its advance charges and the closing period's arrears. */
  async function invoiceBoundary(period: BillingPeriod): Promise<void> {
    const closing = openPeriod;
    const history = openTerms;
    if (pendingChange) {
      // A downgrade (or a change asked for period end) takes effect as the new period opens;
      // the closing period's arrears are still billed at the terms in force over it.
      const applied = pendingChange;
      plan = applied.plan;
      quantity = applied.quantity;
      pendingChange = null;
      upsertSearchAttributes([{ key: PlanCode, value: plan.planCode }]);
      await recordChange(applied, applied.by ?? SYSTEM, boundaryKey(period.start), period.start);
    }
    const label = `${periodLabel(period, cycle)} ${period.index === 0 && !closing ? 'first period' : 'renewal'}`;
    const stubFrom = closing ? undefined : billedFrom(period);
    const opening = { start: period.start, end: period.end };
    await issue(
      `Invoice ${label}${stubFrom ? `, prorated from ${localDate(stubFrom, cycle.timezone)}` : ''}`,
      {
        billingKey: boundaryKey(period.start),
        issuedAt: stubFrom ?? period.start,
        couponPeriod: opening,
        ...boundaryWindows({
          closing,
          history,
          // A resume with a fresh anchor cuts the closing period short.
          until:
            closing && Date.parse(period.start) < Date.parse(closing.end)
              ? period.start
              : undefined,
          opening,
          openingFrom: stubFrom,
          terms: { plan, quantity },
        }),
      },
    );
    openPeriod = opening;
    openTerms = [{ from: stubFrom ?? period.start, plan, quantity }];
  }

  /** The last invoice: arrears to `at` and the unused advance credited; then billing ends. */
  async function finish(at: string): Promise<void> {
    const closing = openPeriod;
    if (closing) {
      const early = Date.parse(at) < Date.parse(closing.end);
      await issue(`Final invoice on ${localDate(at, cycle.timezone)}`, {
        billingKey: finalKey(closing.start),
        issuedAt: at,
        couponPeriod: closing,
        arrears: { period: closing, segments: arrearsSegments(closing, openTerms, at) },
        ...(early && { creditUnused: { period: closing, from: at } }),
      });
      openPeriod = null;
      openTerms = [];
    }
    await transition('ended', SYSTEM);
    endRecorded = true;
  }

  /** An upgrade (or a change asked for now): unused old terms credited, new terms charged. */
  async function applyChangeNow(pending: PendingNow) {
    const period = openPeriod;
    if (period) {
      const { change, at } = pending;
      await issue(
        `Change to ${change.plan.planCode} v${change.plan.version} × ${change.quantity}`,
        {
          billingKey: pending.key,
          issuedAt: at,
          couponPeriod: period,
          advance: { period, from: at, terms: change },
          creditUnused: { period, from: at },
        },
      );
      // The old terms' arrears run to here; the new terms' from here (billed at the boundary).
      openTerms = [...openTerms, { from: at, ...change }];
    }
    plan = pending.change.plan;
    quantity = pending.change.quantity;
    pendingChange = null;
    upsertSearchAttributes([{ key: PlanCode, value: plan.planCode }]);
    await recordChange(pending.change, pending.by, pending.key, pending.at);
    pending.done = true;
    changeNow = null;
  }

  while (status !== 'ended') {
    if (changeNow) {
      await applyChangeNow(changeNow);
      continue;
    }
    if (status === 'trialing') {
      const wait = Date.parse(trialEnd!) - clock.now();
      if (wait <= 0) {
        await transition('active', { ...SYSTEM, reason: 'trial ended' });
        continue;
      }
      const on = `${localDate(trialEnd!, cycle.timezone)} (${cycle.timezone})`;
      upsertSearchAttributes([{ key: NextBillingAt, value: new Date(trialEnd!) }]);
      setCurrentDetails(`Trialing: the first paid period starts on ${on}.`);
      await clock.sleepUntil(
        Date.parse(trialEnd!),
        () => status !== 'trialing',
        `Wait for the trial to end on ${on}`,
      );
      continue;
    }
    if (status === 'canceled' && cancelAt === 'now') {
      await finish(canceledAt ?? nowIso());
      continue;
    }
    if (status === 'paused') {
      setCurrentDetails(
        `Paused since ${pausedAt}: no invoices until resumed.\n\n${termsDetails()}`,
      );
      await clock.waitFor(() => status !== 'paused');
      continue;
    }
    const ending = status === 'canceled';
    if (ending && !openPeriod) {
      await finish(nowIso());
      continue;
    }
    const period = billingPeriod(cycle, nextPeriodIndex);
    const boundary = ending ? openPeriod!.end : period.start;
    const wait = Date.parse(boundary) - clock.now();
    if (wait <= 0) {
      if (ending) {
        await finish(boundary);
        continue;
      }
      await invoiceBoundary(period);
      nextPeriodIndex++;
      periodsThisRun++;
      if (periodsThisRun >= PERIODS_PER_RUN || workflowInfo().continueAsNewSuggested) break;
      continue;
    }
    const on = `${localDate(boundary, cycle.timezone)} (${cycle.timezone})`;
    upsertSearchAttributes([{ key: NextBillingAt, value: new Date(boundary) }]);
    setCurrentDetails(
      ending
        ? `Canceled: billing ends when the period closes on ${on}.\n\n${termsDetails()}`
        : `${status === 'past_due' ? 'Past due' : 'Active'}: next invoice ${periodLabel(period, cycle)} on ${on}.\n\n${termsDetails()}`,
    );
    const [startStatus, startIndex, startCycle] = [status, nextPeriodIndex, cycle];
    await clock.sleepUntil(
      Date.parse(boundary),
      () =>
        status !== startStatus ||
        nextPeriodIndex !== startIndex ||
        cycle !== startCycle ||
        changeNow !== null,
      ending ? `Wait for the last period to end on ${on}` : `Wait for renewal on ${on}`,
    );
  }

  // Hand over (or end) only once every handler has finished, so no update is lost. A change or
  // a cancel accepted while this run wrapped up waits on work of the main loop: do it here.
  const cancelingNow = () => status === 'canceled' && cancelAt === 'now';
  for (;;) {
    clock.end(status === 'ended' ? 'finished' : 'continuing');
    await condition(() => allHandlersFinished() || changeNow !== null || cancelingNow());
    if (changeNow) await applyChangeNow(changeNow);
    else if (cancelingNow()) await finish(canceledAt ?? nowIso());
    else break;
  }
  if (status === 'ended') {
    setCurrentDetails(`Ended: canceled on ${canceledAt}.`);
    return currentState();
  }
  return continueAsNew<typeof subscriptionWorkflow>({
    ...input,
    cycle,
    plan,
    quantity,
    ...(clock.testClockId && { testClock: clock.carry() }),
    carried: {
      status,
      nextPeriodIndex,
      invoicesIssued,
      ...(pausedAt && { pausedAt }),
      ...(openPeriod && { openPeriod }),
      ...(cancelAt && { cancelAt }),
      ...(canceledAt && { canceledAt }),
      ...(pendingChange && { pendingChange }),
      ...(openTerms.length > 0 && { openTerms }),
      ...(overdueInvoices.length > 0 && { overdueInvoices }),
      ...(suspendedBy && { suspendedBy }),
    },
  });
}
