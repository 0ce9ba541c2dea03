// The customer balance workflow's messages, shared by the workflow, the usage service that
// notifies it and the API that reads it.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BalanceSnapshot } from '../workflow-contracts/balance.ts';

export type {
  BalanceCharge,
  BalanceSnapshot,
  BalanceWallet,
} from '../workflow-contracts/balance.ts';

/** One ingested batch: per metric, how many of its events were stored. Sent once per batch. */
export interface UsageBatch {
  batchId: string;
  events: Record<string, number>;
}

export interface CustomerBalanceState {
  snapshot: BalanceSnapshot | null;
  /** Distinct batches counted since the workflow began (carried across continue-as-new). */
  batches: number;
  /** Stored events per metric notified since the workflow began. */
  events: Record<string, number>;
  /** Batches received but not yet reflected in the snapshot. */
  pending: number;
  /**
   * Changes notified (batches and refreshes) since the workflow began, and how many of them the
   * snapshot reflects: a reader waits for `changesRead` to reach the `changes` it first saw, not
   * for `pending` to be 0, which a steady stream of batches may never let happen.
   */
  changes: number;
  changesRead: number;
}

export interface CustomerBalanceInput {
  customerId: string;
  /** Carried across continue-as-new: recent batch ids (dedup window) and the counters. */
  seenBatches?: string[];
  batches?: number;
  events?: Record<string, number>;
  changes?: number;
}

export const usageRecordedSignal = defineSignal<[UsageBatch]>('usageRecorded');
/** Re-read the balance from PostgreSQL (a period boundary passed). Idempotent. */
export const refreshBalanceSignal = defineSignal<[]>('refreshBalance');
export const balanceQuery = defineQuery<CustomerBalanceState>('balance');
