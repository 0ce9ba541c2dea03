// Subscriptions: rows through the repository the API uses, for tests that start the workflow
// themselves (or need no workflow at all); or through POST /v1/subscriptions for tests of the API.
import { expect } from 'vitest';
import type { Db } from '../../../db/connect.ts';
import { newId } from '../../../db/ids.ts';
import {
  insertSubscription,
  type NewSubscriptionInput,
} from '../../../db/repositories/subscriptions.ts';
import type { ApiHarness } from '../api-harness.ts';
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

/**
 * A customer subscribed to a new plan (insertCustomer's and insertPlan's defaults), anchored on
 * 1 November 2026 unless the subscription says otherwise.
 */
export async function newSubscribedCustomer(
  db: Db,
  overrides: {
    customer?: Parameters<typeof insertCustomer>[1];
    plan?: Parameters<typeof insertPlan>[1];
    subscription?: Partial<Omit<NewSubscriptionInput, 'customerId' | 'planId'>>;
  } = {},
) {
  const customer = await insertCustomer(db, overrides.customer);
  const plan = await insertPlan(db, overrides.plan);
  const subscriptionId = await insertSubscriptionRow(db, {
    customerId: customer.id,
    planId: plan.id,
    anchorAt: '2026-11-01T00:00:00Z',
    ...overrides.subscription,
  });
  return { customer, plan, customerId: customer.id, subscriptionId };
}

/** POST /v1/subscriptions (201 expected); answers the subscription as created. */
export async function postSubscription<T extends { id: string } = { id: string }>(
  api: ApiHarness,
  payload: object,
): Promise<T> {
  const response = await api.request({ method: 'POST', url: '/v1/subscriptions', payload });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<T>();
}
