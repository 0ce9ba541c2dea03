// Starts a finalized manual invoice's delivery workflow (render, email) from inside the
// finalizing transaction: if Temporal cannot be reached, the transaction rolls back and the
// invoice stays a draft (503), so no invoice is numbered and never sent.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database, Invoice } from '../../db/database.ts';
import { getTestClock } from '../../db/repositories/test-clocks.ts';
import { manualInvoiceStartOptions } from '../../temporal/project-start.ts';
import type { manualInvoiceWorkflow } from '../../workflows/manual-invoice.ts';
import { withTemporalDeadline } from '../plugins/temporal.ts';
import { serviceUnavailable } from '../problem.ts';

export async function startManualInvoiceDelivery(
  app: FastifyInstance,
  trx: Transaction<Database>,
  invoice: Invoice,
): Promise<void> {
  const customer = await trx
    .selectFrom('customers')
    .select(['id', 'timezone', 'test_clock_id'])
    .where('id', '=', invoice.customer_id)
    .executeTakeFirstOrThrow();
  const clock = customer.test_clock_id
    ? await getTestClock(app.db, customer.test_clock_id)
    : undefined;
  try {
    await withTemporalDeadline(app, () =>
      app.temporal.workflow.start<typeof manualInvoiceWorkflow>(
        'manualInvoiceWorkflow',
        manualInvoiceStartOptions({
          invoiceId: invoice.id,
          customerId: customer.id,
          timezone: customer.timezone,
          ...(clock && { testClock: { id: clock.id, now: clock.frozen_time.toISOString() } }),
        }),
      ),
    );
  } catch (error) {
    // Delivered already: the workflow completed (its email sent once, by its ledger key).
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw serviceUnavailable(
      'Could not start the invoice’s delivery; it stays a draft. Retry the finalization.',
      error,
    );
  }
}

/**
 * When a manual invoice is dated: now, or the test clock's time for a customer on a test clock
 * (its invoices live in the clock's virtual time).
 */
export async function manualInvoiceDate(
  app: FastifyInstance,
  invoice: Invoice,
): Promise<Date | undefined> {
  const customer = await app.db
    .selectFrom('customers')
    .select('test_clock_id')
    .where('id', '=', invoice.customer_id)
    .executeTakeFirstOrThrow();
  if (!customer.test_clock_id) return undefined;
  return (await getTestClock(app.db, customer.test_clock_id))?.frozen_time;
}
