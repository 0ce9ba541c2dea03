// Automatic top-ups as stored: each wallet's rule, and the purchases rules made. A purchase is
// what buying credit is everywhere (an exempt draft invoice selling it, and a pending purchased
// grant granted once that invoice is paid), recorded under the rule's row lock and unique by
// (wallet, key): a recurring period or a threshold crossing buys once.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { Database, WalletTopUp, WalletTopUpInterval, WalletTopUpKind } from '../database.ts';
import { createCreditSaleInvoice, insertGrant } from './wallets.ts';

type Executor = Db | Transaction<Database>;

export interface TopUpRule {
  kind: WalletTopUpKind;
  amount: number;
  credit: number;
  below: number | null;
  interval: WalletTopUpInterval | null;
  anchor: Date | null;
}

export async function getTopUp(db: Executor, walletId: string): Promise<WalletTopUp | undefined> {
  return db
    .selectFrom('wallet_top_ups')
    .selectAll()
    .where('wallet_id', '=', walletId)
    .executeTakeFirst();
}

/** Sets (or replaces) the wallet's rule. */
export async function putTopUp(
  db: Executor,
  walletId: string,
  rule: TopUpRule,
): Promise<WalletTopUp> {
  const values = { ...rule, updated_at: sql<Date>`now()` };
  return db
    .insertInto('wallet_top_ups')
    .values({ wallet_id: walletId, ...values })
    .onConflict((oc) => oc.column('wallet_id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteTopUp(db: Executor, walletId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('wallet_top_ups')
    .where('wallet_id', '=', walletId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Buys the rule's credit once for `key`, under the rule's row lock: a draft invoice of the
 * rule's price (exempt, as every sale of credit) and a pending grant of its credit. Returns the
 * draft's id, or null when the key was bought already or the rule is gone or changed kind.
 */
export async function buyTopUp(
  trx: Transaction<Database>,
  walletId: string,
  kind: WalletTopUpKind,
  key: string,
  at: Date,
): Promise<string | null> {
  const rule = await trx
    .selectFrom('wallet_top_ups')
    .selectAll()
    .where('wallet_id', '=', walletId)
    .forUpdate()
    .executeTakeFirst();
  if (!rule || rule.kind !== kind) return null;
  const bought = await trx
    .selectFrom('wallet_top_up_purchases')
    .select('grant_id')
    .where('wallet_id', '=', walletId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (bought) return null;
  if (kind === 'threshold' && (await thresholdPurchasePending(trx, walletId))) return null;
  const wallet = await trx
    .selectFrom('wallets')
    .innerJoin('customers', 'customers.id', 'wallets.customer_id')
    .select(['wallets.name', 'wallets.currency', 'wallets.customer_id', 'customers.locale'])
    .where('wallets.id', '=', walletId)
    .executeTakeFirstOrThrow();
  const invoice = await createCreditSaleInvoice(trx, {
    customerId: wallet.customer_id,
    locale: wallet.locale,
    walletName: wallet.name,
    currency: wallet.currency,
    price: rule.amount,
  });
  const grant = await insertGrant(trx, {
    walletId,
    kind: 'purchased',
    amount: rule.credit,
    reason: null,
    expiresAt: null,
    invoiceId: invoice.id,
    at,
  });
  await trx
    .insertInto('wallet_top_up_purchases')
    .values({ wallet_id: walletId, key, kind, grant_id: grant.id })
    .execute();
  return invoice.id;
}

/** Whether a threshold purchase of the wallet still waits for its invoice to be paid. */
async function thresholdPurchasePending(trx: Transaction<Database>, walletId: string) {
  const row = await trx
    .selectFrom('wallet_top_up_purchases as p')
    .innerJoin('wallet_grants as g', 'g.id', 'p.grant_id')
    .select('p.key')
    .where('p.wallet_id', '=', walletId)
    .where('p.kind', '=', 'threshold')
    .where('g.status', '=', 'pending')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * After an invoice consumed the customer's credit (in its finalizing transaction): every
 * threshold rule whose wallet's usable balance is now under its level, with no top-up purchase
 * of it still waiting for payment, buys once. Returns the drafts to finalize.
 */
export async function buyThresholdTopUps(
  trx: Transaction<Database>,
  customerId: string,
  crossedBy: string,
  at: Date,
): Promise<string[]> {
  const due = await trx
    .selectFrom('wallet_top_ups as r')
    .innerJoin('wallets as w', 'w.id', 'r.wallet_id')
    .select('r.wallet_id')
    .where('w.customer_id', '=', customerId)
    .where('r.kind', '=', 'threshold')
    .where(
      sql<boolean>`(select coalesce(sum(g.remaining), 0) from wallet_grants g
        where g.wallet_id = r.wallet_id and g.status = 'active') < r.below`,
    )
    .orderBy('r.wallet_id')
    .execute();
  const drafts: string[] = [];
  for (const { wallet_id } of due) {
    const id = await buyTopUp(trx, wallet_id, 'threshold', `threshold/${crossedBy}`, at);
    if (id) drafts.push(id);
  }
  return drafts;
}
