// Payments received against invoices and the customer credit they may leave. A payment is
// recorded once per (invoice, reference) under the invoice's row lock: the same payment posted
// twice, by the API or a provider's retried webhook, changes nothing the second time. What
// exceeds the balance goes to the customer's credit ledger and is taken off the next invoice.
import { sql, type Transaction } from 'kysely';
import { canApply, splitPayment } from '../../domain/invoicing/lifecycle.ts';
import { ACCOUNT_CREDIT_METHOD } from '../../domain/core/payment-methods.ts';
import { inTransaction, type Db } from '../connect.ts';
import type { Database, Invoice, Payment } from '../database.ts';
import { newId } from '../ids.ts';
import { setAmountPaidLocked } from './invoice-lifecycle.ts';
import { lockInvoice } from './invoices.ts';
import { postPayment } from './ledger.ts';
import { InvalidInvoiceRequestError, InvalidInvoiceTransitionError } from './invoice-errors.ts';
import { customerNow } from './test-clocks.ts';
import { recordEvent } from './webhook-events.ts';

type Executor = Db | Transaction<Database>;

export interface NewPayment {
  invoiceId: string;
  /** Minor units of the invoice's currency. */
  amount: number;
  /** When given, must be the invoice's currency. */
  currency?: string | undefined;
  /** As the customer recognises it: "bank_transfer", "card", "Visa ending 4242". */
  method: string;
  /** The payer's or provider's reference: the payment's identity on this invoice. */
  reference: string;
  /** When it was paid; default the customer's now (a test clock's instant on a clocked customer). */
  paidAt?: string | undefined;
  /** api, credit_balance, or the provider's name. */
  source: string;
}

export interface RecordedPayment {
  payment: Payment;
  invoice: Invoice;
  /** False when the reference was already recorded: nothing changed. */
  created: boolean;
}

/** The reference is already recorded on the invoice, for a different payment. */
export class PaymentConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentConflictError';
  }
}

/**
 * Records a payment in one transaction: the payment row, the invoice's new balance and status,
 * and the customer credit for any overpayment. A repeat of the same reference returns the first.
 */
export async function recordPayment(db: Executor, input: NewPayment): Promise<RecordedPayment> {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
    throw new InvalidInvoiceRequestError('amount', 'must be a positive integer (minor units)');
  }
  return inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, input.invoiceId);
    const earlier = await trx
      .selectFrom('payments')
      .selectAll()
      .where('invoice_id', '=', invoice.id)
      .where('reference', '=', input.reference)
      .executeTakeFirst();
    if (earlier) {
      if (earlier.amount !== input.amount) {
        throw new PaymentConflictError(
          `reference ${input.reference} is already recorded for a payment of ${earlier.amount}, not ${input.amount}`,
        );
      }
      return { payment: earlier, invoice, created: false };
    }
    if (!canApply('record_payment', invoice.status)) {
      throw new InvalidInvoiceTransitionError(invoice.id, 'record_payment', invoice.status);
    }
    if (input.currency !== undefined && input.currency !== invoice.currency) {
      throw new InvalidInvoiceRequestError(
        'currency',
        `the invoice is in ${invoice.currency}, not ${input.currency}`,
      );
    }
    const { applied, overpaid } = splitPayment(input.amount, invoice.amount_due);
    const paidAt =
      input.paidAt === undefined
        ? await customerNow(trx, invoice.customer_id)
        : new Date(input.paidAt);
    const payment = await trx
      .insertInto('payments')
      .values({
        id: newId('pay'),
        invoice_id: invoice.id,
        customer_id: invoice.customer_id,
        currency: invoice.currency,
        amount: input.amount,
        applied_amount: applied,
        overpaid_amount: overpaid,
        method: input.method,
        reference: input.reference,
        source: input.source,
        paid_at: paidAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, 'payment.succeeded', payment);
    const updated =
      applied > 0
        ? await setAmountPaidLocked(trx, invoice, invoice.amount_paid + applied, paidAt)
        : invoice;
    if (overpaid > 0) {
      await trx
        .insertInto('customer_credit_entries')
        .values({
          customer_id: invoice.customer_id,
          currency: invoice.currency,
          amount: overpaid,
          payment_id: payment.id,
          invoice_id: invoice.id,
          idempotency_key: `payment/${payment.id}/overpaid`,
          description: `Overpayment of invoice ${invoice.number ?? invoice.id}`,
        })
        .execute();
    }
    // Posted with the payment: cash (or customer credit) against AR, the excess as credit.
    await postPayment(trx, payment, invoice, updated);
    return { payment, invoice: updated, created: true };
  });
}

