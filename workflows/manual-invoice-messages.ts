import type { TestClockRef } from '../workflow-contracts/test-clock.ts';
// The manual invoice workflow's id and input, shared by the workflow, the API and test clocks.

export interface ManualInvoiceInput {
  invoiceId: string;
  /** The customer's zone, for the email sending window. */
  timezone: string;
  testClock?: TestClockRef;
}
