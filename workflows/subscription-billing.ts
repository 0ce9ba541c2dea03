// The subscription workflow's steps that reach the outside world, each through its activities:
// a status transition, a change of terms recorded, the invoice at a boundary, a change billed
// now, and the final invoice. Each step updates the run it was made for.
import {
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type {
  IssuedPeriodInvoice,
  IssuePeriodInvoiceInput,
  SubscriptionActivities,
} from '../activities/subscriptions.ts';
import { arrearsSegments, boundaryWindows } from '../domain/invoicing/boundary.ts';
import { localDate, periodLabel, type BillingPeriod } from '../domain/core/periods.ts';
import { boundaryKey, finalKey } from '../domain/subscriptions/charges.ts';
import { BillingStatus, NextBillingAt, PlanCode } from '../workflow-contracts/search-attributes.ts';
import { localStep, quickStep } from './activity-options.ts';
import type { WorkflowClock } from './clock.ts';
import type { CollectionSwitch } from './invoice-collection.ts';
import { deliverCreditNote, deliverInvoice } from './invoice-delivery.ts';
import type { OperatorAction, PlanChange, SubscriptionStatus } from './subscription-messages.ts';
import { billedFrom, type PendingNow, type SubscriptionRun } from './subscription-state.ts';

const billing = proxyActivities<SubscriptionActivities>(quickStep);
/** A transition is one row written: a local activity, no task of its own on the server. */
const rows = proxyLocalActivities<Pick<SubscriptionActivities, 'recordTransition'>>(localStep);

export const SYSTEM: OperatorAction = { actor: 'system' };

export type SubscriptionSteps = ReturnType<typeof subscriptionSteps>;

export function subscriptionSteps(run: SubscriptionRun, clock: WorkflowClock) {
  const { subscriptionId, customerId } = run.input;
  const nowIso = () => clock.nowIso();
  /** Each open invoice gets its collection; whether collections are on is read once a run. */
  const collecting: CollectionSwitch = {};

  /** Moves to a new status: audit row in PostgreSQL, search attribute for the Temporal UI. */
  async function transition(
    to: SubscriptionStatus,
    by: OperatorAction,
    anchorAt?: string,
  ): Promise<void> {
    const from = run.status;
    run.status = to;
    upsertSearchAttributes([{ key: BillingStatus, value: to }]);
    if (to !== 'active' && to !== 'past_due') {
      upsertSearchAttributes([{ key: NextBillingAt, value: null }]);
    }
    await rows.recordTransition.executeWithOptions(
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

  /** Bills from now on at `change`'s terms (the row follows in recordChange). */
  function adopt(change: PlanChange): void {
    run.plan = change.plan;
    run.quantity = change.quantity;
    run.pendingChange = null;
    upsertSearchAttributes([{ key: PlanCode, value: run.plan.planCode }]);
  }

  /** Issues one invoice (and credit notes) by business key, then renders and emails them. */
  async function issue(
    summary: string,
    request: Omit<IssuePeriodInvoiceInput, 'subscriptionId' | 'customerId' | 'timezone'>,
  ): Promise<IssuedPeriodInvoice> {
    const issued = await billing.issuePeriodInvoice.executeWithOptions({ summary }, [
      { subscriptionId, customerId, timezone: run.cycle.timezone, ...request },
    ]);
    const { invoice } = issued;
    if (invoice) {
      await deliverInvoice(clock, invoice, run.cycle.timezone, {
        collect: { customerId, subscriptionId, collecting },
        wake: () => run.status === 'canceled',
      });
      run.invoicesIssued++;
    }
    for (const note of issued.creditNotes) await deliverCreditNote(note);
    return issued;
  }

  /** The boundary opening `period`: its advance charges and the closing period's arrears. */
  async function invoiceBoundary(period: BillingPeriod): Promise<void> {
    const closing = run.openPeriod;
    const history = run.openTerms;
    if (run.pendingChange) {
      // A downgrade (or a change asked for period end) takes effect as the new period opens;
      // the closing period's arrears are still billed at the terms in force over it.
      const applied = run.pendingChange;
      adopt(applied);
      await recordChange(applied, applied.by ?? SYSTEM, boundaryKey(period.start), period.start);
    }
    const label = `${periodLabel(period, run.cycle)} ${period.index === 0 && !closing ? 'first period' : 'renewal'}`;
    const stubFrom = closing ? undefined : billedFrom(run, period);
    const opening = { start: period.start, end: period.end };
    await issue(
      `Invoice ${label}${stubFrom ? `, prorated from ${localDate(stubFrom, run.cycle.timezone)}` : ''}`,
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
          terms: { plan: run.plan, quantity: run.quantity },
        }),
      },
    );
    run.openPeriod = opening;
    run.openTerms = [{ from: stubFrom ?? period.start, plan: run.plan, quantity: run.quantity }];
  }

  /** The last invoice: arrears to `at` and the unused advance credited; then billing ends. */
  async function finish(at: string): Promise<void> {
    const closing = run.openPeriod;
    if (closing) {
      const early = Date.parse(at) < Date.parse(closing.end);
      await issue(`Final invoice on ${localDate(at, run.cycle.timezone)}`, {
        billingKey: finalKey(closing.start),
        issuedAt: at,
        couponPeriod: closing,
        arrears: { period: closing, segments: arrearsSegments(closing, run.openTerms, at) },
        ...(early && { creditUnused: { period: closing, from: at } }),
      });
      run.openPeriod = null;
      run.openTerms = [];
    }
    await transition('ended', SYSTEM);
    run.endRecorded = true;
  }

  /** An upgrade (or a change asked for now): unused old terms credited, new terms charged. */
  async function applyChangeNow(pending: PendingNow): Promise<void> {
    const period = run.openPeriod;
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
      run.openTerms = [...run.openTerms, { from: at, ...change }];
    }
    adopt(pending.change);
    await recordChange(pending.change, pending.by, pending.key, pending.at);
    pending.done = true;
    run.changeNow = null;
  }

  return { transition, recordChange, adopt, invoiceBoundary, finish, applyChangeNow };
}
