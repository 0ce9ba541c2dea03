// A manual invoice (POST /v1/invoices), once the operator finalized it: rendered and emailed
// exactly as every other invoice. Started by the finalize request inside its transaction, so the
// first activity waits until the finalized row is visible.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { workflowClock } from './clock.ts';
import { deliverInvoice } from './invoice-delivery.ts';
import type { ManualInvoiceInput } from './manual-invoice-messages.ts';

const { finalizedInvoice } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Bounded: a finalize whose transaction rolled back leaves a draft that never finalizes.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 30,
  },
});

export async function manualInvoiceWorkflow(input: ManualInvoiceInput): Promise<string> {
  const clock = workflowClock(input.testClock);
  const { number } = await finalizedInvoice({ invoiceId: input.invoiceId });
  await deliverInvoice(clock, { invoiceId: input.invoiceId, number }, input.timezone);
  clock.end('finished');
  return number;
}
