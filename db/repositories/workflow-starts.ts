// The transactional outbox of workflow starts. A row is written in the same transaction as what
// it follows (a finalized invoice), so the start can never be lost by a crash or a Temporal
// outage after the commit; it is claimed for a while before each attempt (committed at once, so
// no lock is held while Temporal is called) and marked started when Temporal has the workflow.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { Database, WorkflowStart, WorkflowStartKind } from '../database.ts';
import { newId } from '../ids.ts';
import { collectionWorkflowId, manualInvoiceWorkflowId } from '../../workflow-contracts/ids.ts';

export interface NewWorkflowStart {
  kind: WorkflowStartKind;
  workflowId: string;
  payload: { invoiceId: string; reason?: string };
}

/** The outbox rows that follow a finalized invoice: its delivery (manual), its collection. */
export function finalizedInvoiceStarts(invoice: {
  id: string;
  origin: string | null;
  status: string;
}): NewWorkflowStart[] {
  return [
    ...(invoice.origin === 'manual'
      ? [
          {
            kind: 'manual_invoice_delivery' as const,
            workflowId: manualInvoiceWorkflowId(invoice.id),
            payload: { invoiceId: invoice.id },
          },
        ]
      : []),
    ...(invoice.status === 'open' || invoice.status === 'partially_paid'
      ? [
          {
            kind: 'collection' as const,
            workflowId: collectionWorkflowId(invoice.id),
            payload: { invoiceId: invoice.id, reason: 'finalized' },
          },
        ]
      : []),
  ];
}

/**
 * Records starts in the caller's transaction, claimed by that caller for `claimMs` (it starts
 * them itself right after its commit; the drainer takes over if it cannot). One row per (kind,
 * workflow): recording it again adds nothing. Returns the ids of the rows to start.
 */
export async function recordWorkflowStarts(
  trx: Transaction<Database>,
  starts: readonly NewWorkflowStart[],
  claimMs: number,
): Promise<string[]> {
  if (starts.length === 0) return [];
  const inserted = await trx
    .insertInto('workflow_starts')
    .values(
      starts.map((start) => ({
        id: newId('wfs'),
        kind: start.kind,
        workflow_id: start.workflowId,
        payload: JSON.stringify(start.payload),
        next_attempt_at: sql<Date>`now() + make_interval(secs => ${claimMs / 1000})`,
      })),
    )
    .onConflict((oc) => oc.columns(['kind', 'workflow_id']).doNothing())
    .returning('id')
    .execute();
  if (inserted.length === starts.length) return inserted.map((r) => r.id);
  // Recorded before (a repeated finalization): those still pending are started again now.
  const pending = await trx
    .selectFrom('workflow_starts')
    .select('id')
    .where(
      'workflow_id',
      'in',
      starts.map((s) => s.workflowId),
    )
    .where('started_at', 'is', null)
    .execute();
  return pending.map((r) => r.id);
}

/**
 * Claims pending starts for `claimMs` and counts the attempt: the ones due (the drainer), or the
 * given ones whether due or not (their writer, right after its commit). SKIP LOCKED lets workers
 * side by side split the rows; the claim commits before anyone calls Temporal.
 */
export async function claimWorkflowStarts(
  db: Db,
  options: { limit: number; claimMs: number; ids?: readonly string[] },
): Promise<WorkflowStart[]> {
  if (options.ids?.length === 0) return [];
  return db
    .updateTable('workflow_starts')
    .set({
      attempts: sql<number>`attempts + 1`,
      next_attempt_at: sql<Date>`now() + make_interval(secs => ${options.claimMs / 1000})`,
    })
    .where('id', 'in', (eb) => {
      let pending = eb
        .selectFrom('workflow_starts')
        .select('id')
        .where('started_at', 'is', null)
        .orderBy('next_attempt_at')
        .limit(options.limit)
        .forUpdate()
        .skipLocked();
      pending = options.ids
        ? pending.where('id', 'in', options.ids)
        : pending.where('next_attempt_at', '<=', sql<Date>`now()`);
      return pending;
    })
    .returningAll()
    .execute();
}

export async function markWorkflowStarted(db: Db, id: string): Promise<void> {
  await db
    .updateTable('workflow_starts')
    .set({ started_at: sql<Date>`now()`, last_error: null })
    .where('id', '=', id)
    .where('started_at', 'is', null)
    .execute();
}

/** Keeps the row pending, with why it failed, for another attempt after `retryInMs`. */
export async function markWorkflowStartFailed(
  db: Db,
  id: string,
  error: string,
  retryInMs: number,
): Promise<void> {
  await db
    .updateTable('workflow_starts')
    .set({
      last_error: error.slice(0, 2000),
      next_attempt_at: sql<Date>`now() + make_interval(secs => ${retryInMs / 1000})`,
    })
    .where('id', '=', id)
    .where('started_at', 'is', null)
    .execute();
}

/** Starts not yet made, oldest first: what operators and tests look at. */
export async function pendingWorkflowStarts(db: Db): Promise<WorkflowStart[]> {
  return db
    .selectFrom('workflow_starts')
    .selectAll()
    .where('started_at', 'is', null)
    .orderBy('created_at')
    .execute();
}
