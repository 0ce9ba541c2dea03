// The customer-facing half of issuing an invoice, shared by every workflow that issues one
// (subscriptions, projects, manual invoices): render the stored document, start its collection,
// print its PDF on the render task queue, hold the email for the sending window, email it once.
// One pipeline. And the credit notes such a workflow issues itself (unused time on a cancel or a
// change), each emailed once.
import { ActivityFailure, log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { RenderActivities } from '../activities/documents.ts';
import type { InvoiceDeliveryActivities } from '../activities/invoice-delivery.ts';
import { describeSendingTime, nextSendingTime } from '../domain/collections/business-hours.ts';
import type { Money } from '../domain/core/money.ts';
import { localStep, printStep, quickStep } from './activity-options.ts';
import type { WorkflowClock } from './clock.ts';
import { startInvoiceCollection, type CollectionSwitch } from './invoice-collection.ts';

const acts = proxyActivities<InvoiceDeliveryActivities>(quickStep);
/**
 * Rendering the stored HTML and reading the sending window take milliseconds: local activities,
 * with no task of their own on the server (a month-start storm runs one per renewal).
 */
const local =
  proxyLocalActivities<Pick<InvoiceDeliveryActivities, 'renderInvoice' | 'emailSendWindow'>>(
    localStep,
  );
/** On the render task queue: PDFs are printed by workers of their own. */
const render = proxyActivities<RenderActivities>(printStep);

/**
 * Holds an invoice email until the sending window opens in the customer's zone (no wait when no
 * window is configured or it is open), or until `wake()` turns true.
 */
async function holdForBusinessHours(
  clock: WorkflowClock,
  invoiceNumber: string,
  timezone: string,
  wake: () => boolean,
): Promise<void> {
  const window = await local.emailSendWindow.executeWithOptions(
    { summary: 'Read the email sending window' },
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

export interface DeliveryOptions {
  /** Whose invoice, to start its collection (manual invoices: the API starts it). */
  collect?: { customerId: string; subscriptionId?: string; collecting: CollectionSwitch };
  /** Ends the hold for business hours early (a subscription canceled meanwhile). */
  wake?: () => boolean;
}

/**
 * Renders an issued invoice, starts its collection when money is owed, prints its PDF (render
 * queue), then emails it.
 */
export async function deliverInvoice(
  clock: WorkflowClock,
  invoice: { invoiceId: string; number: string; total?: Money },
  timezone: string,
  { collect, wake = () => false }: DeliveryOptions = {},
): Promise<void> {
  const { contentHash } = await local.renderInvoice.executeWithOptions(
    { summary: `Render invoice ${invoice.number}` },
    [{ invoiceId: invoice.invoiceId }],
  );
  // Collected from the moment it is issued and printed once on the render queue, both before
  // the email (which may wait for business hours, and attaches the stored PDF). Side by side:
  // one workflow task starts both, which a month-start storm of renewals feels (docs/SCALING.md).
  const { total } = invoice;
  await Promise.all([
    collect && total && total.amount > 0
      ? startInvoiceCollection(
          { invoiceId: invoice.invoiceId, number: invoice.number, total },
          { customerId: collect.customerId, subscriptionId: collect.subscriptionId, clock },
          collect.collecting,
        )
      : undefined,
    render.printInvoicePdf.executeWithOptions(
      { summary: `Print invoice ${invoice.number} to PDF` },
      [{ invoiceId: invoice.invoiceId, contentHash }],
    ),
  ]);
  await holdForBusinessHours(clock, invoice.number, timezone, wake);
  try {
    await acts.emailInvoice.executeWithOptions(
      { summary: `Email invoice ${invoice.number} to the customer` },
      [{ invoiceId: invoice.invoiceId }],
    );
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('invoice email rejected', { invoiceId: invoice.invoiceId, error: error.message });
  }
}

/**
 * Emails a credit note the workflow issued (unused time credited on a cancel or a change), once:
 * the ledger keys it by credit note, so the credited invoice's collection sends it no second time.
 */
export async function deliverCreditNote(note: { creditNoteId: string; number: string }) {
  try {
    await acts.emailCreditNote.executeWithOptions(
      { summary: `Email credit note ${note.number} to the customer` },
      [{ creditNoteId: note.creditNoteId }],
    );
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('credit note email rejected', {
      creditNoteId: note.creditNoteId,
      error: error.message,
    });
  }
}
