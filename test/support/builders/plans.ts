// Plans: "Pro (monthly)", one flat charge of EUR 49.00 billed in advance, unless overridden.
import type { Db } from '../../../db/connect.ts';
import { newId } from '../../../db/ids.ts';
import type { PlanVersion } from '../../../domain/catalog/types.ts';

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
