// The wallet grant expiry workflow's input, shared by the workflow, its starter and test clocks.
import type { TestClockRef } from '../workflow-contracts/test-clock.ts';

export interface WalletGrantExpiryInput {
  grantId: string;
  /** ISO instant the grant's remaining credit expires. */
  expiresAt: string;
  testClock?: TestClockRef;
}
