// Subscription rows, through the repository the API uses, for tests that start the workflow
// themselves (or need no workflow at all).
import type { Db } from '../../../db/connect.ts';
import { newId } from '../../../db/ids.ts';
import {
  insertSubscription,
  type NewSubscriptionInput,
} from '../../../db/repositories/subscriptions.ts';
import { insertCustomer } from './customers.ts';
import { insertPlan } from './plans.ts';

/** Active, one seat, on version 1 of the plan; answers the subscription's id. */
export async function insertSubscriptionRow(
  db: Db,
  values: Pick<NewSubscriptionInput, 'customerId' | 'planId' | 'anchorAt'> &
    Partial<NewSubscriptionInput>,
): Promise<string> {
  const id = values.id ?? newId('sub');
  await insertSubscription(db, { planVersion: 1, ...values, id });
  return id;
}

/** A customer (insertCustomer's defaults) subscribed since 1 November 2026 to a new plan. */
export async function newSubscribedCustomer(
  db: Db,
): Promise<{ customerId: string; subscriptionId: string }> {
  const customer = await insertCustomer(db);
  const plan = await insertPlan(db);
  const subscriptionId = await insertSubscriptionRow(db, {
    customerId: customer.id,
    planId: plan.id,
    anchorAt: '2026-11-01T00:00:00Z',
  });
  return { customerId: customer.id, subscriptionId };
}
