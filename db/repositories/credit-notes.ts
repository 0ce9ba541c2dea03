// Credit notes: what is taken back from a finalized invoice (a void, a refund, a correction),
// line by line, numbered in their own series when issued. Never more than the invoice still
// has uncredited: checked under the invoice's row lock, and by the invoices_credited_within_total
// constraint in case code ever forgets.
import type { Transaction } from 'kysely';
import type { Span } from '../../domain/subscriptions/billing-cycles.ts';
import { decimal, roundToMinorUnits, type RoundingMode } from '../../domain/core/decimal.ts';
import { canApply, statusAfterPayment } from '../../domain/invoicing/lifecycle.ts';
import type { NumberingSettings } from '../../domain/invoicing/numbering.ts';
import { allocate } from '../../domain/rating/discounts.ts';
import { unusedShare } from '../../domain/subscriptions/charges.ts';
import { inTransaction, type Db } from '../connect.ts';
import type { CreditNote, CreditNoteLine, Database, Invoice, InvoiceLine } from '../database.ts';
import { newId } from '../ids.ts';
import { InvalidInvoiceRequestError, InvalidInvoiceTransitionError } from './invoice-errors.ts';
import { lockInvoice } from './invoices.ts';
import { postCreditNote } from './ledger.ts';
import { takeDocumentNumber } from './number-series.ts';
import { customerNow } from './test-clocks.ts';
import { recordEvent, recordInvoiceEvents, recordRefundEvent } from './webhook-events.ts';

type Executor = Db | Transaction<Database>;

export const CREDIT_NOTE_REASONS = ['refund', 'correction', 'other'] as const;
/** Why a credit note was issued; 'void' is reserved for the one a void issues. */
export type CreditNoteReason = (typeof CREDIT_NOTE_REASONS)[number] | 'void';

export interface CreditNoteRequest {
  reason: CreditNoteReason;
  memo?: string | undefined;
  /**
   * What to credit, tax included: given lines (by their position on the invoice), or an amount
   * spread over the lines in proportion to what each has left, or everything left ('rest').
   */
  credit: { lines: { position: number; amount: number }[] } | { amount: number } | 'rest';
  numbering: Pick<NumberingSettings, 'creditNoteFormat' | 'timezone'>;
  /** When it is issued (the series is picked by this date); default now. */
  at?: Date | string | undefined;
  /** The business key of a credit note the billing lifecycle issues (unique), for retries. */
  billingKey?: string | undefined;
}

export interface CreditNoteWithLines {
  creditNote: CreditNote;
  lines: CreditNoteLine[];
}

interface LineBalance {
  line: InvoiceLine;
  credited: number;
  taxCredited: number;
  /** What this line can still be credited, tax included. */
  left: number;
}

async function lineBalances(trx: Transaction<Database>, invoiceId: string): Promise<LineBalance[]> {
  const lines = await trx
    .selectFrom('invoice_lines')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .orderBy('position')
    .execute();
  const credited = await trx
    .selectFrom('credit_note_lines')
    .innerJoin('credit_notes', 'credit_notes.id', 'credit_note_lines.credit_note_id')
    .select((eb) => [
      'credit_note_lines.invoice_line_id',
      eb.fn.sum<string>('credit_note_lines.amount').as('amount'),
      eb.fn.sum<string>('credit_note_lines.tax_amount').as('tax'),
    ])
    .where('credit_notes.invoice_id', '=', invoiceId)
    .groupBy('credit_note_lines.invoice_line_id')
    .execute();
  const byLine = new Map(credited.map((c) => [String(c.invoice_line_id), c]));
  return lines.map((line) => {
    const c = byLine.get(String(line.id));
    const amount = c ? Number(c.amount) : 0;
    return {
      line,
      credited: amount,
      taxCredited: c ? Number(c.tax) : 0,
      left: line.total_amount - amount,
    };
  });
}

/** The tax inside a credit of `amount` on a line: in proportion, and the rest on the last one. */
function taxPart(balance: LineBalance, amount: number): number {
  const { line } = balance;
  const taxLeft = line.tax_amount - balance.taxCredited;
  if (amount === balance.left) return taxLeft;
  const total = BigInt(line.total_amount);
  // Half up: ⌊(2·amount·tax + total) / (2·total)⌋.
  const share = Number((2n * BigInt(amount) * BigInt(line.tax_amount) + total) / (2n * total));
  return Math.max(0, Math.min(share, taxLeft, amount));
}

