// Rows most tests need: a customer and a plan, inserted straight into the database.
import type { Db } from '../../db/connect.ts';
import { newId } from '../../db/ids.ts';

export async function insertCustomer(
  db: Db,
  overrides: Partial<{
    currency: string;
    timezone: string;
    locale: string;
    email: string;
    testClockId: string;
  }> = {},
) {
  return db
    .insertInto('customers')
    .values({
      id: newId('cus'),
      name: 'Acme SAS',
      email: overrides.email ?? 'billing@acme.test',
      currency: overrides.currency ?? 'EUR',
      country: 'FR',
      timezone: overrides.timezone ?? 'Europe/Paris',
      locale: overrides.locale ?? 'fr-FR',
      test_clock_id: overrides.testClockId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertPlan(
  db: Db,
  overrides: Partial<{ amount: number; currency: string }> = {},
) {
  return db
    .insertInto('plans')
    .values({
      id: newId('plan'),
      code: `pro-${newId('plan').slice(5, 11)}`,
      name: 'Pro (monthly)',
      currency: overrides.currency ?? 'EUR',
      interval: 'month',
      interval_count: 1,
      amount: overrides.amount ?? 4900,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
