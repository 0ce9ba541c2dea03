// The recurring wallet top-up story for the replay test's history (scripts/record-histories.ts):
// a wallet buying EUR 20.00 of credit every month from now; after two purchases (and a month of
// virtual time) its rule is removed and the workflow ends at its next period.
import { putTopUp } from '../../db/repositories/wallet-top-ups.ts';
import { insertWallet } from '../../db/repositories/wallets.ts';
import { walletTopUpStartOptions } from '../../temporal/wallet-start.ts';
import type { walletTopUpWorkflow } from '../../workflows/wallet-top-up.ts';
import { replayCustomer, type Story } from '../recording.ts';

const DAY = 86_400_000;

export const walletTopUp: Story = {
  name: 'wallet-top-up',
  summary: 'a monthly top-up of EUR 20.00 bought twice, then its rule removed',
  async play(recording) {
    const { db, env } = recording;
    const customer = await replayCustomer(db, 'Europe/Paris');
    const now = new Date(await env.currentTimeMs());
    const wallet = await insertWallet(db, {
      customerId: customer.id,
      currency: customer.currency,
      name: 'Monthly credit',
      priority: 1,
      planCodes: null,
    });
    await putTopUp(db, wallet.id, {
      kind: 'recurring',
      amount: 2000,
      credit: 2000,
      below: null,
      interval: 'month',
      anchor: now,
    });
    const handle = await env.client.workflow.start<typeof walletTopUpWorkflow>(
      'walletTopUpWorkflow',
      walletTopUpStartOptions({
        walletId: wallet.id,
        from: now.toISOString(),
        customerId: customer.id,
      }),
    );
    await env.sleep(40 * DAY);
    await db.deleteFrom('wallet_top_ups').where('wallet_id', '=', wallet.id).execute();
    await handle.result();
    return handle;
  },
};
