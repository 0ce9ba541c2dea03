// Starts a finalized manual invoice's delivery workflow (render, email) from inside the
// finalizing transaction: if Temporal cannot be reached, the transaction rolls back and the
// invoice stays a draft (503), so no invoice is numbered and never sent.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database, Invoice } from '../../db/database.ts';
import { testClockRefOf } from '../../db/repositories/test-clocks.ts';
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
  const testClock = await testClockRefOf(trx, customer.test_clock_id);
  try {
    await withTemporalDeadline(app, () =>
      app.temporal.workflow.start<typeof manualInvoiceWorkflow>(
        'manualInvoiceWorkflow',
        manualInvoiceStartOptions({
          invoiceId: invoice.id,
          customerId: customer.id,
          timezone: customer.timezone,
          ...(testClock && { testClock }),
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
