// One durable timer per wallet grant with an expiry: it sleeps until the grant expires (a
// Temporal timer, or the test clock's virtual time) and then expires what is left of it, as one
// immutable movement. A grant used up, voided or never paid meanwhile expires nothing: the
// activity reads the grant under its lock and decides.
import { proxyActivities } from '@temporalio/workflow';
import type { WalletActivities } from '../activities/wallets.ts';
import { quickStep } from './activity-options.ts';
import { workflowClock } from './clock.ts';
import type { WalletGrantExpiryInput } from './wallet-grant-expiry-messages.ts';

const { expireWalletGrant } = proxyActivities<WalletActivities>(quickStep);

export async function walletGrantExpiryWorkflow(
  input: WalletGrantExpiryInput,
): Promise<{ status: string; expired: number }> {
  const clock = workflowClock(input.testClock);
  const at = Date.parse(input.expiresAt);
  if (clock.now() < at) {
    await clock.sleepUntil(at, () => false, `Wallet credit ${input.grantId} expires`);
  }
  const result = await expireWalletGrant.executeWithOptions(
    { summary: `Expire what is left of wallet credit ${input.grantId}` },
    [{ grantId: input.grantId, at: input.expiresAt }],
  );
  clock.end('finished');
  return result;
}
