// Online payment's records: the checkouts opened at a provider for an invoice's amount due, and
// the failed attempts providers report. A checkout is claimed under the invoice's row lock before
// the provider is called, so two clicks at once find the same row, send the same idempotency key
// and parameters, and open one session; a failure is recorded once per provider event, with its
// payment.failed webhook event in the same transaction.
import type { Transaction } from 'kysely';
import { inTransaction, type Db } from '../connect.ts';
import type { Database, Invoice, PaymentCheckout, PaymentFailure } from '../database.ts';
import { newId } from '../ids.ts';
import { lockInvoice } from './invoices.ts';
import { recordEvent } from './webhook-events.ts';

type Executor = Db | Transaction<Database>;

/** Statuses whose amount due a customer may pay online. */
const PAYABLE = new Set(['open', 'partially_paid']);

/** A checkout opened on or after this long before its expiry is still offered. */
const REUSE_MARGIN_MS = 10 * 60_000;

/** The invoice has no amount due to pay online (paid, void, draft…). */
export class NothingDueError extends Error {
  constructor(invoiceId: string, status: string) {
    super(`Invoice ${invoiceId} has nothing due to pay online (it is ${status}).`);
    this.name = 'NothingDueError';
  }
}

export interface CheckoutClaim {
  /** The first request's checkout, for the first generation or after the last one expired. */
  checkout: PaymentCheckout;
  invoice: Invoice;
  customer: { email: string; locale: string };
}

/**
 * The checkout for the invoice's amount due now: the one already claimed while it has time left,
 * else a new row (the next generation for this amount) expiring `lifetimeMs` from `now`, with the
 * return URL given. Refuses an invoice with nothing due (NothingDueError).
 */
export async function claimCheckout(
  db: Db,
  input: { invoiceId: string; provider: string; returnUrl: string; now: Date; lifetimeMs: number },
): Promise<CheckoutClaim> {
  return inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, input.invoiceId);
    if (!PAYABLE.has(invoice.status) || invoice.amount_due <= 0) {
      throw new NothingDueError(invoice.id, invoice.status);
    }
    const customer = await trx
      .selectFrom('customers')
      .select(['email', 'locale'])
      .where('id', '=', invoice.customer_id)
      .executeTakeFirstOrThrow();
    const latest = await trx
      .selectFrom('payment_checkouts')
      .selectAll()
      .where('invoice_id', '=', invoice.id)
      .where('provider', '=', input.provider)
      .where('amount_due', '=', invoice.amount_due)
      .orderBy('generation', 'desc')
      .executeTakeFirst();
    if (latest && latest.expires_at.getTime() - REUSE_MARGIN_MS > input.now.getTime()) {
      return { checkout: latest, invoice, customer };
    }
    const generation = (latest?.generation ?? 0) + 1;
    const checkout = await trx
      .insertInto('payment_checkouts')
      .values({
        id: newId('pco'),
        invoice_id: invoice.id,
        provider: input.provider,
        amount_due: invoice.amount_due,
        currency: invoice.currency,
        generation,
        idempotency_key: `billwright/${invoice.id}/checkout/${invoice.amount_due}/${generation}`,
        return_url: input.returnUrl,
        expires_at: new Date(Math.floor((input.now.getTime() + input.lifetimeMs) / 1000) * 1000),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { checkout, invoice, customer };
  });
}

/** Stores the provider's session on its checkout (the first answer stays); answers the row. */
export async function saveCheckoutSession(
  db: Db,
  checkoutId: string,
  session: { id: string; url: string },
): Promise<PaymentCheckout> {
  await db
    .updateTable('payment_checkouts')
    .set({ session_id: session.id, session_url: session.url })
    .where('id', '=', checkoutId)
    .where('session_id', 'is', null)
    .execute();
  return db
    .selectFrom('payment_checkouts')
    .selectAll()
    .where('id', '=', checkoutId)
    .executeTakeFirstOrThrow();
}

export async function listCheckouts(db: Executor, invoiceId: string): Promise<PaymentCheckout[]> {
  return db
    .selectFrom('payment_checkouts')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .orderBy('created_at')
    .execute();
}

export interface NewPaymentFailure {
  invoiceId: string;
  source: string;
  eventId: string;
  reference: string;
  amount: number;
  currency: string;
  code: string | null;
  message: string | null;
  failedAt: string;
}

/**
 * Records a failed attempt and its payment.failed event in one transaction; a replay of the same
 * provider event answers the first (`created` false) and writes nothing. Undefined when the
 * invoice does not exist.
 */
export async function recordPaymentFailure(
  db: Db,
  input: NewPaymentFailure,
): Promise<{ failure: PaymentFailure; created: boolean } | undefined> {
  return inTransaction(db, async (trx) => {
    const invoice = await trx
      .selectFrom('invoices')
      .select(['id', 'customer_id'])
      .where('id', '=', input.invoiceId)
      .executeTakeFirst();
    if (!invoice) return undefined;
    const inserted = await trx
      .insertInto('payment_failures')
      .values({
        id: newId('pfl'),
        invoice_id: invoice.id,
        customer_id: invoice.customer_id,
        source: input.source,
        event_id: input.eventId,
        reference: input.reference,
        amount: input.amount,
        currency: input.currency,
        code: input.code,
        message: input.message,
        failed_at: input.failedAt,
      })
      .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) {
      await recordEvent(trx, 'payment.failed', inserted);
      return { failure: inserted, created: true };
    }
    const earlier = await trx
      .selectFrom('payment_failures')
      .selectAll()
      .where('source', '=', input.source)
      .where('event_id', '=', input.eventId)
      .executeTakeFirstOrThrow();
    return { failure: earlier, created: false };
  });
}

/** The invoice's latest failed attempt, if any. */
export async function latestPaymentFailure(
  db: Executor,
  invoiceId: string,
): Promise<PaymentFailure | undefined> {
  return db
    .selectFrom('payment_failures')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .orderBy('failed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
