// Wallets and their grants as stored, and every movement of their credit. Each movement is one
// append-only wallet_transactions row, unique by its business key, written in the transaction
// that changes the grant's `remaining` under the grant's row lock; for purchased credit (money)
// it posts its balanced journal entry in the same transaction (db/repositories/ledger.ts).
import { sql, type Transaction } from 'kysely';
import type { GrantBalance, GrantKind } from '../../domain/wallets/draw.ts';
import { inTransaction, type Db } from '../connect.ts';
import type {
  Database,
  Invoice,
  Wallet,
  WalletGrant,
  WalletTransaction,
  WalletTransactionKind,
} from '../database.ts';
import { newId } from '../ids.ts';
import { translate } from '../../i18n/catalogue.ts';
import { createDraftInvoice } from './invoice-drafts.ts';
import { toPage } from '../pagination.ts';

type Executor = Db | Transaction<Database>;

export interface NewWallet {
  customerId: string;
  currency: string;
  name: string;
  priority: number;
  planCodes: string[] | null;
}

export async function insertWallet(db: Executor, wallet: NewWallet): Promise<Wallet> {
  return db
    .insertInto('wallets')
    .values({
      id: newId('wal'),
      customer_id: wallet.customerId,
      currency: wallet.currency,
      name: wallet.name,
      priority: wallet.priority,
      plan_codes: wallet.planCodes,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getWallet(db: Executor, id: string): Promise<Wallet | undefined> {
  return db.selectFrom('wallets').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listWallets(db: Executor, customerId: string): Promise<Wallet[]> {
  return db
    .selectFrom('wallets')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('priority')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Each wallet's usable balance (active grants' remaining), by wallet id. */
export async function walletBalances(
  db: Executor,
  walletIds: readonly string[],
): Promise<Map<string, { balance: number; pending: number }>> {
  const result = new Map(walletIds.map((id) => [id, { balance: 0, pending: 0 }]));
  if (walletIds.length === 0) return result;
  const rows = await db
    .selectFrom('wallet_grants')
    .select([
      'wallet_id',
      sql<string>`coalesce(sum(remaining) filter (where status = 'active'), 0)`.as('balance'),
      sql<string>`coalesce(sum(amount) filter (where status = 'pending'), 0)`.as('pending'),
    ])
    .where('wallet_id', 'in', walletIds)
    .groupBy('wallet_id')
    .execute();
  for (const r of rows) {
    result.set(r.wallet_id, { balance: Number(r.balance), pending: Number(r.pending) });
  }
  return result;
}

export async function getGrant(db: Executor, id: string): Promise<WalletGrant | undefined> {
  return db.selectFrom('wallet_grants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listGrants(db: Executor, walletId: string): Promise<WalletGrant[]> {
  return db
    .selectFrom('wallet_grants')
    .selectAll()
    .where('wallet_id', '=', walletId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Oldest first; `startingAfter` is the id of the previous page's last movement. */
export async function listWalletTransactions(
  db: Executor,
  walletId: string,
  page: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: WalletTransaction[]; hasMore: boolean }> {
  let query = db
    .selectFrom('wallet_transactions')
    .selectAll()
    .where('wallet_id', '=', walletId)
    .orderBy('sequence')
    .limit(page.limit + 1);
  if (page.startingAfter !== undefined) {
    query = query.where(
      'sequence',
      '>',
      db.selectFrom('wallet_transactions').select('sequence').where('id', '=', page.startingAfter),
    );
  }
  return toPage(await query.execute(), page.limit);
}

/** The wallet movements an invoice made (what its document shows), by grant kind. */
export async function invoiceWalletCredit(
  db: Executor,
  invoiceId: string,
): Promise<{ promotional: number; purchased: number }> {
  const rows = await db
    .selectFrom('wallet_transactions')
    .innerJoin('wallet_grants', 'wallet_grants.id', 'wallet_transactions.grant_id')
    .select(['wallet_grants.kind', sql<string>`sum(-wallet_transactions.amount)`.as('used')])
    .where('wallet_transactions.invoice_id', '=', invoiceId)
    .where('wallet_transactions.kind', '=', 'consumption')
    .groupBy('wallet_grants.kind')
    .execute();
  const used = (kind: GrantKind) => Number(rows.find((r) => r.kind === kind)?.used ?? 0);
  return { promotional: used('promotional'), purchased: used('purchased') };
}

export interface NewGrant {
  walletId: string;
  kind: GrantKind;
  amount: number;
  reason: string | null;
  expiresAt: string | null;
  /** The invoice selling purchased credit; the grant waits for it to be paid. */
  invoiceId: string | null;
  at: Date;
}

/** A grant: promotional credit is usable at once; purchased credit waits for its invoice. */
export async function insertGrant(db: Executor, input: NewGrant): Promise<WalletGrant> {
  return inTransaction(db, async (trx) => {
    const wallet = await trx
      .selectFrom('wallets')
      .selectAll()
      .where('id', '=', input.walletId)
      .executeTakeFirstOrThrow();
    const pending = input.kind === 'purchased';
    const grant = await trx
      .insertInto('wallet_grants')
      .values({
        id: newId('wgr'),
        wallet_id: wallet.id,
        customer_id: wallet.customer_id,
        currency: wallet.currency,
        kind: input.kind,
        status: pending ? 'pending' : 'active',
        amount: input.amount,
        remaining: pending ? 0 : input.amount,
        reason: input.reason,
        invoice_id: input.invoiceId,
        expires_at: input.expiresAt,
        granted_at: pending ? null : input.at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (!pending) {
      await recordMovement(trx, grant, 'grant', input.amount, {
        key: `grant/${grant.id}/granted`,
        description: `Promotional credit granted: ${input.reason ?? ''}`.trim(),
        at: input.at,
      });
    }
    return grant;
  });
}

/** Locks and reads one grant. */
export async function lockGrant(trx: Transaction<Database>, id: string): Promise<WalletGrant> {
  return trx
    .selectFrom('wallet_grants')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** One movement: the row, and the grant's new remaining. Nothing if its key is recorded. */
export async function recordMovement(
  trx: Transaction<Database>,
  grant: WalletGrant,
  kind: WalletTransactionKind,
  amount: number,
  what: { key: string; description: string; at: Date; invoiceId?: string | null },
): Promise<boolean> {
  const row = await trx
    .insertInto('wallet_transactions')
    .values({
      id: newId('wtx'),
      wallet_id: grant.wallet_id,
      grant_id: grant.id,
      customer_id: grant.customer_id,
      currency: grant.currency,
      kind,
      amount,
      invoice_id: what.invoiceId ?? null,
      idempotency_key: what.key,
      description: what.description,
      occurred_at: what.at,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  // A grant's first movement is the grant itself: its remaining starts there.
  if (kind !== 'grant' || grant.status === 'pending') {
    await trx
      .updateTable('wallet_grants')
      .set({ remaining: sql<number>`remaining + ${amount}` })
      .where('id', '=', grant.id)
      .execute();
  }
  return true;
}

/** The customer's usable grants in a currency, locked (spenders of one wallet serialise). */
export async function lockUsableGrants(
  trx: Transaction<Database>,
  customerId: string,
  currency: string,
): Promise<{ rows: WalletGrant[]; balances: GrantBalance[] }> {
  const rows = await trx
    .selectFrom('wallet_grants')
    .innerJoin('wallets', 'wallets.id', 'wallet_grants.wallet_id')
    .selectAll('wallet_grants')
    .select(['wallets.priority', 'wallets.plan_codes'])
    .where('wallet_grants.customer_id', '=', customerId)
    .where('wallet_grants.currency', '=', currency)
    .where('wallet_grants.status', '=', 'active')
    .where('wallet_grants.remaining', '>', 0)
    .orderBy('wallet_grants.id')
    .forUpdate()
    .execute();
  return {
    rows,
    balances: rows.map((g) => ({
      grantId: g.id,
      kind: g.kind,
      priority: g.priority,
      scope: g.plan_codes === null ? null : { planCodes: g.plan_codes },
      expiresAt: g.expires_at?.toISOString() ?? null,
      grantedAt: (g.granted_at ?? g.created_at).toISOString(),
      remaining: g.remaining,
    })),
  };
}

/**
 * The draft invoice selling purchased credit: one line for its price, tax category exempt (a
 * multi-purpose voucher is taxed when used, docs/WALLETS.md), in the customer's language.
 */
export async function createCreditSaleInvoice(
  db: Executor,
  sale: { customerId: string; locale: string; walletName: string; currency: string; price: number },
): Promise<Invoice> {
  return createDraftInvoice(db, {
    customerId: sale.customerId,
    currency: sale.currency,
    origin: 'manual',
    lines: [
      {
        description: translate(sale.locale, 'wallets.purchaseLine', { wallet: sale.walletName }),
        quantity: '1',
        unitAmount: String(sale.price),
        amount: sale.price,
        taxCategory: 'exempt',
      },
    ],
  });
}
