// The live balance (issue #14): what each customer owes so far this period and the credit their
// wallets hold, kept by one customerBalanceWorkflow per customer (customer-balance-<id>).
//
// - readBalance: what the workflow's activity calls (handed to the worker by the runtime, as
//   use cases are): the upcoming invoice of each running subscription, priced exactly as the
//   period-end invoice (previewUpcomingInvoice → ratePeriodInvoice), plus the wallets.
// - notifyUsage: the usage service's one signal per ingested batch and customer, after commit,
//   with signalWithStart so the first batch starts the workflow.
// - customerBalance / customerEntitlement: the API's answers, from the workflow's query.
import { WorkflowNotFoundError } from '@temporalio/client';
import { fewerUnits, hardStopOf, type HardStop } from '../domain/alerts/spend-alerts.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import { getMetric } from '../db/repositories/metrics.ts';
import { getPlanVersion } from '../db/repositories/plans.ts';
import { listSubscriptions } from '../db/repositories/subscriptions.ts';
import { customerNow } from '../db/repositories/test-clocks.ts';
import { listWallets, walletBalances } from '../db/repositories/wallets.ts';
import { customerBalanceStartOptions } from '../temporal/balance-start.ts';
import {
  balanceQuery,
  refreshBalanceSignal,
  usageRecordedSignal,
  type BalanceCharge,
  type BalanceSnapshot,
  type CustomerBalanceState,
  type UsageBatch,
} from '../workflows/customer-balance-messages.ts';
import type { customerBalanceWorkflow } from '../workflows/customer-balance.ts';
import { customerBalanceWorkflowId } from '../workflow-contracts/ids.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';
import { spendAlertReadings } from './spend-alert-readings.ts';
import { previewUpcomingInvoice } from './subscription-previews.ts';
import type { SubscriptionDependencies } from './subscriptions.ts';
import { thresholdStatusOf } from '../db/repositories/thresholds.ts';
import { unbilledUsage, type ThresholdStatus } from '../domain/invoicing/threshold.ts';

/** Subscriptions whose usage is still billed (a canceled one has no upcoming invoice). */
const RUNNING = new Set(['trialing', 'active', 'past_due', 'paused']);

/** The balance as PostgreSQL has it now: what the workflow's activity returns. */
export function balanceReader(deps: SubscriptionDependencies) {
  return async (customerId: string): Promise<BalanceSnapshot> => {
    const customer = await getCustomer(deps.db, customerId);
    if (!customer) throw new Error(`customer ${customerId} does not exist`);
    const now = await customerNow(deps.db, customer);
    // A read's time is mostly round trips (PostgreSQL, the subscription's query): the reads that
    // do not depend on one another run at once. All start after `now` (the snapshot's readAt), so
    // a batch committed before readAt is in the figure.
    const [{ items }, allWallets] = await Promise.all([
      listSubscriptions(deps.db, { customerId, limit: 100 }),
      listWallets(deps.db, customerId),
    ]);
    const wallets = allWallets.filter((w) => w.currency === customer.currency);
    const [priced, balances] = await Promise.all([
      Promise.all(
        items
          .filter((s) => RUNNING.has(s.status))
          .map(async (subscription) => {
            const [upcoming, plan] = await Promise.all([
              previewUpcomingInvoice(deps, subscription.id).catch((error: unknown) => {
                if (error instanceof Refused) return null; // not billing yet
                throw error;
              }),
              getPlanVersion(
                deps.db,
                { id: subscription.planId, code: subscription.planCode },
                subscription.planVersion,
              ),
            ]);
            return { subscription, upcoming, plan };
          }),
      ),
      walletBalances(
        deps.db,
        wallets.map((w) => w.id),
      ),
    ]);
    const charges: BalanceCharge[] = [];
    let ratedAmount = 0;
    let total = 0;
    let periodStart: string | null = null;
    let periodEnd: string | null = null;
    const planCodes = new Set<string>();
    const thresholds: ThresholdStatus[] = [];
    for (const { subscription, upcoming, plan } of priced) {
      if (!upcoming || upcoming.currency !== customer.currency) continue;
      planCodes.add(subscription.planCode);
      const metricOf = new Map(
        (plan?.charges ?? []).map((c) => [c.key, c.type === 'usage' ? c.metricCode : null]),
      );
      for (const line of upcoming.lines) {
        const chargeKey = line.rated.chargeKey;
        charges.push({
          subscriptionId: subscription.id,
          chargeKey,
          metricCode: (chargeKey && metricOf.get(chargeKey)) ?? null,
          description: line.description,
          quantity: line.quantity,
          unitPrice: line.unitAmount,
          amount: line.amount.amount - line.discount.amount,
        });
      }
      const usageCharges = new Set([...metricOf].filter(([, m]) => m !== null).map(([k]) => k));
      const unbilled = unbilledUsage(upcoming.lines, usageCharges);
      const threshold = await thresholdStatusOf(deps.db, subscription, unbilled);
      if (threshold) thresholds.push(threshold);
      ratedAmount += upcoming.totalBeforeTax.amount;
      total += upcoming.total.amount;
      if (subscription.currentPeriodStart) {
        const start = subscription.currentPeriodStart.toISOString();
        if (!periodStart || start < periodStart) periodStart = start;
      }
      if (subscription.currentPeriodEnd) {
        const end = subscription.currentPeriodEnd.toISOString();
        if (!periodEnd || end > periodEnd) periodEnd = end;
      }
    }
    const shown = wallets.map((w) => ({
      walletId: w.id,
      name: w.name,
      currency: w.currency,
      balance: balances.get(w.id)?.balance ?? 0,
    }));
    const walletBalance = shown.reduce((t, w) => t + w.balance, 0);
    const read = { customerId, currency: customer.currency, periodStart, periodEnd, ratedAmount };
    const readAt = now.toISOString();
    const spendAlerts = await spendAlertReadings(deps.db, { ...read, readAt }, [...planCodes]);
    return {
      customerId,
      currency: customer.currency,
      periodStart,
      periodEnd,
      charges,
      ratedAmount,
      total,
      wallets: shown,
      walletBalance,
      amountAfterCredit: Math.max(0, total - walletBalance),
      readAt,
      spendAlerts,
      thresholds,
    };
  };
}

