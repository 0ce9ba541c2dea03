// The wallet grant expiry story for the replay test's history (scripts/record-histories.ts): a
// promotional grant of EUR 50.00 expiring in 30 days, of which EUR 20.00 is left when its timer
// fires: the rest expires as one movement.
import { insertGrant, insertWallet, recordMovement } from '../../db/repositories/wallets.ts';
import { walletGrantExpiryStartOptions } from '../../temporal/wallet-start.ts';
import type { walletGrantExpiryWorkflow } from '../../workflows/wallet-grant-expiry.ts';
import { replayCustomer, type Story } from '../recording.ts';

const DAY = 86_400_000;

export const walletGrantExpiry: Story = {
  name: 'wallet-grant-expiry',
  summary: 'promotional wallet credit, partly used, whose rest expires after 30 days',
  async play(recording) {
    const { db, env } = recording;
    const customer = await replayCustomer(db, 'Europe/Paris');
    const now = await env.currentTimeMs();
    const wallet = await insertWallet(db, {
      customerId: customer.id,
      currency: customer.currency,
      name: 'Welcome credit',
      priority: 1,
      planCodes: null,
    });
    const expiresAt = new Date(now + 30 * DAY).toISOString();
    const grant = await insertGrant(db, {
      walletId: wallet.id,
      kind: 'promotional',
      amount: 5000,
      reason: 'welcome offer',
      expiresAt,
      invoiceId: null,
      at: new Date(now),
    });
    await db.transaction().execute((trx) =>
      recordMovement(trx, grant, 'consumption', -3000, {
        key: `story/${grant.id}/used`,
        description: 'Used',
        at: new Date(now),
      }),
    );
    const handle = await env.client.workflow.start<typeof walletGrantExpiryWorkflow>(
      'walletGrantExpiryWorkflow',
      walletGrantExpiryStartOptions({ grantId: grant.id, expiresAt, customerId: customer.id }),
    );
    await handle.result();
    return handle;
  },
};
