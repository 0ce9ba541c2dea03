// What the outside world may say to a subscription workflow, shared by the workflow and the API.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Span } from '../domain/subscriptions/billing-cycles.ts';
import type { PlanVersion } from '../domain/catalog/types.ts';
import type { EscalationAction } from '../domain/collections/dunning.ts';
import type { TermsFrom } from '../domain/invoicing/boundary.ts';
import type { Money } from '../domain/core/money.ts';
import type { BillingCycle, BillingPeriod } from '../domain/core/periods.ts';
import type { TestClockRef } from '../workflow-contracts/test-clock.ts';

/**
 * trialing: no invoices until the trial ends; canceled: no further periods (with cancel at
 * period end, the current one runs out first); ended: the last period closed, billing is over.
 */
export type SubscriptionStatus =
  'trialing' | 'active' | 'past_due' | 'paused' | 'canceled' | 'ended';

export interface SubscriptionWorkflowInput {
  subscriptionId: string;
  customerId: string;
  planCode: string;
  planName: string;
  cycle: BillingCycle;
  /** What a whole period's advance charges come to: the headline price for summaries. */
  price: Money;
  /** The pinned plan version, whose charges (flat, per-seat, usage) the workflow bills. */
  plan: PlanVersion;
  /** Seats, for per-seat charges (default 1). */
  quantity?: number;
  /**
   * When billing starts, if later than the cycle's first period (calendar or billing-day
   * anchoring started mid-period): the first period is a stub from here, prorated.
   */
  startAt?: string;
  /** End of the free trial (ISO): the first paid period starts here (the cycle's anchor). */
  trialEnd?: string;
  /** Billed on a test clock (virtual time) instead of real timers: the clock and its instant. */
  testClock?: TestClockRef;
  /** Set only by continue-as-new: where the previous run left off. */
  carried?: CarriedState;
}

/** The compact state carried across continue-as-new; everything else is re-derived. */
export interface CarriedState {
  status: SubscriptionStatus;
  /** Index of the next period to invoice. */
  nextPeriodIndex: number;
  invoicesIssued: number;
  pausedAt?: string;
  /** The period whose advance charges are billed and whose arrears charges are not yet. */
  openPeriod?: Span;
  /** A cancel waiting for the open period to end. */
  cancelAt?: CancelAt;
  canceledAt?: string;
  /** A downgrade waiting for the next boundary. */
  pendingChange?: PendingChange;
  /** The terms in force over the open period, in order (a change mid-period adds one). */
  openTerms?: TermsFrom[];
  /** Invoices whose collection made the subscription past due, and the one that suspended it. */
  overdueInvoices?: string[];
  suspendedBy?: string;
}

export interface SubscriptionState {
  subscriptionId: string;
  status: SubscriptionStatus;
  cycle: BillingCycle;
  /** The period the customer is in now, when active. */
  currentPeriod: BillingPeriod | null;
  /** When the next invoice falls due, when active. */
  nextBillingAt: string | null;
  invoicesIssued: number;
  pausedAt: string | null;
  canceledAt: string | null;
  /** The terms billed now. */
  plan: PlanVersion;
  planVersion: number;
  quantity: number;
  trialEnd: string | null;
  /** The period billed in advance and not yet closed (null before the first and after the last). */
  openPeriod: Span | null;
  /** Set while a cancel at period end waits for the open period to close. */
  cancelAt: CancelAt | null;
  /** A downgrade that applies at the next boundary. */
  pendingChange: PendingChange | null;
  /** The terms in force over the open period, in order: its arrears are billed at each. */
  openTerms: TermsFrom[];
}

export type CancelAt = 'now' | 'period_end';

/** New terms for a running subscription: another plan version, or another quantity, or both. */
export interface PlanChange {
  plan: PlanVersion;
  quantity: number;
}

/** A change waiting for the next boundary, with who asked for it (for the audit trail). */
export interface PendingChange extends PlanChange {
  by?: OperatorAction;
}

export interface OperatorAction {
  /** Who asked (an API key id, "operator:alice"), for the audit trail. */
  actor: string;
  reason?: string;
}

export interface ResumeRequest extends OperatorAction {
  /**
   * keep: billing continues on the original anchor from the next boundary.
   * reset: the anchor moves to the resume instant and a new period is invoiced at once.
   */
  anchor: 'keep' | 'reset';
}

export interface CancelRequest extends OperatorAction {
  /**
   * now (default): the final invoice (usage to date) and a credit note for the unused part of
   * the period's advance charges. period_end: billing stops when the current period closes.
   */
  cancelAt?: CancelAt;
}

export interface ChangeRequest extends OperatorAction, PlanChange {
  /** Default: upgrades now (prorated), downgrades at the next boundary. */
  applyAt?: 'now' | 'period_end';
}

export const pauseUpdate = defineUpdate<SubscriptionState, [OperatorAction]>('pause');
export const resumeUpdate = defineUpdate<SubscriptionState, [ResumeRequest]>('resume');
export const cancelUpdate = defineUpdate<SubscriptionState, [CancelRequest]>('cancel');
export const changeUpdate = defineUpdate<SubscriptionState, [ChangeRequest]>('change');
export const stateQuery = defineQuery<SubscriptionState>('state');

/**
 * What an invoice's collection tells its subscription: the dunning policy's escalation steps
 * (past_due, pause, cancel, each on its day), or settled (paid, void or written off by an
 * operator: back to active when nothing else is overdue, resumed if this invoice paused it).
 */
export interface CollectionNotice {
  invoiceId: string;
  event: EscalationAction | 'settled';
}
export const collectionNoticeSignal = defineSignal<[CollectionNotice]>('collectionNotice');
