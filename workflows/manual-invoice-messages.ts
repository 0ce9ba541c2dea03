// The manual invoice workflow's id and input, shared by the workflow, the API and test clocks.
import type { TestClockRef } from './clock.ts';

export interface ManualInvoiceInput {
  invoiceId: string;
  /** The customer's zone, for the email sending window. */
  timezone: string;
  testClock?: TestClockRef;
}

export function manualInvoiceWorkflowId(invoiceId: string): string {
  return `invoice-${invoiceId}`;
}
