// The customer-facing half of issuing an invoice, for workflows that issue one-off invoices
// (projects, manual invoices): render the stored document, hold the email for the sending
// window, email it once. The same activities as the subscription lifecycle, which shares the
// hold for business hours: one pipeline.
import { ActivityFailure, log, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { describeSendingTime, nextSendingTime } from '../domain/collections/business-hours.ts';
import type { Money } from '../domain/core/money.ts';
import type { WorkflowClock } from './clock.ts';
import { startInvoiceCollection, type CollectionSwitch } from './invoice-collection.ts';

const activityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
const acts = proxyActivities<Activities>(activityOptions);

/**
 * Holds an invoice email until the sending window opens in the customer's zone (no wait when no
 * window is configured or it is open), or until `wake()` turns true.
 */
export async function holdForBusinessHours(
  clock: WorkflowClock,
  invoiceNumber: string,
  timezone: string,
  wake: () => boolean,
): Promise<void> {
  const window = await acts.emailSendWindow.executeWithOptions(
    { ...activityOptions, summary: 'Read the email sending window' },
    [],
  );
  if (!window) return;
  const now = clock.nowIso();
  const sendAt = nextSendingTime(now, timezone, window);
  if (sendAt === now) return;
  await clock.sleepUntil(
    Date.parse(sendAt),
    wake,
    `Hold invoice email ${invoiceNumber} until ${describeSendingTime(sendAt, now, timezone)}`,
  );
}

export async function deliverInvoice(
  clock: WorkflowClock,
  invoice: { invoiceId: string; number: string; total?: Money },
  timezone: string,
  /** Whose invoice, to start its collection (manual invoices: the API starts it). */
  collect?: { customerId: string; collecting: CollectionSwitch },
): Promise<void> {
  await acts.renderInvoice.executeWithOptions(
    { ...activityOptions, summary: `Render invoice ${invoice.number}` },
    [{ invoiceId: invoice.invoiceId }],
  );
  // Collected from the moment it is issued, as subscription invoices are.
  const { total } = invoice;
  if (collect && total && total.amount > 0) {
    await startInvoiceCollection(
      { invoiceId: invoice.invoiceId, number: invoice.number, total },
      { customerId: collect.customerId, clock },
      collect.collecting,
    );
  }
  await holdForBusinessHours(clock, invoice.number, timezone, () => false);
  try {
    await acts.emailInvoice.executeWithOptions(
      { ...activityOptions, summary: `Email invoice ${invoice.number} to the customer` },
      [{ invoiceId: invoice.invoiceId }],
    );
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('invoice email rejected', { invoiceId: invoice.invoiceId, error: error.message });
  }
}
