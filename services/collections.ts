// An invoice's collection (where its dunning stands) and what changes it: telling it that the
// invoice changed (a payment, a void, a write-off), and disputes that pause it. Every change is
// stored first, then the collection workflow is told (signal-with-start): the database is the
// truth it reads. Refusals are thrown as Refused.
import type { Db } from '../db/connect.ts';
import type { InvoiceCollection } from '../db/database.ts';
import {
  disputeCollection,
  getCollection,
  resolveDispute,
} from '../db/repositories/collections.ts';
import { nudgeCollection } from '../temporal/collection-start.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { refusingAsInvoice } from './invoice-refusals.ts';
import { Refused } from './refused.ts';

/**
 * Signals (or starts) the invoice's collection; `reason` shows in its history. Refused as
 * unavailable when Temporal cannot be told: `stored` says what is already saved, so the caller
 * knows a retry of the same request is safe.
 */
export async function tellCollection(
  deps: ServiceDependencies,
  invoiceId: string,
  reason: string,
  stored: string,
): Promise<void> {
  try {
    await temporalCall(deps, () => nudgeCollection(deps.db, deps.temporal, invoiceId, reason));
  } catch (error) {
    throw new Refused(
      'unavailable',
      `${stored}, but Temporal is unavailable to tell its collection; retry the same request.`,
      { cause: error },
    );
  }
}

/** The invoice's collection; refused until the invoice is finalized and its collection started. */
export async function invoiceCollection(db: Db, invoiceId: string): Promise<InvoiceCollection> {
  const row = await getCollection(db, invoiceId);
  if (!row) throw new Refused('not_found', `Invoice ${invoiceId} has no collection.`);
  return row;
}

/** Pauses the invoice's reminders and end actions while the dispute is looked into. */
export async function disputeInvoice(
  deps: ServiceDependencies,
  invoiceId: string,
  reason: string,
): Promise<InvoiceCollection> {
  const row = await refusingAsInvoice(() => disputeCollection(deps.db, invoiceId, { reason }));
  await tellCollection(deps, invoiceId, 'dispute', 'The dispute is recorded');
  return row;
}

/** Ends the dispute: collection resumes, every step left moved later by the pause. */
export async function resolveInvoiceDispute(
  deps: ServiceDependencies,
  invoiceId: string,
  resolution: string,
): Promise<InvoiceCollection> {
  const row = await refusingAsInvoice(() => resolveDispute(deps.db, invoiceId, { resolution }));
  await tellCollection(deps, invoiceId, 'resolve', 'The resolve is recorded');
  return row;
}