/** Tells each customer's balance workflow about one ingested batch (started if need be). */
export async function notifyUsage(
  deps: ServiceDependencies,
  batchId: string,
  byCustomer: ReadonlyMap<string, Record<string, number>>,
): Promise<void> {
  await Promise.all(
    [...byCustomer].map(([customerId, events]) => {
      const batch: UsageBatch = { batchId, events };
      return temporalCall(deps, () =>
        deps.temporal.workflow.signalWithStart<typeof customerBalanceWorkflow, [UsageBatch]>(
          'customerBalanceWorkflow',
          {
            ...customerBalanceStartOptions(customerId),
            signal: usageRecordedSignal,
            signalArgs: [batch],
          },
        ),
      );
    }),
  );
}

/**
 * Asks the customer's balance workflow, if it runs, to re-read (a wallet was credited or a grant
 * voided). Best effort: the credit is committed, and the balance re-reads on its next batch.
 */
export async function balanceChanged(deps: ServiceDependencies, customerId: string): Promise<void> {
  const handle = deps.temporal.workflow.getHandle(customerBalanceWorkflowId(customerId));
  try {
    await temporalCall(deps, () => handle.signal(refreshBalanceSignal));
  } catch {
    // Not started yet (it reads the wallets when it starts), or Temporal unavailable.
  }
}

/** How long a GET waits for a read it asked for (a period boundary passed). */
const FRESH_WAIT_MS = 5_000;

/**
 * The customer's balance from the workflow's query; started on first need. When the period the
 * snapshot shows has ended by the customer's clock, the workflow is asked to re-read, and the
 * answer waits (briefly) for it: the boundary resets the figure.
 */