function plannedAmounts(
  balances: LineBalance[],
  credit: CreditNoteRequest['credit'],
): Map<number, number> {
  const planned = new Map<number, number>();
  const totalLeft = balances.reduce((t, b) => t + b.left, 0);
  if (credit === 'rest') {
    for (const b of balances) if (b.left > 0) planned.set(b.line.position, b.left);
    return planned;
  }
  if ('amount' in credit) {
    if (!Number.isSafeInteger(credit.amount) || credit.amount <= 0) {
      throw new InvalidInvoiceRequestError('amount', 'must be a positive integer of minor units');
    }
    if (credit.amount > totalLeft) {
      throw new InvalidInvoiceRequestError(
        'amount',
        `${credit.amount} exceeds what the invoice has left to credit (${totalLeft})`,
      );
    }
    const shares = allocate(
      credit.amount,
      balances.map((b) => b.left),
    );
    balances.forEach((b, i) => {
      if (shares[i]! > 0) planned.set(b.line.position, shares[i]!);
    });
    return planned;
  }
  if (credit.lines.length === 0) {
    throw new InvalidInvoiceRequestError('lines', 'must name at least one line');
  }
  credit.lines.forEach((requested, i) => {
    const at = `lines[${i}]`;
    const balance = balances.find((b) => b.line.position === requested.position);
    if (!balance) {
      throw new InvalidInvoiceRequestError(
        `${at}.position`,
        `the invoice has no line ${requested.position}`,
      );
    }
    if (planned.has(requested.position)) {
      throw new InvalidInvoiceRequestError(`${at}.position`, 'names a line twice');
    }
    if (!Number.isSafeInteger(requested.amount) || requested.amount <= 0) {
      throw new InvalidInvoiceRequestError(`${at}.amount`, 'must be a positive integer');
    }
    if (requested.amount > balance.left) {
      throw new InvalidInvoiceRequestError(
        `${at}.amount`,
        `${requested.amount} exceeds what line ${requested.position} has left to credit (${balance.left})`,
      );
    }
    planned.set(requested.position, requested.amount);
  });
  return planned;
}

/**
 * Issues a credit note against a locked invoice (the caller holds its row lock and has checked
 * its status). Returns null when `credit` is 'rest' and nothing is left.
 */
export async function issueCreditNoteLocked(
  trx: Transaction<Database>,
  invoice: Invoice,
  request: CreditNoteRequest,
): Promise<CreditNoteWithLines | null> {
  const balances = await lineBalances(trx, invoice.id);
  const planned = plannedAmounts(balances, request.credit);
  if (planned.size === 0) {
    if (request.credit === 'rest') return null;
    throw new InvalidInvoiceRequestError('amount', 'nothing to credit');
  }
  const lines = balances
    .filter((b) => planned.has(b.line.position))
    .map((b) => {
      const amount = planned.get(b.line.position)!;
      return { balance: b, amount, tax: taxPart(b, amount) };
    });
  const total = lines.reduce((t, l) => t + l.amount, 0);
  const tax = lines.reduce((t, l) => t + l.tax, 0);
  const left = invoice.total - invoice.amount_credited;
  if (total > left) {
    throw new InvalidInvoiceRequestError(
      'amount',
      `${total} exceeds what the invoice has left to credit (${left})`,
    );
  }
  const at =
    request.at === undefined ? await customerNow(trx, invoice.customer_id) : new Date(request.at);
  // Taken last: the series' counter row stays locked until this transaction commits.
  const number = await takeDocumentNumber(
    trx,
    request.numbering.creditNoteFormat,
    at,
    request.numbering,
    invoice.customer_id,
  );
  const creditNote = await trx
    .insertInto('credit_notes')
    .values({
      id: newId('cn'),
      number,
      invoice_id: invoice.id,
      customer_id: invoice.customer_id,
      currency: invoice.currency,
      reason: request.reason,
      memo: request.memo ?? null,
      subtotal: total - tax,
      tax,
      total,
      issued_at: at,
      billing_key: request.billingKey ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const rows = await trx
    .insertInto('credit_note_lines')
    .values(
      lines.map((l, position) => ({
        credit_note_id: creditNote.id,
        position,
        invoice_line_id: l.balance.line.id,
        description: l.balance.line.description,
        amount: l.amount,
        tax_amount: l.tax,
      })),
    )
    .returningAll()
    .execute();
  await recordEvent(trx, 'credit_note.created', creditNote);
  const amountCredited = invoice.amount_credited + total;
  const status =
    request.reason === 'void' ||
    !['open', 'partially_paid', 'uncollectible'].includes(invoice.status)
      ? invoice.status
      : statusAfterPayment(invoice.status, {
          total: invoice.total,
          amountPaid: invoice.amount_paid,
          amountCredited,
        });
  const after = await trx
    .updateTable('invoices')
    .set({
      amount_credited: amountCredited,
      status,
      ...(status === 'paid' && invoice.status !== 'paid' ? { paid_at: at } : {}),
    })
    .where('id', '=', invoice.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // Posted with it; what it gives back of money paid is refunded or becomes customer credit.
  await postCreditNote(trx, { creditNote, lines: rows }, invoice, after);
  await recordInvoiceEvents(trx, invoice, after);
  await recordRefundEvent(trx, creditNote, invoice, after);
  return { creditNote, lines: rows };
}

/**
 * Issues a credit note for a refund, a correction or another reason against a finalized
 * invoice, in one transaction. Refused for drafts (edit them) and void invoices.
 */
export async function issueCreditNote(
  db: Executor,
  invoiceId: string,
  request: CreditNoteRequest,
): Promise<CreditNoteWithLines> {
  return inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, invoiceId);
    if (!canApply('credit', invoice.status)) {
      throw new InvalidInvoiceTransitionError(invoice.id, 'credit', invoice.status);
    }
    const issued = await issueCreditNoteLocked(trx, invoice, request);
    return issued!;
  });
}

