// The subscription lifecycle: a plan version's charges (flat, per-seat, usage) billed at each
// boundary on ONE invoice (the advance charges of the period that opens, the arrears charges of
// the one that closes), a free trial, cancel now or at period end with unused time credited, and
// plan or quantity changes; pause, resume and collections' past-due notices at any moment.
// This is the main loop; the run's bookkeeping is in subscription-state.ts, what it answers in
// subscription-handlers.ts and its billing steps in subscription-billing.ts.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { billingPeriod, localDate, periodLabel } from '../domain/core/periods.ts';
import { NextBillingAt } from '../workflow-contracts/search-attributes.ts';
import { workflowClock } from './clock.ts';
import { subscriptionSteps, SYSTEM } from './subscription-billing.ts';
import { registerSubscriptionHandlers } from './subscription-handlers.ts';
import { registerThresholdBilling } from './subscription-thresholds.ts';
import type { SubscriptionState, SubscriptionWorkflowInput } from './subscription-messages.ts';
import { carriedState, startRun, subscriptionState, termsDetails } from './subscription-state.ts';

/** History stays bounded: a run covers at most this many periods, then continues as new. */
const PERIODS_PER_RUN = 12;

export async function subscriptionWorkflow(
  input: SubscriptionWorkflowInput,
): Promise<SubscriptionState> {
  // Production time, or the test clock the customer is billed on.
  const clock = workflowClock(input.testClock);
  const nowIso = () => clock.nowIso();
  const run = startRun(input);
  const steps = subscriptionSteps(run, clock);
  const { transition, invoiceBoundary, finish, applyChangeNow } = steps;
  registerSubscriptionHandlers(run, clock, steps);
  const thresholds = registerThresholdBilling(run, clock);
  const { trialEnd } = run;

  while (run.status !== 'ended') {
    const { cycle } = run;
    if (run.changeNow) {
      await applyChangeNow(run.changeNow);
      continue;
    }
    if (thresholds.waiting()) {
      await thresholds.billNext();
      continue;
    }
    if (run.status === 'trialing') {
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
        () => run.status !== 'trialing',
        `Wait for the trial to end on ${on}`,
      );
      continue;
    }
    if (run.status === 'canceled' && run.cancelAt === 'now') {
      await finish(run.canceledAt ?? nowIso());
      continue;
    }
    if (run.status === 'paused') {
      setCurrentDetails(
        `Paused since ${run.pausedAt}: no invoices until resumed.\n\n${termsDetails(run)}`,
      );
      await clock.waitFor(() => run.status !== 'paused');
      continue;
    }
    const ending = run.status === 'canceled';
    if (ending && !run.openPeriod) {
      await finish(nowIso());
      continue;
    }
    const period = billingPeriod(cycle, run.nextPeriodIndex);
    const boundary = ending ? run.openPeriod!.end : period.start;
    const wait = Date.parse(boundary) - clock.now();
    if (wait <= 0) {
      if (ending) {
        await finish(boundary);
        continue;
      }
      await invoiceBoundary(period);
      run.nextPeriodIndex++;
      run.periodsThisRun++;
      if (run.periodsThisRun >= PERIODS_PER_RUN || workflowInfo().continueAsNewSuggested) break;
      continue;
    }
    const on = `${localDate(boundary, cycle.timezone)} (${cycle.timezone})`;
    upsertSearchAttributes([{ key: NextBillingAt, value: new Date(boundary) }]);
    setCurrentDetails(
      ending
        ? `Canceled: billing ends when the period closes on ${on}.\n\n${termsDetails(run)}`
        : `${run.status === 'past_due' ? 'Past due' : 'Active'}: next invoice ${periodLabel(period, cycle)} on ${on}.\n\n${termsDetails(run)}`,
    );
    const [startStatus, startIndex, startCycle] = [run.status, run.nextPeriodIndex, run.cycle];
    await clock.sleepUntil(
      Date.parse(boundary),
      () =>
        run.status !== startStatus ||
        run.nextPeriodIndex !== startIndex ||
        run.cycle !== startCycle ||
        run.changeNow !== null ||
        thresholds.waiting(),
      ending ? `Wait for the last period to end on ${on}` : `Wait for renewal on ${on}`,
    );
  }

  // Hand over (or end) only once every handler has finished, so no update is lost. A change or
  // a cancel accepted while this run wrapped up waits on work of the main loop: do it here.
  const cancelingNow = () => run.status === 'canceled' && run.cancelAt === 'now';
  for (;;) {
    clock.end(run.status === 'ended' ? 'finished' : 'continuing');
    await condition(
      () =>
        allHandlersFinished() || run.changeNow !== null || cancelingNow() || thresholds.waiting(),
    );
    if (run.changeNow) await applyChangeNow(run.changeNow);
    else if (thresholds.waiting()) await thresholds.billNext();
    else if (cancelingNow()) await finish(run.canceledAt ?? nowIso());
    else break;
  }
  if (run.status === 'ended') {
    setCurrentDetails(`Ended: canceled on ${run.canceledAt}.`);
    return subscriptionState(run, nowIso());
  }
  return continueAsNew<typeof subscriptionWorkflow>({
    ...input,
    cycle: run.cycle,
    plan: run.plan,
    quantity: run.quantity,
    ...(clock.testClockId && { testClock: clock.carry() }),
    carried: carriedState(run),
  });
}
