// Threshold billing's use cases (issue #14): a subscription's billing threshold set or cleared
// (PATCH /v1/subscriptions/{id}), and what the live balance reads of it after each batch: the
// open period's unbilled usage against the threshold (db/repositories/thresholds.ts).
import { setBillingThreshold } from '../db/repositories/thresholds.ts';
import { getSubscription } from '../db/repositories/subscriptions.ts';
import { billingThresholdProblem } from '../domain/invoicing/threshold.ts';
import { balanceChanged } from './balance.ts';
import type { ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';
import { fromDatabase, type Subscription } from './subscription-views.ts';

/**
 * Sets or clears the subscription's billing threshold; the balance re-reads at once, so a
 * threshold lowered below the usage so far bills it now. Refused once billing has ended.
 */
export async function changeBillingThreshold(
  deps: ServiceDependencies,
  id: string,
  billingThreshold: number | null,
): Promise<Subscription> {
  const problem = billingThresholdProblem(billingThreshold);
  if (problem) throw new Refused('unprocessable', problem, { field: 'billingThreshold' });
  const record = await getSubscription(deps.db, id);
  if (!record) throw new Refused('not_found', `Subscription ${id} does not exist.`);
  if (record.status === 'canceled' || record.status === 'ended')
    throw new Refused('conflict', `Subscription ${id} is ${record.status}.`);
  await setBillingThreshold(deps.db, id, billingThreshold);
  await balanceChanged(deps, record.customerId);
  return fromDatabase((await getSubscription(deps.db, id))!);
}