export async function customerBalance(
  deps: ServiceDependencies,
  customerId: string,
): Promise<BalanceSnapshot> {
  const customer = await getCustomer(deps.db, customerId);
  if (!customer) throw new Refused('not_found', `Customer ${customerId} does not exist.`);
  const handle = deps.temporal.workflow.getHandle(customerBalanceWorkflowId(customerId));
  let state: CustomerBalanceState;
  try {
    state = await temporalCall(deps, () => handle.query(balanceQuery));
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    await temporalCall(deps, () =>
      deps.temporal.workflow.signalWithStart<typeof customerBalanceWorkflow, []>(
        'customerBalanceWorkflow',
        {
          ...customerBalanceStartOptions(customerId),
          signal: refreshBalanceSignal,
          signalArgs: [],
        },
      ),
    );
    state = await temporalCall(deps, () => handle.query(balanceQuery));
  }
  const now = (await customerNow(deps.db, customer)).toISOString();
  const ended = state.snapshot?.periodEnd != null && state.snapshot.periodEnd <= now;
  if (ended) await temporalCall(deps, () => handle.signal(refreshBalanceSignal));
  // Fresh: read once, every change notified before this GET read (batches arriving meanwhile do
  // not hold it back), and read after the boundary if one passed.
  const notified = state.changes;
  const stale = (s: CustomerBalanceState) =>
    !s.snapshot || s.changesRead < notified || (ended && s.snapshot.readAt < now);
  const deadline = Date.now() + FRESH_WAIT_MS;
  while (stale(state) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    state = await temporalCall(deps, () => handle.query(balanceQuery));
  }
  if (!state.snapshot) throw new Refused('unavailable', 'The balance is not read yet; retry.');
  return state.snapshot;
}

export interface Entitlement {
  metricCode: string;
  allowed: boolean;
  /** Units of the metric the credit still covers; null when nothing limits the customer. */
  remainingUnits: string | null;
  /** Wallet credit left after what is owed so far; null when the customer has no wallet. */
  remainingCredit: number | null;
  currency: string;
}

/**
 * "May this customer spend?" A customer with no wallet is not limited (allowed, remaining
 * null). With wallets, usage is prepaid: allowed while the credit exceeds what the period owes
 * so far (with tax); the units left are what the remaining credit buys at the metric's unit
 * price and the invoice's tax rate (when its charge has one price per unit; otherwise null:
 * tiers price units unevenly).
 */
export async function customerEntitlement(
  deps: ServiceDependencies,
  customerId: string,
  metricCode: string,
): Promise<Entitlement> {
  if (!(await getMetric(deps.db, metricCode)))
    throw new Refused('unprocessable', `no billable metric has code ${metricCode}`, {
      field: 'metric',
    });
  const balance = await customerBalance(deps, customerId);
  const charges = balance.charges.filter((c) => c.metricCode === metricCode);
  const { currency } = balance;
  const unitPrice = charges.length === 1 ? charges[0]!.unitPrice : null;
  const stop = hardStopOf(balance.spendAlerts ?? [], metricCode, unitPrice);
  if (balance.wallets.length === 0)
    return hardStopped(
      { metricCode, allowed: true, remainingUnits: null, remainingCredit: null, currency },
      stop,
    );
  const remainingCredit = Math.max(0, balance.walletBalance - balance.total);
  return hardStopped(
    {
      metricCode,
      allowed: remainingCredit > 0,
      remainingUnits: unitsFor(remainingCredit, unitPrice, balance),
      remainingCredit,
      currency,
    },
    stop,
  );
}

/** A spend alert's hard stop (docs/BALANCE.md): "no" while crossed, and no more units than left. */
function hardStopped(entitlement: Entitlement, stop: HardStop): Entitlement {
  return {
    ...entitlement,
    allowed: entitlement.allowed && !stop.stopped,
    remainingUnits: fewerUnits(entitlement.remainingUnits, stop.remainingUnits),
  };
}

/**
 * Whole units `credit` minor units buy at `unitPrice` (a decimal string), with tax at the rate the
 * period's invoice shows so far (total / ratedAmount), in exact integer arithmetic.
 */
function unitsFor(
  credit: number,
  unitPrice: string | null,
  balance: Pick<BalanceSnapshot, 'ratedAmount' | 'total'>,
): string | null {
  if (unitPrice === null) return null;
  const [whole = '0', fraction = ''] = unitPrice.split('.');
  const scale = 10n ** BigInt(fraction.length);
  const price = BigInt(whole + fraction);
  if (price <= 0n) return null;
  const taxed = balance.ratedAmount > 0 && balance.total > 0;
  const [net, gross] = taxed ? [BigInt(balance.ratedAmount), BigInt(balance.total)] : [1n, 1n];
  return ((BigInt(credit) * scale * net) / (price * gross)).toString();
}