/** The customer's unused credit in a currency (overpayments less what was applied). */
export async function creditBalance(
  db: Executor,
  customerId: string,
  currency: string,
): Promise<number> {
  const row = await db
    .selectFrom('customer_credit_entries')
    .select(sql<string>`coalesce(sum(amount), 0)`.as('balance'))
    .where('customer_id', '=', customerId)
    .where('currency', '=', currency)
    .executeTakeFirstOrThrow();
  return Number(row.balance);
}

/** Every currency's credit balance of a customer (non-zero ones). */
export async function creditBalances(
  db: Executor,
  customerId: string,
): Promise<{ currency: string; amount: number }[]> {
  const rows = await db
    .selectFrom('customer_credit_entries')
    .select(['currency', sql<string>`sum(amount)`.as('balance')])
    .where('customer_id', '=', customerId)
    .groupBy('currency')
    .orderBy('currency')
    .execute();
  return rows
    .map((r) => ({ currency: r.currency, amount: Number(r.balance) }))
    .filter((r) => r.amount !== 0);
}

/**
 * Takes the customer's credit off an invoice as a payment (source credit_balance), once per
 * invoice: the customer's credit rows are locked so two invoices never spend the same credit.
 * Null when there is no credit or nothing to pay.
 */
export async function applyCreditBalance(
  db: Db,
  invoiceId: string,
  at: string,
): Promise<RecordedPayment | null> {
  return db.transaction().execute(async (trx) => {
    const invoice = await lockInvoice(trx, invoiceId);
    const reference = 'credit-balance';
    const earlier = await trx
      .selectFrom('payments')
      .selectAll()
      .where('invoice_id', '=', invoice.id)
      .where('reference', '=', reference)
      .executeTakeFirst();
    if (earlier) return { payment: earlier, invoice, created: false };
    if (invoice.amount_due <= 0 || !['open', 'partially_paid'].includes(invoice.status)) {
      return null;
    }
    // Serialises spenders of this customer's credit (the customer row is the lock).
    await trx
      .selectFrom('customers')
      .select('id')
      .where('id', '=', invoice.customer_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const balance = await creditBalance(trx, invoice.customer_id, invoice.currency);
    const amount = Math.min(balance, invoice.amount_due);
    if (amount <= 0) return null;
    const recorded = await recordPayment(trx, {
      invoiceId: invoice.id,
      amount,
      method: ACCOUNT_CREDIT_METHOD,
      reference,
      paidAt: at,
      source: 'credit_balance',
    });
    await trx
      .insertInto('customer_credit_entries')
      .values({
        customer_id: invoice.customer_id,
        currency: invoice.currency,
        amount: -amount,
        payment_id: recorded.payment.id,
        invoice_id: invoice.id,
        idempotency_key: `invoice/${invoice.id}/credit-applied`,
        description: `Applied to invoice ${invoice.number ?? invoice.id}`,
      })
      .execute();
    return recorded;
  });
}

export async function listPayments(db: Executor, invoiceId: string): Promise<Payment[]> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .orderBy('paid_at')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function getPayment(db: Executor, paymentId: string): Promise<Payment | undefined> {
  return db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
}

/** What the invoice's payments applied up to `payment`, it included, in the order recorded. */
export async function appliedThrough(db: Executor, payment: Payment): Promise<number> {
  const paid = await db
    .selectFrom('payments')
    .select((eb) => eb.fn.sum<string>('applied_amount').as('applied'))
    .where('invoice_id', '=', payment.invoice_id)
    .where((eb) =>
      eb.or([
        eb('created_at', '<', payment.created_at),
        eb.and([eb('created_at', '=', payment.created_at), eb('id', '<=', payment.id)]),
      ]),
    )
    .executeTakeFirst();
  return Number(paid?.applied ?? 0);
}
