// What the outside world may say to a subscription workflow, shared by the workflow and the API.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Money } from '../domain/money.ts';
import type { BillingCycle, BillingPeriod } from '../domain/periods.ts';

export type SubscriptionStatus = 'active' | 'paused' | 'canceled';

export interface SubscriptionWorkflowInput {
  subscriptionId: string;
  customerId: string;
  planCode: string;
  planName: string;
  cycle: BillingCycle;
  /** The plan's flat recurring charge, billed in advance at each period start. */
  price: Money;
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

export const pauseUpdate = defineUpdate<SubscriptionState, [OperatorAction]>('pause');
export const resumeUpdate = defineUpdate<SubscriptionState, [ResumeRequest]>('resume');
export const cancelUpdate = defineUpdate<SubscriptionState, [OperatorAction]>('cancel');
export const stateQuery = defineQuery<SubscriptionState>('state');

/** ApplicationFailure type of a rejected update: the request conflicts with the state. */
export const INVALID_TRANSITION = 'InvalidTransition';

export function subscriptionWorkflowId(subscriptionId: string): string {
  return `subscription-${subscriptionId}`;
}
