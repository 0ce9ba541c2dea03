// Wallet credit's side effects a workflow performs: expiring a grant when its timer fires.
// Idempotent by the grant's row lock and the movement's business key.
import type { Db } from '../db/connect.ts';
import { expireGrant } from '../db/repositories/wallet-grants.ts';

export function createWalletActivities(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** Expires what is left of the grant at its expiry; nothing if it is over or not yet due. */
    async expireWalletGrant(input: {
      grantId: string;
      at: string;
    }): Promise<{ status: string; expired: number }> {
      const { grant, expired } = await expireGrant(db, input.grantId, new Date(input.at));
      return { status: grant.status, expired };
    },
  };
}

/** What the wallet grant expiry workflow calls through proxyActivities (import type only). */
export type WalletActivities = ReturnType<typeof createWalletActivities>;