export async function getCreditNote(
  db: Executor,
  id: string,
): Promise<CreditNoteWithLines | undefined> {
  const creditNote = await db
    .selectFrom('credit_notes')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!creditNote) return undefined;
  return { creditNote, lines: await creditNoteLines(db, id) };
}

async function creditNoteLines(db: Executor, creditNoteId: string): Promise<CreditNoteLine[]> {
  return db
    .selectFrom('credit_note_lines')
    .selectAll()
    .where('credit_note_id', '=', creditNoteId)
    .orderBy('position')
    .execute();
}

/** An invoice's credit notes, oldest first (their numbering order). */
export async function listCreditNotes(
  db: Executor,
  invoiceId: string,
): Promise<CreditNoteWithLines[]> {
  const notes = await db
    .selectFrom('credit_notes')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .orderBy('issued_at')
    .orderBy('number')
    .execute();
  return Promise.all(
    notes.map(async (creditNote) => ({
      creditNote,
      lines: await creditNoteLines(db, creditNote.id),
    })),
  );
}

/**
 * A subscription's lines billed in advance for the period ending `period.end` whose service
 * starts before `from` (its boundary invoice's, or a change's since), and not yet credited by
 * another lifecycle credit note than `billingKey`'s: what a cancel or a change at `from` credits.
 */
export async function advanceLinesToCredit(
  db: Executor,
  request: { subscriptionId: string; period: Span; from: string; billingKey: string },
) {
  return db
    .selectFrom('invoice_lines as l')
    .innerJoin('invoices as i', 'i.id', 'l.invoice_id')
    .select(['l.id', 'l.invoice_id', 'l.position', 'l.period_start', 'l.total_amount'])
    .where('i.subscription_id', '=', request.subscriptionId)
    .where((eb) =>
      eb.or([eb('i.billing_key', 'like', '%/boundary'), eb('i.billing_key', 'like', '%/change')]),
    )
    .where('l.period_end', '=', new Date(request.period.end))
    .where('l.period_start', '<', new Date(request.from))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('credit_note_lines as cl')
            .innerJoin('credit_notes as cn', 'cn.id', 'cl.credit_note_id')
            .select('cl.id')
            .whereRef('cl.invoice_line_id', '=', 'l.id')
            .where('cn.billing_key', 'is not', null)
            .where('cn.billing_key', 'not like', `${request.billingKey}/%`),
        ),
      ),
    )
    .orderBy('l.invoice_id')
    .orderBy('l.position')
    .execute();
}

/** Each line's unused share [from, period.end) of what it billed, tax included, rounded once. */
export function unusedLineCredits<L extends { period_start: Date | null; total_amount: number }>(
  lines: readonly L[],
  period: Span,
  from: string,
  options: { timezone: string; mode: RoundingMode },
): (L & { amount: number })[] {
  return lines.map((line) => {
    const billed = {
      start: (line.period_start ?? new Date(period.start)).toISOString(),
      end: period.end,
    };
    const share = unusedShare(billed, from, options.timezone);
    const amount = roundToMinorUnits(
      {
        numerator: decimal(line.total_amount).times(share.numerator),
        denominator: share.denominator,
      },
      options.mode,
    );
    return { ...line, amount };
  });
}

/** What a change or cancel at `from` would credit now, summed (a preview; nothing issued). */
export async function unusedAdvanceCredit(
  db: Executor,
  request: {
    subscriptionId: string;
    period: Span;
    from: string;
    timezone: string;
    mode: RoundingMode;
  },
): Promise<number> {
  const lines = await advanceLinesToCredit(db, { ...request, billingKey: 'preview' });
  return unusedLineCredits(lines, request.period, request.from, request).reduce(
    (t, l) => t + l.amount,
    0,
  );
}
