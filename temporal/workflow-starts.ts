// Starts the workflows the transactional outbox (`workflow_starts`) holds: right after the commit
// that recorded them (the API, best effort) and again from the worker's drainer until Temporal
// has each one. Every start is idempotent (signal-with-start, or a workflow id that is running or
// done), so a start made twice (the API and the drainer at once, a crash before the row was
// marked) is harmless: an already-started error counts as started.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../db/connect.ts';
import type { WorkflowStart } from '../db/database.ts';
import { testClockRefOf } from '../db/repositories/test-clocks.ts';
import {
  claimWorkflowStarts,
  markWorkflowStarted,
  markWorkflowStartFailed,
} from '../db/repositories/workflow-starts.ts';
import type { manualInvoiceWorkflow } from '../workflows/manual-invoice.ts';
import { nudgeCollection } from './collection-start.ts';
import { manualInvoiceStartOptions } from './project-start.ts';

/** A manual invoice's delivery (render, email once): started, or found running or done. */
async function startManualInvoiceDelivery(db: Db, client: Client, invoiceId: string) {
  const customer = await db
    .selectFrom('invoices')
    .innerJoin('customers', 'customers.id', 'invoices.customer_id')
    .select(['customers.id', 'customers.timezone', 'customers.test_clock_id'])
    .where('invoices.id', '=', invoiceId)
    .executeTakeFirstOrThrow();
  const testClock = await testClockRefOf(db, customer.test_clock_id);
  try {
    await client.workflow.start<typeof manualInvoiceWorkflow>(
      'manualInvoiceWorkflow',
      manualInvoiceStartOptions({
        invoiceId,
        customerId: customer.id,
        timezone: customer.timezone,
        ...(testClock && { testClock }),
      }),
    );
  } catch (error) {
    // Delivered already: the workflow completed (its email sent once, by its ledger key).
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** Makes Temporal start (or find) the row's workflow. What the start needs is read now. */
async function startWorkflow(db: Db, client: Client, row: WorkflowStart): Promise<void> {
  const { invoiceId, reason } = row.payload;
  switch (row.kind) {
    case 'manual_invoice_delivery':
      return startManualInvoiceDelivery(db, client, invoiceId);
    case 'collection':
      return nudgeCollection(db, client, invoiceId, reason ?? 'finalized');
  }
}

export interface WorkflowStartSettings {
  /** How long one attempt may take before another worker may try the row. */
  claimMs: number;
  /** The deadline of each Temporal call. */
  timeoutMs: number;
  /** The wait before retrying a failed row: doubling from this, up to maxRetryMs. */
  retryMs: number;
  maxRetryMs: number;
}

export const DEFAULT_WORKFLOW_START_SETTINGS: WorkflowStartSettings = {
  claimMs: 30_000,
  timeoutMs: 10_000,
  retryMs: 1_000,
  maxRetryMs: 60_000,
};

export interface StartOutcome {
  started: number;
  failed: { row: WorkflowStart; error: unknown }[];
}

/**
 * Claims pending rows (the given ones, or those due) and starts their workflows, each under a
 * deadline; a row that fails stays pending with its error and waits longer after each attempt.
 */
export async function startPendingWorkflows(
  db: Db,
  client: Client,
  options: Partial<WorkflowStartSettings> & { ids?: readonly string[]; limit?: number } = {},
): Promise<StartOutcome> {
  const settings = { ...DEFAULT_WORKFLOW_START_SETTINGS, ...options };
  const rows = await claimWorkflowStarts(db, {
    limit: options.limit ?? 100,
    claimMs: settings.claimMs,
    ...(options.ids && { ids: options.ids }),
  });
  const outcome: StartOutcome = { started: 0, failed: [] };
  await Promise.all(
    rows.map(async (row) => {
      try {
        await client.connection.withDeadline(Date.now() + settings.timeoutMs, () =>
          startWorkflow(db, client, row),
        );
        await markWorkflowStarted(db, row.id);
        outcome.started++;
      } catch (error) {
        outcome.failed.push({ row, error });
        const wait = Math.min(settings.retryMs * 2 ** (row.attempts - 1), settings.maxRetryMs);
        await markWorkflowStartFailed(db, row.id, errorChain(error), wait);
      }
    }),
  );
  return outcome;
}

/** An error and its causes, one line: "ServiceError: Failed to start Workflow ← Error: 14 UNAVAILABLE…". */
function errorChain(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  while (e instanceof Error && parts.length < 5) {
    parts.push(`${e.name}: ${e.message}`);
    e = e.cause;
  }
  return parts.length > 0 ? parts.join(' ← ') : JSON.stringify(error);
}

export interface WorkflowStartDrainer {
  /** Resolves when the current pass (if any) is over and no other will begin. */
  stop(): Promise<void>;
}

/**
 * The worker's drainer: every `intervalMs`, starts the due rows (many passes in a row while a
 * backlog lasts). Every worker runs one; claims keep them from doing the same row at once.
 */
export function drainWorkflowStarts(
  db: Db,
  client: Client,
  options: Partial<WorkflowStartSettings> & {
    intervalMs?: number;
    onError?: (error: unknown) => void;
  } = {},
): WorkflowStartDrainer {
  const intervalMs = options.intervalMs ?? 2_000;
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        const outcome = await startPendingWorkflows(db, client, options);
        for (const { row, error } of outcome.failed) {
          options.onError?.(
            new Error(`start of ${row.workflow_id} failed: ${errorChain(error)}`, { cause: error }),
          );
        }
        busy = outcome.started > 0 && outcome.failed.length === 0;
      } catch (error) {
        options.onError?.(error);
      }
      if (!stopped && !busy) await sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
