// How the API reaches an invoice's collection: it writes the change (a payment, a dispute, a
// void) to the database first, then signals `collectionChanged` with start: a running collection
// reads the invoice again; a missing one (an invoice finalized through the API, or a late
// payment after the collection ended) starts, settles and sends what is owed (a receipt).
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connect.ts';
import { toMajorUnitString } from '../domain/core/money.ts';
import { money } from '../domain/core/money.ts';
import type { collectionWorkflow } from '../workflows/collection.ts';
import {
  collectionChangedSignal,
  collectionStartFields,
  type CollectionInput,
} from '../workflows/collection-messages.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';

/**
 * Starts (or, if it runs, signals) the collection of an invoice: signal-with-start makes a
 * repeat harmless, so the subscription workflow's activity and the API may both call it.
 */
export async function signalOrStartCollection(
  client: Pick<Client, 'workflow'>,
  input: CollectionInput,
  invoice: { number: string; total: number; currency: string },
  reason: string,
): Promise<void> {
  const total = money(invoice.total, invoice.currency);
  await client.workflow.signalWithStart<typeof collectionWorkflow, [string]>('collectionWorkflow', {
    ...collectionStartFields(input, {
      number: invoice.number,
      total: `${invoice.currency} ${toMajorUnitString(total)}`,
    }),
    taskQueue: BILLING_TASK_QUEUE,
    signal: collectionChangedSignal,
    signalArgs: [reason],
  });
}

/** Signals (and if need be starts) the invoice's collection; `reason` shows in its history. */
export async function nudgeCollection(
  db: Db,
  client: Pick<Client, 'workflow'>,
  invoiceId: string,
  reason: string,
): Promise<void> {
  const invoice = await db
    .selectFrom('invoices')
    .innerJoin('customers', 'customers.id', 'invoices.customer_id')
    .leftJoin('test_clocks', 'test_clocks.id', 'customers.test_clock_id')
    .select([
      'invoices.id',
      'invoices.number',
      'invoices.customer_id',
      'invoices.subscription_id',
      'invoices.total',
      'invoices.currency',
      'test_clocks.id as clock_id',
      'test_clocks.frozen_time as clock_time',
    ])
    .where('invoices.id', '=', invoiceId)
    .executeTakeFirstOrThrow();
  const input: CollectionInput = {
    invoiceId,
    customerId: invoice.customer_id,
    ...(invoice.subscription_id && { subscriptionId: invoice.subscription_id }),
    // A customer on a test clock is collected in the clock's time.
    ...(invoice.clock_id &&
      invoice.clock_time && {
        testClock: { id: invoice.clock_id, now: invoice.clock_time.toISOString() },
      }),
  };
  await signalOrStartCollection(
    client,
    input,
    { number: invoice.number ?? invoiceId, total: invoice.total, currency: invoice.currency },
    reason,
  );
}
