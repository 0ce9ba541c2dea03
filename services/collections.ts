// Telling an invoice's collection that something about the invoice changed (a payment, a void,
// a write-off, a dispute), after the change is stored.
import { nudgeCollection } from '../temporal/collection-start.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
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
