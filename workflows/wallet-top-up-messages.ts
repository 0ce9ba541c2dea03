// The recurring wallet top-up workflow's input, shared by the workflow, its starter and test clocks.
import type { TestClockRef } from '../workflow-contracts/test-clock.ts';

export interface WalletTopUpInput {
  walletId: string;
  /** ISO instant from which the next period is looked for (after the last one bought). */
  from: string;
  testClock?: TestClockRef;
}
