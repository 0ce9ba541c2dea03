// Dunning policies as data: one per customer, per plan, or the default. A customer's own policy
// wins over its plan's, which wins over the default; collections already running keep theirs.
import type { Db } from '../db/connect.ts';
import type { DunningPolicyRow } from '../db/database.ts';
import {
  deleteDunningPolicy,
  getDunningPolicy,
  listDunningPolicies,
  upsertDunningPolicy,
  type PolicyScope,
} from '../db/repositories/collections.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import { getPlanByCode } from '../db/repositories/plans.ts';
import { checkDunningPolicy, type DunningPolicy } from '../domain/collections/dunning.ts';
import { Refused } from './refused.ts';

export interface DunningPolicyOrder {
  name: string;
  planCode?: string | undefined;
  customerId?: string | undefined;
  isDefault?: boolean | undefined;
  policy: DunningPolicy;
}

/** Refuses an order that names no scope or several, or steps out of order. */
function checkOrder(order: DunningPolicyOrder): void {
  const { planCode, customerId, isDefault } = order;
  const scopes = [planCode, customerId, isDefault ? true : undefined].filter(
    (s) => s !== undefined,
  );
  if (scopes.length !== 1) {
    throw new Refused(
      'unprocessable',
      'give exactly one of planCode, customerId or default: true',
      {
        issues: [{ field: 'planCode', message: 'exactly one scope is required' }],
      },
    );
  }
  const problems = checkDunningPolicy(order.policy);
  if (problems.length > 0) {
    throw new Refused('unprocessable', problems.map((p) => `${p.field} ${p.message}`).join('; '), {
      issues: problems,
    });
  }
}

/** The plan, customer or default the order names; refused when the plan or customer is unknown. */
async function scopeOf(db: Db, order: DunningPolicyOrder): Promise<PolicyScope> {
  const { planCode, customerId } = order;
  if (planCode !== undefined) {
    const plan = await getPlanByCode(db, planCode);
    if (!plan) throw new Refused('not_found', `Plan ${planCode} does not exist.`);
    return { planId: plan.id };
  }
  if (customerId !== undefined) {
    if (!(await getCustomer(db, customerId))) {
      throw new Refused('not_found', `Customer ${customerId} does not exist.`);
    }
    return { customerId };
  }
  return { isDefault: true };
}

/** Creates the policy, or replaces the one with the same scope. */
export async function saveDunningPolicy(
  db: Db,
  order: DunningPolicyOrder,
): Promise<DunningPolicyRow> {
  checkOrder(order);
  const scope = await scopeOf(db, order);
  return upsertDunningPolicy(db, { name: order.name, scope, policy: order.policy });
}

export function findDunningPolicies(
  db: Db,
  page: { limit: number; startingAfter?: string | undefined },
) {
  return listDunningPolicies(db, page);
}

export async function dunningPolicy(db: Db, id: string): Promise<DunningPolicyRow> {
  const row = await getDunningPolicy(db, id);
  if (!row) throw new Refused('not_found', `Dunning policy ${id} does not exist.`);
  return row;
}

export async function removeDunningPolicy(db: Db, id: string): Promise<void> {
  if (!(await deleteDunningPolicy(db, id))) {
    throw new Refused('not_found', `Dunning policy ${id} does not exist.`);
  }
}
