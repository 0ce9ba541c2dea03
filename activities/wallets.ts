// Wallet credit's side effects a workflow performs: expiring a grant when its timer fires, and
// buying a recurring top-up's credit for a period. Idempotent by row locks and business keys.
import type { Db } from '../db/connect.ts';
import { finalizeInvoice } from '../db/repositories/invoice-finalization.ts';
import type { InvoiceTaxSettings } from '../db/repositories/invoice-tax.ts';
import { expireGrant } from '../db/repositories/wallet-grants.ts';
import { buyTopUp, getTopUp } from '../db/repositories/wallet-top-ups.ts';
import {
  finalizedInvoiceStarts,
  recordWorkflowStarts,
} from '../db/repositories/workflow-starts.ts';
import { nextTopUpPeriod } from '../domain/wallets/top-up.ts';
import type { InvoicingSettings } from './subscriptions.ts';

export function createWalletActivities(
  deps: { db: Db; tax: InvoiceTaxSettings } & InvoicingSettings,
) {
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

    /** The wallet's next recurring top-up period at or after `from`; null with no such rule. */
    async nextRecurringTopUp(input: { walletId: string; from: string }): Promise<string | null> {
      const rule = await getTopUp(db, input.walletId);
      if (rule?.kind !== 'recurring' || !rule.interval || !rule.anchor) return null;
      return nextTopUpPeriod(rule.anchor.toISOString(), rule.interval, input.from);
    },

    /**
     * Buys the period's credit once (keyed by wallet and period) and finalizes its invoice in
     * the same transaction; its delivery and collection go to the outbox. Null when bought
     * already or the rule is gone.
     */
    async buyRecurringTopUp(input: {
      walletId: string;
      period: string;
    }): Promise<{ invoiceId: string | null }> {
      const at = new Date(input.period);
      return db.transaction().execute(async (trx) => {
        const draftId = await buyTopUp(
          trx,
          input.walletId,
          'recurring',
          `period/${input.period}`,
          at,
        );
        if (!draftId) return { invoiceId: null };
        const invoice = await finalizeInvoice(trx, draftId, {
          tax: deps.tax,
          numbering: deps.invoiceNumbering,
          seller: deps.seller,
          at,
        });
        await recordWorkflowStarts(trx, finalizedInvoiceStarts(invoice), 0);
        return { invoiceId: invoice.id };
      });
    },
  };
}

/** What the wallet workflows call through proxyActivities (import type only). */
export type WalletActivities = ReturnType<typeof createWalletActivities>;
