// Threshold billing's message (issue #14): the live balance asks a subscription's workflow to
// bill the usage so far when it crosses the subscription's threshold. An Update, so the answer
// says what happened, and the subscription workflow serializes it with its other invoices.
// Shared by the subscription workflow and the activity that sends it.
import { defineUpdate } from '@temporalio/workflow';

export interface ThresholdInvoiceRequest {
  /** The end of the open period whose usage crossed the threshold. */
  periodEnd: string;
  /** Which interim invoice of the period this is (1, 2, …): its key, so a repeat issues none. */
  sequence: number;
  /** Unbilled usage the balance saw (minor units), for the Temporal UI's summary. */
  unbilled: number;
  currency: string;
}

export interface ThresholdInvoiceAnswer {
  /**
   * issued: the interim invoice exists (created now or by an earlier request with this key);
   * nothing_due: no usage left to bill; stale: the period is no longer open (its end billed it).
   */
  outcome: 'issued' | 'nothing_due' | 'stale';
  invoiceId: string | null;
  number: string | null;
}

export const thresholdInvoiceUpdate = defineUpdate<
  ThresholdInvoiceAnswer,
  [ThresholdInvoiceRequest]
>('billThreshold');
