// Wallet credit on an invoice being finalized, in its finalizing transaction (so a retry finds
// the invoice finalized and takes nothing twice). Promotional credit first, before tax: a
// discount spread over the lines. Purchased credit last, after tax: a payment of the amount due
// (source "wallet"), posted Dr prepaid credit, Cr accounts receivable. The pure rules are in
// domain/wallets/.
import type { Transaction } from 'kysely';
import {
  promotionalCredit,
  purchasedCredit,
  WALLET_PAYMENT_SOURCE,
} from '../../domain/wallets/invoice-credit.ts';
import type { Draw } from '../../domain/wallets/draw.ts';
import type { Database, Invoice, InvoiceLine, WalletGrant } from '../database.ts';
import { revenueDimensions } from './ledger.ts';
import { recordPayment } from './payments.ts';
import { recordMovement, lockUsableGrants } from './wallets.ts';

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

/** Whether the invoice sells wallet credit: credit never pays for more credit. */
async function sellsCredit(trx: Transaction<Database>, invoiceId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('wallet_grants')
    .select('id')
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes the customer's eligible promotional credit off a draft's lines, before tax: each line's
 * discount grows by its share. Returns the lines as they are now.
 */
export async function applyPromotionalCredit(
  trx: Transaction<Database>,
  invoice: Invoice,
  lines: InvoiceLine[],
  at: Date,
): Promise<InvoiceLine[]> {
  if (await sellsCredit(trx, invoice.id)) return lines;
  const { rows, balances } = await lockUsableGrants(trx, invoice.customer_id, invoice.currency);
  if (!balances.some((g) => g.kind === 'promotional')) return lines;
  const { planCode } = await revenueDimensions(trx, invoice);
  const credit = promotionalCredit(balances, {
    planCode,
    at: at.toISOString(),
    lineNets: lines.map((l) => l.amount - l.discount_amount),
  });
  if (credit.total === 0) return lines;
  await consume(trx, rows, credit.draws, invoice, 'promotional', at);
  const updated: InvoiceLine[] = [];
  for (const [i, line] of lines.entries()) {
    const extra = credit.lineDiscounts[i]!;
    if (extra === 0) {
      updated.push(line);
      continue;
    }
    updated.push(
      await trx
        .updateTable('invoice_lines')
        .set({ discount_amount: line.discount_amount + extra })
        .where('id', '=', line.id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }
  return updated;
}

/** Pays the finalized invoice's amount due from purchased credit, after tax. */
export async function applyPurchasedCredit(
  trx: Transaction<Database>,
  invoice: Invoice,
  at: Date,
): Promise<Invoice> {
  if (invoice.amount_due <= 0 || (await sellsCredit(trx, invoice.id))) return invoice;
  const { rows, balances } = await lockUsableGrants(trx, invoice.customer_id, invoice.currency);
  if (!balances.some((g) => g.kind === 'purchased')) return invoice;
  const { planCode } = await revenueDimensions(trx, invoice);
  const credit = purchasedCredit(balances, {
    planCode,
    at: at.toISOString(),
    amountDue: invoice.amount_due,
  });
  if (credit.total === 0) return invoice;
  const paid = await recordPayment(trx, {
    invoiceId: invoice.id,
    amount: credit.total,
    method: 'prepaid credit',
    reference: 'wallet-credit',
    paidAt: at.toISOString(),
    source: WALLET_PAYMENT_SOURCE,
  });
  await consume(trx, rows, credit.draws, invoice, 'purchased', at);
  return paid.invoice;
}
