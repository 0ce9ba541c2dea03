// A manual invoice (POST /v1/invoices), once the operator finalized it: rendered and emailed
// exactly as every other invoice. Started by the finalize request inside its transaction, so the
// first activity waits until the finalized row is visible.
import { proxyActivities } from '@temporalio/workflow';
import type { ManualInvoiceActivities } from '../activities/manual-invoices.ts';
import { awaitCommit } from './activity-options.ts';
import { workflowClock } from './clock.ts';
import { deliverInvoice } from './invoice-delivery.ts';
import type { ManualInvoiceInput } from './manual-invoice-messages.ts';

const { finalizedInvoice } = proxyActivities<ManualInvoiceActivities>(awaitCommit);

export async function manualInvoiceWorkflow(input: ManualInvoiceInput): Promise<string> {
  const clock = workflowClock(input.testClock);
  const { number } = await finalizedInvoice({ invoiceId: input.invoiceId });
  await deliverInvoice(clock, { invoiceId: input.invoiceId, number }, input.timezone);
  clock.end('finished');
  return number;
}
