// Wallet credit on an invoice being finalized, in its finalizing transaction (so a retry finds
// the invoice finalized and takes nothing twice). Promotional credit first, before tax: a
// discount spread over the lines. Purchased credit last, after tax: a payment of the amount due
// (source "wallet"), posted Dr prepaid credit, Cr accounts receivable. The customer's usable
// grants are read and locked once, before the invoice takes its number (so the number series'
// lock is never held for them); a customer without credit costs one query. The pure rules are
// in domain/wallets/.
import type { Transaction } from 'kysely';
import {
  promotionalCredit,
  purchasedCredit,
  WALLET_PAYMENT_SOURCE,
} from '../../domain/wallets/invoice-credit.ts';
import type { Draw, GrantBalance } from '../../domain/wallets/draw.ts';
import type { Database, Invoice, InvoiceLine, WalletGrant } from '../database.ts';
import { revenueDimensions } from './ledger.ts';
import { recordPayment } from './payments.ts';
import { recordMovement, lockUsableGrants } from './wallets.ts';

/** The customer's usable credit for one invoice: the grants (locked) and the invoice's plan. */
export interface InvoiceWalletCredit {
  rows: WalletGrant[];
  balances: GrantBalance[];
  planCode: string | null;
}

/** What purchased credit will pay of an invoice: its draws and their total. */
export interface PrepaidPlan {
  credit: InvoiceWalletCredit;
  draws: Draw[];
  total: number;
}

/** The credit the invoice may use, locked; null when there is none (or it sells credit). */
export async function usableWalletCredit(
  trx: Transaction<Database>,
  invoice: Invoice,
): Promise<InvoiceWalletCredit | null> {
  const { rows, balances } = await lockUsableGrants(trx, invoice.customer_id, invoice.currency);
  if (rows.length === 0) return null;
  // An invoice that sells credit never uses credit.
  const sells = await trx
    .selectFrom('wallet_grants')
    .select('id')
    .where('invoice_id', '=', invoice.id)
    .executeTakeFirst();
  if (sells) return null;
  const { planCode } = await revenueDimensions(trx, invoice);
  return { rows, balances, planCode };
}

async function consume(
  trx: Transaction<Database>,
  rows: readonly WalletGrant[],
  draws: readonly Draw[],
  invoice: Invoice,
  stage: 'promotional' | 'purchased',
  at: Date,
): Promise<void> {
  for (const draw of draws) {
    const grant = rows.find((g) => g.id === draw.grantId)!;
    await recordMovement(trx, grant, 'consumption', -draw.amount, {
      key: `invoice/${invoice.id}/grant/${grant.id}/${stage}`,
      description:
        stage === 'promotional'
          ? 'Promotional credit taken off the invoice before tax'
          : 'Prepaid credit paid the invoice',
      at,
      invoiceId: invoice.id,
    });
  }
}

/**
 * Takes the eligible promotional credit off a draft's lines, before tax: each line's discount
 * grows by its share. Returns the lines as they are now.
 */
export async function applyPromotionalCredit(
  trx: Transaction<Database>,
  invoice: Invoice,
  lines: InvoiceLine[],
  credit: InvoiceWalletCredit | null,
  at: Date,
): Promise<InvoiceLine[]> {
  if (!credit?.balances.some((g) => g.kind === 'promotional')) return lines;
  const promotional = promotionalCredit(credit.balances, {
    planCode: credit.planCode,
    at: at.toISOString(),
    lineNets: lines.map((l) => l.amount - l.discount_amount),
  });
  if (promotional.total === 0) return lines;
  await consume(trx, credit.rows, promotional.draws, invoice, 'promotional', at);
  const updated: InvoiceLine[] = [];
  for (const [i, line] of lines.entries()) {
    const extra = promotional.lineDiscounts[i]!;
    updated.push(
      extra === 0
        ? line
        : await trx
            .updateTable('invoice_lines')
            .set({ discount_amount: line.discount_amount + extra })
            .where('id', '=', line.id)
            .returningAll()
            .executeTakeFirstOrThrow(),
    );
  }
  return updated;
}

/** What purchased credit pays of an invoice to be finalized for `total` (after tax). */
export function planPurchasedCredit(
  invoice: Invoice,
  total: number,
  credit: InvoiceWalletCredit | null,
  at: Date,
): PrepaidPlan | null {
  const amountDue = total - invoice.amount_paid - invoice.amount_credited;
  if (!credit || amountDue <= 0) return null;
  const paid = purchasedCredit(credit.balances, {
    planCode: credit.planCode,
    at: at.toISOString(),
    amountDue,
  });
  return paid.total === 0 ? null : { credit, ...paid };
}

/** Pays the finalized invoice from purchased credit as planned: a payment, and its movements. */
export async function payWithPurchasedCredit(
  trx: Transaction<Database>,
  invoice: Invoice,
  plan: PrepaidPlan,
  at: Date,
): Promise<Invoice> {
  const paid = await recordPayment(trx, {
    invoiceId: invoice.id,
    amount: Math.min(plan.total, invoice.amount_due),
    method: 'prepaid credit',
    reference: 'wallet-credit',
    paidAt: at.toISOString(),
    source: WALLET_PAYMENT_SOURCE,
  });
  await consume(trx, plan.credit.rows, plan.draws, invoice, 'purchased', at);
  return paid.invoice;
}
