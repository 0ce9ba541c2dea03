// Threshold billing's use cases (issue #14): a subscription's billing threshold set or cleared
// (PATCH /v1/subscriptions/{id}), and what the live balance reads of it after each batch: the
// open period's unbilled usage against the threshold (db/repositories/thresholds.ts).
import { setBillingThreshold } from '../db/repositories/thresholds.ts';
import { MAX_AMOUNT } from '../domain/core/money.ts';
import { balanceChanged } from './balance.ts';
import type { ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';
import { loadSubscription } from './subscriptions.ts';
import { fromDatabase, type Subscription } from './subscription-views.ts';

/** A threshold as the API accepts it: whole minor units above zero, or null for none. */
export function checkBillingThreshold(value: number | null | undefined): void {
  if (value === null || value === undefined) return;
  if (!Number.isSafeInteger(value) || value <= 0 || value > MAX_AMOUNT)
    throw new Refused('unprocessable', 'must be a whole number of minor units above zero', {
      field: 'billingThreshold',
    });
}

/**
 * Sets or clears the subscription's billing threshold; the balance re-reads at once, so a
 * threshold lowered below the usage so far bills it now. Refused once billing has ended.
 */
export async function changeBillingThreshold(
  deps: ServiceDependencies,
  id: string,
  billingThreshold: number | null,
): Promise<Subscription> {
  checkBillingThreshold(billingThreshold);
  const record = await loadSubscription(deps, id);
  if (record.status === 'canceled' || record.status === 'ended')
    throw new Refused('conflict', `Subscription ${id} is ${record.status}.`);
  await setBillingThreshold(deps.db, id, billingThreshold);
  await balanceChanged(deps, record.customerId);
  return fromDatabase(await loadSubscription(deps, id));
}
