// What a subscription will invoice, priced without changing anything: the upcoming invoice of
// the current period and the credit and charge a change of terms would make now. Both read the
// workflow's live state, so they say exactly what the workflow will bill.
import { customerNow } from '../db/repositories/test-clocks.ts';
import { getPlanWithCurrentVersion, toCatalogVersion } from '../db/repositories/plans.ts';
import type { PlanVersion } from '../domain/catalog/types.ts';
import { stateQuery } from '../workflows/subscription-messages.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import {
  previewChange,
  upcomingInvoice,
  type ChangePreview,
  type InvoicePreview,
} from './invoice-previews.ts';
import { Refused } from './refused.ts';
import { handleOf, loadSubscription, type SubscriptionDependencies } from './subscriptions.ts';

/** The workflow's live state; refused once billing has ended. */
async function lifecycleState(deps: ServiceDependencies, id: string) {
  const record = await loadSubscription(deps, id);
  if (record.status === 'canceled' || record.status === 'ended') {
    throw new Refused('conflict', `Subscription ${id} is ${record.status}.`);
  }
  const handle = handleOf(deps, id);
  const state = await temporalCall(deps, () => handle.query(stateQuery));
  return { record, state };
}

async function targetTerms(
  deps: ServiceDependencies,
  current: { plan: PlanVersion; quantity: number },
  planCode: string | undefined,
  quantity: number | undefined,
) {
  let plan = current.plan;
  if (planCode !== undefined) {
    const found = await getPlanWithCurrentVersion(deps.db, planCode);
    if (!found) {
      throw new Refused('unprocessable', `plan ${planCode} does not exist`, { field: 'planCode' });
    }
    plan = toCatalogVersion(found.version);
  }
  return { plan, quantity: quantity ?? current.quantity };
}

/** What a change to other terms would credit and charge now; changes nothing. */
export async function previewSubscriptionChange(
  deps: SubscriptionDependencies,
  id: string,
  terms: { planCode?: string | undefined; quantity?: number | undefined },
): Promise<ChangePreview> {
  const { record, state } = await lifecycleState(deps, id);
  const next = await targetTerms(deps, state, terms.planCode, terms.quantity);
  const at = (await customerNow(deps.db, record.customerId)).toISOString();
  return previewChange(
    { db: deps.db, tax: deps.tax, customerId: record.customerId, subscriptionId: record.id },
    state,
    next,
    at,
  );
}

/** The current period's charges so far; refused before the first billed period. */
export async function previewUpcomingInvoice(
  deps: SubscriptionDependencies,
  id: string,
): Promise<InvoicePreview> {
  const { record, state } = await lifecycleState(deps, id);
  const now = await customerNow(deps.db, record.customerId);
  const upcoming = await upcomingInvoice(
    { db: deps.db, tax: deps.tax, customerId: record.customerId, subscriptionId: record.id },
    state,
    now.toISOString(),
  );
  if (!upcoming) throw new Refused('conflict', 'The subscription has no billed period yet.');
  return upcoming;
}
