// Automatic top-ups of a wallet, the use cases behind /v1/wallets/:id/top-up. A threshold rule
// buys when an invoice draws the wallet under its level (in that invoice's finalizing
// transaction, db/repositories/invoice-finalization.ts); a recurring rule has a durable timer
// per wallet (workflows/wallet-top-up.ts), started in the rule's transaction.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { getCustomer } from '../db/repositories/customers.ts';
import { customerNow, testClockRefOf } from '../db/repositories/test-clocks.ts';
import { deleteTopUp, getTopUp, putTopUp } from '../db/repositories/wallet-top-ups.ts';
import { getWallet } from '../db/repositories/wallets.ts';
import type { WalletTopUp } from '../db/database.ts';
import { walletTopUpStartOptions } from '../temporal/wallet-start.ts';
import type { walletTopUpWorkflow } from '../workflows/wallet-top-up.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';

export interface TopUpRequest {
  kind: 'recurring' | 'threshold';
  amount: number;
  credit: number;
  below?: number | undefined;
  interval?: 'month' | 'week' | undefined;
  anchor?: string | undefined;
}

/** The fields of the other kind are refused, the kind's own required. */
function checkShape(request: TopUpRequest): void {
  const [needed, foreign] =
    request.kind === 'threshold'
      ? (['below', ['interval', 'anchor']] as const)
      : (['interval', ['below']] as const);
  if (request[needed] === undefined) {
    throw new Refused('unprocessable', `a ${request.kind} rule needs ${needed}`, { field: needed });
  }
  for (const field of foreign) {
    if (request[field] !== undefined) {
      throw new Refused('unprocessable', `a ${request.kind} rule has no ${field}`, { field });
    }
  }
}

/** A rule with its wallet's currency (the money of `amount`, `credit` and `below`). */
export type TopUp = WalletTopUp & { currency: string };

async function existingWallet(deps: ServiceDependencies, walletId: string) {
  const wallet = await getWallet(deps.db, walletId);
  if (!wallet) throw new Refused('not_found', `wallet ${walletId} does not exist`);
  return wallet;
}

/** Sets the wallet's top-up rule (replacing any); a recurring rule's timer starts with it. */
export async function setTopUp(
  deps: ServiceDependencies,
  walletId: string,
  request: TopUpRequest,
): Promise<TopUp> {
  const wallet = await existingWallet(deps, walletId);
  checkShape(request);
  const customer = (await getCustomer(deps.db, wallet.customer_id))!;
  const now = await customerNow(deps.db, customer);
  let anchor: Date | null = null;
  if (request.kind === 'recurring') {
    anchor = request.anchor === undefined ? now : new Date(request.anchor);
    if (!Number.isFinite(anchor.getTime())) {
      throw new Refused('unprocessable', 'not an instant we can read', { field: 'anchor' });
    }
  }
  const testClock = await testClockRefOf(deps.db, customer.test_clock_id);
  return deps.db.transaction().execute(async (trx) => {
    const rule = await putTopUp(trx, walletId, {
      kind: request.kind,
      amount: request.amount,
      credit: request.credit,
      below: request.below ?? null,
      interval: request.interval ?? null,
      anchor,
    });
    if (request.kind === 'recurring') await startTimer(deps, customer.id, walletId, now, testClock);
    return { ...rule, currency: wallet.currency };
  });
}

async function startTimer(
  deps: ServiceDependencies,
  customerId: string,
  walletId: string,
  now: Date,
  testClock: Awaited<ReturnType<typeof testClockRefOf>>,
): Promise<void> {
  try {
    await temporalCall(deps, () =>
      deps.temporal.workflow.start<typeof walletTopUpWorkflow>(
        'walletTopUpWorkflow',
        walletTopUpStartOptions({
          walletId,
          customerId,
          from: now.toISOString(),
          ...(testClock && { testClock }),
        }),
      ),
    );
  } catch (error) {
    // Running already: it reads the rule afresh before each period.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw new Refused(
      'unavailable',
      'Could not start the recurring top-up’s timer; the rule was not set. Retry later.',
      { cause: error },
    );
  }
}

export async function showTopUp(deps: ServiceDependencies, walletId: string): Promise<TopUp> {
  const wallet = await existingWallet(deps, walletId);
  const rule = await getTopUp(deps.db, walletId);
  if (!rule) throw new Refused('not_found', `wallet ${walletId} has no top-up rule`);
  return { ...rule, currency: wallet.currency };
}

/** Removes the rule: nothing more is bought (a recurring timer ends at its next period). */
export async function removeTopUp(deps: ServiceDependencies, walletId: string): Promise<void> {
  await existingWallet(deps, walletId);
  if (!(await deleteTopUp(deps.db, walletId))) {
    throw new Refused('not_found', `wallet ${walletId} has no top-up rule`);
  }
}
