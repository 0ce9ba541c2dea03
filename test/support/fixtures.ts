// Rows most tests need: a customer and a plan, inserted straight into the database.
import { loadConfig, type BillwrightConfig } from '../../config/index.ts';
import type { FinalizeOptions } from '../../db/repositories/invoice-finalization.ts';
import type { PlanVersion } from '../../domain/catalog/types.ts';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
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

/** The catalog terms of a plan row from insertPlan: one flat charge billed in advance. */
export function flatPlanVersion(plan: {
  code: string;
  name: string;
  amount: number;
  currency: string;
}): PlanVersion {
  return {
    planCode: plan.code,
    version: 1,
    currency: plan.currency,
    billingCycle: { interval: 'month', intervalCount: 1 },
    taxBehavior: 'exclusive',
    charges: [
      {
        key: 'plan',
        type: 'flat',
        description: plan.name,
        billing: 'advance',
        amount: String(plan.amount),
      },
    ],
  };
}

/** How tests finalize invoices: the built-in tax engine and the default configuration. */
export function finalizeOptions(config: BillwrightConfig = loadConfig({})): FinalizeOptions {
  return {
    tax: {
      provider: createBuiltInTaxProvider(),
      seller: config.taxSeller,
      rounding: config.taxRounding,
    },
    numbering: config.invoiceNumbering,
    seller: config.seller,
  };
}
