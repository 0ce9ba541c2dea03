// A grant's life after it is made: purchased credit granted once its invoice is paid, and a
// grant ended by its expiry or voided by an operator. Each under the grant's row lock, with its
// movement (db/repositories/wallets.ts) and, for purchased credit, its journal entry, in one
// transaction.
import type { Transaction } from 'kysely';
import {
  walletCreditExpiredLines,
  walletCreditGrantedLines,
  walletCreditVoidedLines,
} from '../../domain/ledger/postings.ts';
import type { Db } from '../connect.ts';
import type { Database, Invoice, WalletGrant } from '../database.ts';
import { postEntry, revenueDimensions } from './ledger.ts';
import { lockGrant, recordMovement } from './wallets.ts';

/**
 * The invoice selling purchased credit is paid: its pending grant becomes usable, exactly once
 * (the grant's row lock and the movement's key), and its price moves from revenue to the
 * prepaid-credit liability. Called on the payment path, in the payment's transaction.
 */
export async function grantPaidCredit(
  trx: Transaction<Database>,
  invoice: Invoice,
  at: Date,
): Promise<WalletGrant | null> {
  if (invoice.status !== 'paid') return null;
  const found = await trx
    .selectFrom('wallet_grants')
    .select('id')
    .where('invoice_id', '=', invoice.id)
    .executeTakeFirst();
  if (!found) return null;
  const grant = await lockGrant(trx, found.id);
  if (grant.status !== 'pending') return null;
  await recordMovement(trx, grant, 'grant', grant.amount, {
    key: `grant/${grant.id}/granted`,
    description: `Prepaid credit granted: invoice ${invoice.number ?? invoice.id} paid`,
    at,
    invoiceId: invoice.id,
  });
  await trx
    .updateTable('wallet_grants')
    .set({ status: 'active', granted_at: at })
    .where('id', '=', grant.id)
    .execute();
  await postEntry(trx, {
    kind: 'wallet_credit_granted',
    sourceId: grant.id,
    customerId: grant.customer_id,
    currency: grant.currency,
    occurredAt: at,
    description: `Prepaid credit ${grant.id} granted on payment of invoice ${invoice.number}`,
    invoiceId: invoice.id,
    documentNumber: invoice.number,
    lines: walletCreditGrantedLines(grant.amount, await revenueDimensions(trx, invoice)),
  });
  return { ...grant, status: 'active', remaining: grant.amount, granted_at: at };
}

/** Ends a grant: what is left goes (an expiry, or a void); purchased credit posts its entry. */
async function endGrant(
  trx: Transaction<Database>,
  grant: WalletGrant,
  how: 'expiry' | 'void',
  at: Date,
): Promise<WalletGrant> {
  const left = grant.remaining;
  if (left > 0) {
    await recordMovement(trx, grant, how, -left, {
      key: `grant/${grant.id}/${how}`,
      description: how === 'expiry' ? 'Credit expired unused' : 'Credit voided',
      at,
    });
  }
  const ended = await trx
    .updateTable('wallet_grants')
    .set({ status: how === 'expiry' ? 'expired' : 'voided', ended_at: at })
    .where('id', '=', grant.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (left > 0 && grant.kind === 'purchased' && grant.invoice_id !== null) {
    const invoice = await trx
      .selectFrom('invoices')
      .selectAll()
      .where('id', '=', grant.invoice_id)
      .executeTakeFirstOrThrow();
    if (how === 'void') {
      await trx
        .insertInto('customer_credit_entries')
        .values({
          customer_id: grant.customer_id,
          currency: grant.currency,
          amount: left,
          invoice_id: invoice.id,
          idempotency_key: `wallet-grant/${grant.id}/voided`,
          description: `Prepaid credit ${grant.id} voided: returned to the credit balance`,
        })
        .execute();
    }
    await postEntry(trx, {
      kind: how === 'expiry' ? 'wallet_credit_expired' : 'wallet_credit_voided',
      sourceId: grant.id,
      customerId: grant.customer_id,
      currency: grant.currency,
      occurredAt: at,
      description: `Prepaid credit ${grant.id} ${how === 'expiry' ? 'expired' : 'voided'}`,
      invoiceId: invoice.id,
      documentNumber: invoice.number,
      lines:
        how === 'expiry'
          ? walletCreditExpiredLines(left, await revenueDimensions(trx, invoice))
          : walletCreditVoidedLines(left),
    });
  }
  return ended;
}

/**
 * Expires what is left of a grant once its expiry has come (the expiry workflow's activity),
 * with how much expired. Idempotent: a grant already ended, or not yet due, expires nothing.
 */
export async function expireGrant(
  db: Db,
  grantId: string,
  at: Date,
): Promise<{ grant: WalletGrant; expired: number }> {
  return db.transaction().execute(async (trx) => {
    const grant = await lockGrant(trx, grantId);
    if (grant.status === 'expired' || grant.status === 'voided') return { grant, expired: 0 };
    if (grant.expires_at === null || grant.expires_at.getTime() > at.getTime()) {
      return { grant, expired: 0 };
    }
    if (grant.status === 'pending') {
      // Never paid before its expiry: nothing was granted, so nothing expires.
      const ended = await trx
        .updateTable('wallet_grants')
        .set({ status: 'expired', ended_at: at })
        .where('id', '=', grant.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { grant: ended, expired: 0 };
    }
    return { grant: await endGrant(trx, grant, 'expiry', at), expired: grant.remaining };
  });
}

/** Voids an active grant (what is left); an ended one is returned; null if still pending. */
export async function voidGrant(db: Db, grantId: string, at: Date): Promise<WalletGrant | null> {
  return db.transaction().execute(async (trx) => {
    const grant = await lockGrant(trx, grantId);
    if (grant.status === 'pending') return null;
    if (grant.status !== 'active') return grant;
    return endGrant(trx, grant, 'void', at);
  });
}
