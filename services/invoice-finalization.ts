// Finalizing an invoice so that nothing that follows it can be stranded: the tax is computed
// before any lock, the invoice and the workflows that follow it (its delivery, its collection)
// are committed together, the transactional outbox holding the starts, and Temporal is called
// only after the commit. What Temporal cannot do now, the worker's drainer does later. The
// invoice's own refusals (not found, not a draft, cannot be taxed) are thrown as Refused.
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connect.ts';
import { type FinalizeOptions } from '../db/repositories/invoice-finalization.ts';
import { taxDraft } from '../db/repositories/invoice-tax.ts';
import { finalizeInvoice } from '../db/repositories/invoice-finalization.ts';
import { lockInvoice } from '../db/repositories/invoices.ts';
import { invoicesIssued } from '../observability/metrics.ts';
import {
  finalizedInvoiceStarts,
  recordWorkflowStarts,
} from '../db/repositories/workflow-starts.ts';
import {
  DEFAULT_WORKFLOW_START_SETTINGS,
  startPendingWorkflows,
  type WorkflowStartSettings,
} from '../temporal/workflow-starts.ts';
import { refusingAsInvoice } from './invoice-refusals.ts';
import { withLines, type InvoiceWithLines } from './invoices.ts';

export interface FinalizedInvoice extends InvoiceWithLines {
  /** The workflows that follow it and could not be started now: the drainer starts them. */
  deferred: { workflowId: string; error: unknown }[];
}

/**
 * Finalizes the invoice (idempotent) and makes sure its delivery and collection start: recorded
 * in the finalizing transaction, started right after the commit (best effort, under
 * `starts.timeoutMs`), and otherwise by the drainer. Temporal's answer never undoes the commit.
 */
export async function finalizeAndFollow(
  db: Db,
  temporal: Client,
  invoiceId: string,
  options: FinalizeOptions & { starts?: Partial<WorkflowStartSettings> },
): Promise<FinalizedInvoice> {
  const starts = { ...DEFAULT_WORKFLOW_START_SETTINGS, ...options.starts };
  // The draft's tax, without a lock: checked (and only if it changed, computed) under it.
  const { invoice, startIds, finalizedNow } = await refusingAsInvoice(async () => {
    const taxed = await taxDraft(db, invoiceId, options);
    return db.transaction().execute(async (trx) => {
      // Under the row's lock (taken again by finalizeInvoice): whether this call finalizes it.
      const before = await lockInvoice(trx, invoiceId);
      const finalized = await finalizeInvoice(trx, invoiceId, { ...options, taxed });
      const ids = await recordWorkflowStarts(
        trx,
        finalizedInvoiceStarts(finalized),
        starts.claimMs,
      );
      return { invoice: finalized, startIds: ids, finalizedNow: before.status === 'draft' };
    });
  });
  if (finalizedNow) {
    invoicesIssued.inc({ origin: invoice.origin ?? 'manual', currency: invoice.currency });
  }
  let deferred: FinalizedInvoice['deferred'];
  try {
    const outcome = await startPendingWorkflows(db, temporal, { ...starts, ids: startIds });
    deferred = outcome.failed.map(({ row, error }) => ({ workflowId: row.workflow_id, error }));
  } catch (error) {
    // Even the database failing now undoes nothing: the rows are committed, the drainer has them.
    const follow = finalizedInvoiceStarts(invoice);
    deferred = follow.map(({ workflowId }) => ({ workflowId, error }));
  }
  return { ...(await withLines(db, invoice)), deferred };
}
