// The live balance's one activity: read what the customer owes so far and the wallets' credit
// from PostgreSQL, rated as the period-end invoice will be. Read-only, so retries are harmless.
// The reading is a use case (the upcoming invoice), handed in by the runtime.
import { ApplicationFailure } from '@temporalio/activity';
import type { BalanceSnapshot } from '../workflow-contracts/balance.ts';

export type BalanceReader = (customerId: string) => Promise<BalanceSnapshot>;

/** The failure type of a worker that cannot read balances. */
export const BALANCE_UNAVAILABLE = 'BalanceUnavailable';

export interface BalanceDependencies {
  /** The balance is unavailable without one (a worker with no Temporal client). */
  readBalance?: BalanceReader | undefined;
}

export function createBalanceActivities(deps: BalanceDependencies) {
  return {
    async readCustomerBalance(input: { customerId: string }): Promise<BalanceSnapshot> {
      // Retrying cannot help a worker wired without one: the workflow ends instead.
      if (!deps.readBalance)
        throw ApplicationFailure.nonRetryable(
          'the live balance needs a Temporal client in the worker',
          BALANCE_UNAVAILABLE,
        );
      return deps.readBalance(input.customerId);
    },
  };
}

/** What the customer balance workflow calls through proxyActivities (import type only). */
export type BalanceActivities = ReturnType<typeof createBalanceActivities>;
