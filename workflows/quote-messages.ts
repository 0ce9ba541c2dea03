// What the outside world may say to a quote's workflow, shared by the workflow and the API.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { QuoteAnswer } from '../domain/quotes/terms.ts';
import type { TestClockRef } from '../workflow-contracts/test-clock.ts';

export interface QuoteWorkflowInput {
  quoteId: string;
  customerId: string;
  /** Q-2027-000001: for summaries and refusals. */
  number: string;
  /** Null for a project quote. */
  planCode: string | null;
  /** What acceptance starts; absent (histories before project quotes): a subscription. */
  describes?: 'subscription' | 'project';
  /** ISO 8601 instant: the quote may be answered up to and including it. */
  validUntil: string;
  testClock?: TestClockRef;
}

export interface QuoteWorkflowState {
  /** "answering" while an accepted quote's subscription is being started. */
  status: 'open' | 'answering' | 'accepted' | 'declined' | 'expired';
  /** The subscription an acceptance started. */
  subscriptionId: string | null;
  /** The project an acceptance of a project quote started. */
  projectId?: string | null;
  /** Why the accepted quote's subscription could not be started (the operator was told). */
  startRefused: string | null;
}

/** The customer accepts or declines, through the signed link; refused once the quote is closed. */
export const answerQuoteUpdate = defineUpdate<QuoteWorkflowState, [QuoteAnswer]>('answerQuote');
export const quoteStateQuery = defineQuery<QuoteWorkflowState>('quoteState');
