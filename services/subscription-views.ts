// A subscription as callers see it: the stored row, with the workflow's live state over it while
// the workflow runs (the workflow is the source of truth), or the row alone once it has ended.
import type { SubscriptionRecord } from '../db/repositories/subscriptions.ts';
import type { SubscriptionState } from '../workflows/subscription-messages.ts';

export const STATUSES = ['trialing', 'active', 'past_due', 'paused', 'canceled', 'ended'] as const;

function iso(value: Date): string;
function iso(value: Date | null): string | null;
function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

export type Subscription = {
  id: string;
  customerId: string;
  planCode: string;
  planVersion: number;
  quantity: number;
  status: (typeof STATUSES)[number];
  anchorAt: string;
  currentPeriod: { start: string; end: string } | null;
  nextBillingAt: string | null;
  invoicesIssued: number;
  pausedAt: string | null;
  canceledAt: string | null;
  pendingChange: {
    planCode: string;
    planVersion: number;
    quantity: number;
    appliesAt: string | null;
    requestedBy: string;
    reason: string | null;
  } | null;
  /** Unbilled usage (minor units) at which an interim invoice is issued; null: none. */
  billingThreshold: number | null;
  createdAt: string;
};

function asStatus(status: string): Subscription['status'] {
  return (STATUSES as readonly string[]).includes(status)
    ? (status as Subscription['status'])
    : 'active';
}

/** What the database knows: enough once the workflow has ended, and for lists. */
export function fromDatabase(record: SubscriptionRecord): Subscription {
  const status = asStatus(record.status);
  const active = status === 'active';
  return {
    id: record.id,
    customerId: record.customerId,
    planCode: record.planCode,
    planVersion: record.planVersion,
    quantity: record.quantity,
    status,
    anchorAt: iso(record.anchorAt),
    currentPeriod:
      active && record.currentPeriodStart && record.currentPeriodEnd
        ? { start: iso(record.currentPeriodStart), end: iso(record.currentPeriodEnd) }
        : null,
    // Billing is in advance: the next invoice falls at the end of the current period, or at
    // the anchor before the first one.
    nextBillingAt: active ? iso(record.currentPeriodEnd ?? record.anchorAt) : null,
    invoicesIssued: record.invoicesIssued,
    pausedAt: status === 'paused' ? iso(record.pausedAt) : null,
    canceledAt: status === 'canceled' || status === 'ended' ? iso(record.canceledAt) : null,
    pendingChange: null,
    billingThreshold: record.billingThreshold,
    createdAt: iso(record.createdAt),
  };
}

/** The workflow's live state over the stored row: the workflow is the source of truth. */
export function withLiveState(record: SubscriptionRecord, state: SubscriptionState): Subscription {
  return {
    ...fromDatabase(record),
    planCode: state.plan.planCode,
    planVersion: state.planVersion,
    quantity: state.quantity,
    status: state.status,
    // The stored anchor is the first full period's start; a resume with a fresh anchor moves it.
    anchorAt: new Date(
      Math.max(Date.parse(state.cycle.anchor), record.anchorAt.getTime()),
    ).toISOString(),
    currentPeriod: state.currentPeriod && {
      start: state.currentPeriod.start,
      end: state.currentPeriod.end,
    },
    nextBillingAt: state.nextBillingAt,
    invoicesIssued: state.invoicesIssued,
    pausedAt: state.pausedAt,
    canceledAt: state.canceledAt,
    pendingChange: state.pendingChange && {
      planCode: state.pendingChange.plan.planCode,
      planVersion: state.pendingChange.plan.version,
      quantity: state.pendingChange.quantity,
      // A pending change applies as the next period opens.
      appliesAt:
        state.status === 'active' || state.status === 'past_due' ? state.nextBillingAt : null,
      requestedBy: state.pendingChange.by?.actor ?? 'system',
      reason: state.pendingChange.by?.reason ?? null,
    },
  };
}
