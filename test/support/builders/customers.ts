// Customers: in Paris, paying in EUR, unless the test says otherwise. Straight into the
// database for tests below the API; through POST /v1/customers for tests of the API.
import { expect } from 'vitest';
import type { Db } from '../../../db/connect.ts';
import {
  createCustomer as createCustomerRow,
  type NewCustomerInput,
} from '../../../db/repositories/customers.ts';
import type { ApiHarness } from '../api-harness.ts';

const ACME = {
  name: 'Acme SAS',
  email: 'billing@acme.test',
  currency: 'EUR',
  country: 'FR',
  timezone: 'Europe/Paris',
  locale: 'fr-FR',
};

/** Through the repository the API uses (for tests of the API, postCustomer below). */
export async function insertCustomer(db: Db, overrides: Partial<NewCustomerInput> = {}) {
  return createCustomerRow(db, { ...ACME, ...overrides });
}

/** POST /v1/customers (201 expected); answers the new customer's id. */
export async function postCustomer(
  api: ApiHarness,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const response = await api.request({
    method: 'POST',
    url: '/v1/customers',
    payload: { ...ACME, ...overrides },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}
