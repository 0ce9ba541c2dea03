// A finalized invoice's transitions: voided (with a credit note), written off, paid or partially
// paid; each under the invoice's row lock.
import { sql, type Transaction } from 'kysely';
import { canApply, statusAfterPayment } from '../../domain/invoicing/lifecycle.ts';
import type { NumberingSettings } from '../../domain/invoicing/numbering.ts';
import { inTransaction, type Db } from '../connect.ts';
import type { Database, Invoice } from '../database.ts';
import { issueCreditNoteLocked, type CreditNoteWithLines } from './credit-notes.ts';
import { InvalidInvoiceRequestError, InvalidInvoiceTransitionError } from './invoice-errors.ts';
import { lockInvoice } from './invoices.ts';
import { postPaymentAdjusted, postWriteOff } from './ledger.ts';
import { customerNow } from './test-clocks.ts';
import { grantPaidCredit } from './wallet-grants.ts';
import { recordEvent, recordInvoiceEvents } from './webhook-events.ts';

type Executor = Db | Transaction<Database>;

/**
 * Voids an open (or uncollectible) invoice: a credit note takes back everything not yet
 * credited, and nothing is owed any more. A paid invoice is refunded with a credit note instead.
 * Voiding a void invoice returns it with its credit note. The void and its credit note are dated
 * `at`, by default the customer's now (a test clock's instant on a clocked customer).
 */
export async function voidInvoice(
  db: Executor,
  invoiceId: string,
  options: {
    numbering: Pick<NumberingSettings, 'creditNoteFormat' | 'timezone'>;
    at?: Date | string | undefined;
    memo?: string | undefined;
  },
): Promise<{ invoice: Invoice; creditNote: CreditNoteWithLines | null; voidedNow: boolean }> {
  return inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, invoiceId);
    if (invoice.status === 'void') {
      const note = await trx
        .selectFrom('credit_notes')
        .select('id')
        .where('invoice_id', '=', invoice.id)
        .where('reason', '=', 'void')
        .executeTakeFirst();
      const lines = note
        ? await trx
            .selectFrom('credit_note_lines')
            .selectAll()
            .where('credit_note_id', '=', note.id)
            .orderBy('position')
            .execute()
        : [];
      const creditNote = note
        ? await trx
            .selectFrom('credit_notes')
            .selectAll()
            .where('id', '=', note.id)
            .executeTakeFirstOrThrow()
        : null;
      return { invoice, creditNote: creditNote && { creditNote, lines }, voidedNow: false };
    }
    if (!canApply('void', invoice.status)) {
      throw new InvalidInvoiceTransitionError(invoice.id, 'void', invoice.status);
    }
    // The void and its credit note share one date: the customer's now unless given.
    const at =
      options.at === undefined ? await customerNow(trx, invoice.customer_id) : new Date(options.at);
    const creditNote = await issueCreditNoteLocked(trx, invoice, {
      reason: 'void',
      memo: options.memo,
      credit: 'rest',
      numbering: options.numbering,
      at,
    });
    const voided = await trx
      .updateTable('invoices')
      .set({ status: 'void', voided_at: at })
      .where('id', '=', invoice.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordInvoiceEvents(trx, invoice, voided);
    return { invoice: voided, creditNote, voidedNow: true };
  });
}

/**
 * Writes off an open or partially paid invoice, dated `at` (default: the customer's now).
 * Idempotent on an uncollectible one.
 */
export async function markUncollectible(
  db: Executor,
  invoiceId: string,
  options: { at?: Date | string | undefined } = {},
): Promise<Invoice> {
  return inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, invoiceId);
    if (invoice.status === 'uncollectible') return invoice;
    if (!canApply('mark_uncollectible', invoice.status)) {
      throw new InvalidInvoiceTransitionError(invoice.id, 'mark_uncollectible', invoice.status);
    }
    const written = await trx
      .updateTable('invoices')
      .set({
        status: 'uncollectible',
        marked_uncollectible_at:
          options.at === undefined
            ? await customerNow(trx, invoice.customer_id)
            : new Date(options.at),
      })
      .where('id', '=', invoice.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Posted with the write-off: Dr bad debt, Cr AR what was due.
    await postWriteOff(trx, invoice, written);
    await recordInvoiceEvents(trx, invoice, written);
    return written;
  });
}

