// One durable timer per wallet with a recurring top-up rule: it sleeps until the next period of
// the rule (a Temporal timer, or the test clock's virtual time), buys that period's credit once
// (unique by wallet and period) and sleeps again. The rule is read afresh each period, so a
// changed rule applies from its next period and a removed rule ends the workflow.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { WalletActivities } from '../activities/wallets.ts';
import { quickStep } from './activity-options.ts';
import { workflowClock } from './clock.ts';
import type { WalletTopUpInput } from './wallet-top-up-messages.ts';

const { nextRecurringTopUp, buyRecurringTopUp } = proxyActivities<WalletActivities>(quickStep);

/** Periods per run before continue-as-new, so history stays bounded. */
const PERIODS_PER_RUN = 12;

export async function walletTopUpWorkflow(input: WalletTopUpInput): Promise<{ bought: number }> {
  const clock = workflowClock(input.testClock);
  let from = input.from;
  let bought = 0;
  for (let i = 0; i < PERIODS_PER_RUN; i++) {
    const period = await nextRecurringTopUp({ walletId: input.walletId, from });
    if (period === null) {
      clock.end('finished');
      return { bought };
    }
    const at = Date.parse(period);
    if (clock.now() < at) {
      await clock.sleepUntil(at, () => false, `Wallet ${input.walletId} tops up at ${period}`);
    }
    const { invoiceId } = await buyRecurringTopUp.executeWithOptions(
      { summary: `Buy wallet ${input.walletId}'s credit for the period from ${period}` },
      [{ walletId: input.walletId, period }],
    );
    if (invoiceId) bought++;
    from = new Date(at + 1).toISOString();
  }
  clock.end('continuing');
  return continueAsNew<typeof walletTopUpWorkflow>({
    walletId: input.walletId,
    from,
    ...(clock.carry() && { testClock: clock.carry() }),
  });
}
