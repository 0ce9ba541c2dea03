// Spend alerts, the use cases behind /v1/spend-alerts (docs/BALANCE.md): a level of usage (units
// of one metric this period) or of amount (the period's rated amount so far, before tax) set on
// a customer or on a plan (then on every customer running it). The balance workflow compares
// them after each read (workflows/spend-alerts.ts); setting or disabling one asks the balances
// it concerns to re-read, so it applies from the next read, not the next batch.
import { getCustomer } from '../db/repositories/customers.ts';
import { getMetric } from '../db/repositories/metrics.ts';
import { getPlanByCode } from '../db/repositories/plans.ts';
import {
  customersRunning,
  disableSpendAlert,
  getSpendAlert,
  insertSpendAlert,
  listSpendAlerts,
} from '../db/repositories/spend-alerts.ts';
import type { SpendAlert } from '../db/database.ts';
import { decimal, isDecimalString, toDecimalString } from '../domain/core/decimal.ts';
import { balanceChanged } from './balance.ts';
import type { ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';

export interface SpendAlertRequest {
  customerId?: string | undefined;
  planCode?: string | undefined;
  name?: string | undefined;
  kind: 'usage' | 'amount';
  metricCode?: string | undefined;
  units?: string | undefined;
  amount?: { amount: number; currency: string } | undefined;
  hardStop?: boolean | undefined;
}

const refuse = (field: string, message: string) => new Refused('unprocessable', message, { field });

/** The currency of what the alert watches: the customer's, or the plan's. */
async function scopeCurrency(deps: ServiceDependencies, request: SpendAlertRequest) {
  if ((request.customerId === undefined) === (request.planCode === undefined))
    throw refuse(
      request.customerId === undefined ? 'customerId' : 'planCode',
      'give customerId or planCode, exactly one of them',
    );
  if (request.customerId !== undefined) {
    const customer = await getCustomer(deps.db, request.customerId);
    if (!customer) throw refuse('customerId', `no customer has id ${request.customerId}`);
    return customer.currency;
  }
  const plan = await getPlanByCode(deps.db, request.planCode!);
  if (!plan) throw refuse('planCode', `no plan has code ${request.planCode}`);
  return plan.currency;
}

/** The level, checked against the kind: units of an existing metric, or money in `currency`. */
async function levelOf(deps: ServiceDependencies, request: SpendAlertRequest, currency: string) {
  const [own, foreign] =
    request.kind === 'usage'
      ? (['units', ['amount']] as const)
      : (['amount', ['metricCode', 'units']] as const);
  for (const field of foreign)
    if (request[field] !== undefined)
      throw refuse(field, `a ${request.kind} alert has no ${field}`);
  if (request[own] === undefined) throw refuse(own, `a ${request.kind} alert needs ${own}`);
  if (request.kind === 'amount') {
    const { amount } = request.amount!;
    if (amount <= 0) throw refuse('amount.amount', 'the level must be above zero');
    if (request.amount!.currency !== currency)
      throw refuse(
        'amount.currency',
        `the level must be in ${currency}, the currency ${request.customerId ? 'the customer' : 'the plan'} is billed in`,
      );
    return { units: null, amount, currency, metric_code: null };
  }
  if (request.metricCode === undefined)
    throw refuse('metricCode', 'a usage alert needs metricCode');
  if (!(await getMetric(deps.db, request.metricCode)))
    throw refuse('metricCode', `no billable metric has code ${request.metricCode}`);
  if (!isDecimalString(request.units) || !decimal(request.units).gt(0))
    throw refuse('units', 'the level must be a decimal number of units above zero');
  const units = toDecimalString(decimal(request.units));
  return { units, amount: null, currency: null, metric_code: request.metricCode };
}

/** Asks the balances the alert concerns to re-read (best effort: they re-read on usage too). */
async function refreshBalances(deps: ServiceDependencies, alert: SpendAlert): Promise<void> {
  const customers = alert.customer_id
    ? [alert.customer_id]
    : await customersRunning(deps.db, alert.plan_code!);
  await Promise.all(customers.map((customerId) => balanceChanged(deps, customerId)));
}

export async function createSpendAlert(
  deps: ServiceDependencies,
  request: SpendAlertRequest,
): Promise<SpendAlert> {
  const currency = await scopeCurrency(deps, request);
  const level = await levelOf(deps, request, currency);
  const alert = await insertSpendAlert(deps.db, {
    customer_id: request.customerId ?? null,
    plan_code: request.planCode ?? null,
    name: request.name ?? null,
    kind: request.kind,
    hard_stop: request.hardStop ?? false,
    ...level,
  });
  await refreshBalances(deps, alert);
  return alert;
}

export async function showSpendAlert(deps: ServiceDependencies, id: string): Promise<SpendAlert> {
  const alert = await getSpendAlert(deps.db, id);
  if (!alert) throw new Refused('not_found', `No spend alert has id ${id}.`);
  return alert;
}

export function spendAlerts(
  deps: ServiceDependencies,
  filter: { customerId?: string | undefined; planCode?: string | undefined },
): Promise<SpendAlert[]> {
  return listSpendAlerts(deps.db, filter);
}

/** Disables the alert: no more crossings, its hard stop lifted from the next read. */
export async function removeSpendAlert(deps: ServiceDependencies, id: string): Promise<SpendAlert> {
  const alert = await disableSpendAlert(deps.db, id);
  if (!alert) throw new Refused('not_found', `No spend alert has id ${id}.`);
  await refreshBalances(deps, alert);
  return alert;
}
