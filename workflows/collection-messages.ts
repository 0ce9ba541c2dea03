// What the outside world may say to an invoice's collection workflow, shared by the workflow,
// the subscription workflow that starts it, and the API.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import {
  CollectionStatus,
  CustomerId,
  InvoiceId,
  SubscriptionId,
  TestClockId,
} from '../workflow-contracts/search-attributes.ts';
import type { TestClockRef } from '../workflow-contracts/test-clock.ts';
import { collectionWorkflowId } from '../workflow-contracts/ids.ts';
import type { CollectionStatus as Status } from '../domain/collections/dunning.ts';

export interface CollectionInput {
  invoiceId: string;
  customerId: string;
  /** The subscription the invoice bills, which hears when it is overdue or settled. */
  subscriptionId?: string;
  /** Collected on a test clock (virtual time): the clock and its instant. */
  testClock?: TestClockRef;
}

export interface CollectionState {
  invoiceId: string;
  status: Status;
  amountDue: number;
  currency: string;
  remindersSent: number;
  /** The next scheduled action and its instant, or null when none is left. */
  nextAction: { key: string; at: string } | null;
  /** Milliseconds the schedule was moved later by disputes. */
  pausedForMs: number;
  ended: boolean;
}

/**
 * "Something changed in the database: look again." Payments, disputes, resolutions, a void or a
 * write-off are written by the API first; the workflow reads the invoice when it wakes, so a
 * lost signal only delays what the next timer would find anyway.
 */
export const collectionChangedSignal = defineSignal<[string]>('collectionChanged');
export const collectionStateQuery = defineQuery<CollectionState>('collectionState');

/**
 * What every start of a collection shares, from the subscription workflow (a child) or the API
 * (a client): the id, the search attributes finance filters by, and the summary on top.
 */
export function collectionStartFields(
  input: CollectionInput,
  invoice: { number: string; total: string },
) {
  return {
    workflowId: collectionWorkflowId(input.invoiceId),
    args: [input] as [CollectionInput],
    typedSearchAttributes: [
      { key: InvoiceId, value: input.invoiceId },
      { key: CustomerId, value: input.customerId },
      { key: CollectionStatus, value: 'open' },
      ...(input.subscriptionId ? [{ key: SubscriptionId, value: input.subscriptionId }] : []),
      ...(input.testClock ? [{ key: TestClockId, value: input.testClock.id }] : []),
    ],
    staticSummary: `Collect invoice ${invoice.number}, ${invoice.total}`,
  };
}