/**
 * For collections: records how much has been paid on a finalized invoice so far (the running
 * total, so a repeated call is harmless) and moves it to paid or partially_paid accordingly
 * (back to open if a payment is reversed). Refused for drafts and void invoices.
 */
export async function recordPaymentTotals(
  db: Executor,
  invoiceId: string,
  payment: { amountPaid: number; at?: Date | string | undefined },
): Promise<Invoice> {
  return inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, invoiceId);
    if (!canApply('record_payment', invoice.status)) {
      throw new InvalidInvoiceTransitionError(invoice.id, 'record_payment', invoice.status);
    }
    const { amountPaid } = payment;
    const payable = invoice.total - invoice.amount_credited;
    if (!Number.isSafeInteger(amountPaid) || amountPaid < 0) {
      throw new InvalidInvoiceRequestError('amountPaid', 'must be an integer ≥ 0');
    }
    if (amountPaid > payable) {
      throw new InvalidInvoiceRequestError(
        'amountPaid',
        `${amountPaid} exceeds what the invoice asks for (${payable})`,
      );
    }
    const at =
      payment.at === undefined ? await customerNow(trx, invoice.customer_id) : new Date(payment.at);
    const updated = await setAmountPaidLocked(trx, invoice, amountPaid, at);
    // No payment record: the change of the running total is posted as cash.
    await postPaymentAdjusted(trx, invoice, updated, at);
    return updated;
  });
}

/**
 * Puts a new running total of payments on a locked, finalized invoice and the status it implies
 * (paid, partially_paid, or as it was); the one place that does, for both payment paths.
 */
export async function setAmountPaidLocked(
  trx: Transaction<Database>,
  invoice: Invoice,
  amountPaid: number,
  at: Date | string | undefined,
): Promise<Invoice> {
  const status = statusAfterPayment(invoice.status, {
    total: invoice.total,
    amountPaid,
    amountCredited: invoice.amount_credited,
  });
  const paidAt =
    status !== 'paid'
      ? null
      : (invoice.paid_at ??
        (at === undefined ? await customerNow(trx, invoice.customer_id) : new Date(at)));
  return trx
    .updateTable('invoices')
    .set({ amount_paid: amountPaid, status, paid_at: paidAt })
    .where('id', '=', invoice.id)
    .returningAll()
    .executeTakeFirstOrThrow()
    .then((after) => recordInvoiceEvents(trx, invoice, after))
    .then(async (after) => {
      // An invoice selling wallet credit, paid now: the credit is granted (once).
      if (after.status === 'paid' && invoice.status !== 'paid') {
        await grantPaidCredit(trx, after, after.paid_at ?? new Date());
      }
      return after;
    });
}

/**
 * Marks an invoice overdue, once: still owed (open or partially paid) when its collection sees
 * its due date pass. `overdue_at` is its due date, set only while null, and only the update that
 * sets it writes `invoice.overdue`, in the caller's transaction: a retried or replayed report,
 * or one about an invoice paid a moment ago, changes nothing and writes nothing.
 */
export async function markInvoiceOverdue(
  trx: Transaction<Database>,
  invoiceId: string,
): Promise<Invoice | undefined> {
  const marked = await trx
    .updateTable('invoices')
    .set({ overdue_at: sql<Date>`due_at` })
    .where('id', '=', invoiceId)
    .where('overdue_at', 'is', null)
    .where('status', 'in', ['open', 'partially_paid'])
    .returningAll()
    .executeTakeFirst();
  return marked && recordEvent(trx, 'invoice.overdue', marked);
}
