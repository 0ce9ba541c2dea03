// What each financial event posts: pure functions from an event's facts to balanced journal
// lines by role (the repository resolves each role to the operator's account). An invoice's
// receivable is AR while it is collectible (open, partially paid, paid) and bad debt once written
// off, so every event moves AR and bad debt by exactly what it changed of the invoice's amount
// due, and the rest goes where the money went (cash, customer credit, refunds clearing).
import type { InvoiceStatus } from '../invoicing/lifecycle.ts';
import type { AccountDimensions, AccountRole } from './accounts.ts';

export const JOURNAL_KINDS = [
  'invoice_finalized',
  'payment_received',
  'customer_credit_applied',
  'credit_note_issued',
  'invoice_voided',
  'invoice_written_off',
  'payment_adjusted',
  'wallet_credit_granted',
  'wallet_credit_applied',
  'wallet_credit_expired',
  'wallet_credit_voided',
] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

export interface PostingLine extends AccountDimensions {
  role: AccountRole;
  /** Integer minor units; exactly one of debit and credit is positive. */
  debit: number;
  credit: number;
  memo?: string | undefined;
}

/** Where an invoice stands: its status and amount due (the database's amount_due). */
export interface ReceivablePosition {
  status: InvoiceStatus;
  due: number;
}

function line(role: AccountRole, signed: number, more: Partial<PostingLine> = {}): PostingLine[] {
  if (signed === 0) return [];
  return [{ ...more, role, debit: Math.max(signed, 0), credit: Math.max(-signed, 0) }];
}

/** What an invoice in this position holds in AR, and in bad debt (written off). */
function held(p: ReceivablePosition): { receivable: number; writtenOff: number } {
  const collectible = p.status === 'open' || p.status === 'partially_paid' || p.status === 'paid';
  return {
    receivable: collectible ? p.due : 0,
    writtenOff: p.status === 'uncollectible' ? p.due : 0,
  };
}

/**
 * AR and bad debt lines for an invoice moving from `before` to `after`: AR by what it holds
 * more or less, bad debt by the written-off balance it gains (a write-off) or loses (a payment
 * or credit after a write-off recovers it, and what is still due goes back into AR).
 */
export function receivableMovement(
  before: ReceivablePosition,
  after: ReceivablePosition,
): PostingLine[] {
  const a = held(before);
  const b = held(after);
  return [
    ...line('accounts_receivable', b.receivable - a.receivable),
    ...line('bad_debt', b.writtenOff - a.writtenOff, {
      memo: b.writtenOff > a.writtenOff ? 'Written off' : 'Write-off recovered',
    }),
  ];
}

function net(lines: readonly PostingLine[]): number {
  return lines.reduce((t, l) => t + l.debit - l.credit, 0);
}

/** Throws unless the lines balance: two or more, integer, one side each, debits = credits. */
export function assertBalanced(lines: readonly PostingLine[]): void {
  if (lines.length < 2) throw new Error('a journal entry needs at least two lines');
  for (const l of lines) {
    const ok =
      Number.isSafeInteger(l.debit) &&
      Number.isSafeInteger(l.credit) &&
      l.debit >= 0 &&
      l.credit >= 0 &&
      (l.debit === 0) !== (l.credit === 0);
    if (!ok) throw new Error(`journal line ${l.role}: ${l.debit}/${l.credit} is not one side`);
  }
  if (net(lines) !== 0) throw new Error(`journal entry does not balance by ${net(lines)}`);
}

/** One invoice line as finalized: its amounts and tax. */
export interface InvoiceLineFacts {
  description: string;
  amount: number;
  discount: number;
  tax: number;
  jurisdiction: string | null;
  taxRate: string | null;
}

export interface InvoiceFacts extends AccountDimensions {
  total: number;
  taxBehavior: 'exclusive' | 'inclusive';
  lines: readonly InvoiceLineFacts[];
}

/** The tax of each (jurisdiction, rate), in the order first met. */
function taxLines(
  lines: readonly { tax: number; jurisdiction: string | null; taxRate: string | null }[],
  sign: 1 | -1,
): PostingLine[] {
  const byRate = new Map<
    string,
    { jurisdiction: string | null; taxRate: string | null; tax: number }
  >();
  for (const l of lines) {
    if (l.tax === 0) continue;
    const key = `${l.jurisdiction ?? ''}|${l.taxRate ?? ''}`;
    const entry = byRate.get(key) ?? { jurisdiction: l.jurisdiction, taxRate: l.taxRate, tax: 0 };
    entry.tax += l.tax;
    byRate.set(key, entry);
  }
  return [...byRate.values()].flatMap((t) =>
    line('tax_payable', sign * t.tax, { jurisdiction: t.jurisdiction, taxRate: t.taxRate }),
  );
}

/**
 * Invoice finalized: Dr AR the total; Cr revenue each line net of its discount (and of its tax
 * when prices include it); Cr tax payable per jurisdiction and rate. Empty for a zero invoice.
 */
export function invoiceFinalizedLines(invoice: InvoiceFacts): PostingLine[] {
  if (invoice.total === 0) return [];
  const dims = { planCode: invoice.planCode, origin: invoice.origin };
  const lines = [
    ...line('accounts_receivable', invoice.total),
    ...invoice.lines.flatMap((l) =>
      line(
        'revenue',
        -(l.amount - l.discount - (invoice.taxBehavior === 'inclusive' ? l.tax : 0)),
        { ...dims, memo: l.description },
      ),
    ),
    ...taxLines(invoice.lines, -1),
  ];
  assertBalanced(lines);
  return lines;
}

export interface PaymentFacts {
  amount: number;
  method: string;
  /** Paid out of the customer's credit balance (Dr customer credit, not cash). */
  fromCustomerCredit: boolean;
  /** Paid out of a wallet's purchased credit (Dr prepaid credit, not cash). */
  fromPrepaidCredit?: boolean | undefined;
  before: ReceivablePosition;
  after: ReceivablePosition;
}

/**
 * A payment: Dr cash (by method) or customer credit; Cr AR what it settled (Cr bad debt when the
 * invoice was written off, and what is still due back into AR); Cr customer credit the excess.
 */
export function paymentLines(p: PaymentFacts): PostingLine[] {
  const lines = [
    ...(p.fromCustomerCredit
      ? line('customer_credit', p.amount, { memo: 'Credit applied' })
      : p.fromPrepaidCredit
        ? line('prepaid_credit', p.amount, { memo: 'Prepaid credit applied' })
        : line('cash', p.amount, { method: p.method })),
    ...receivableMovement(p.before, p.after),
  ];
  lines.push(...line('customer_credit', -net(lines), { memo: 'Overpayment' }));
  assertBalanced(lines);
  return lines;
}

/** A running total of payments set without a payment record: the change, by cash. */
export function paymentAdjustedLines(p: Omit<PaymentFacts, 'fromCustomerCredit'>): PostingLine[] {
  const lines = [
    ...line('cash', p.amount, { method: p.method }),
    ...receivableMovement(p.before, p.after),
  ];
  if (lines.length === 0) return [];
  assertBalanced(lines);
  return lines;
}

/** What a credit note gives back beyond what it takes off the amount due (paid money). */
export function creditNoteExcess(
  total: number,
  before: ReceivablePosition,
  after: ReceivablePosition,
): number {
  return total - (before.due - after.due);
}

export interface CreditNoteFacts extends AccountDimensions {
  lines: readonly {
    description: string;
    /** Tax included. */
    amount: number;
    tax: number;
    jurisdiction: string | null;
    taxRate: string | null;
  }[];
  before: ReceivablePosition;
  after: ReceivablePosition;
  /** Where paid money it gives back goes: refunded, or kept as the customer's credit. */
  excessTo: 'refunds_clearing' | 'customer_credit';
}

/**
 * A credit note (a void's too): Dr revenue each line net of tax; Dr tax payable per rate; Cr AR
 * what it takes off the amount due (bad debt when written off); Cr refunds clearing or customer
 * credit what was already paid.
 */
export function creditNoteLines(c: CreditNoteFacts): PostingLine[] {
  const dims = { planCode: c.planCode, origin: c.origin };
  const lines = [
    ...c.lines.flatMap((l) => line('revenue', l.amount - l.tax, { ...dims, memo: l.description })),
    ...taxLines(c.lines, 1),
    ...receivableMovement(c.before, c.after),
  ];
  lines.push(...line(c.excessTo, -net(lines)));
  assertBalanced(lines);
  return lines;
}

/** Written off: Dr bad debt, Cr AR, the amount due. */
export function writeOffLines(
  before: ReceivablePosition,
  after: ReceivablePosition,
): PostingLine[] {
  const lines = receivableMovement(before, after);
  assertBalanced(lines);
  return lines;
}

/**
 * Purchased wallet credit granted once its invoice is paid: the invoice posted its price as
 * revenue; it is no revenue yet but a liability to deliver what the credit buys, so Dr revenue,
 * Cr prepaid credit. It becomes revenue again only as invoices consume it (their own entries).
 */
export function walletCreditGrantedLines(amount: number, dims: AccountDimensions): PostingLine[] {
  const lines = [
    ...line('revenue', amount, { ...dims, memo: 'Prepaid credit sold: a liability until used' }),
    ...line('prepaid_credit', -amount, { memo: 'Prepaid credit granted' }),
  ];
  assertBalanced(lines);
  return lines;
}

/** Purchased credit expired unused (breakage): Dr prepaid credit, Cr revenue. */
export function walletCreditExpiredLines(amount: number, dims: AccountDimensions): PostingLine[] {
  const lines = [
    ...line('prepaid_credit', amount, { memo: 'Prepaid credit expired' }),
    ...line('revenue', -amount, { ...dims, memo: 'Breakage: prepaid credit expired unused' }),
  ];
  assertBalanced(lines);
  return lines;
}

/**
 * Purchased credit voided by the operator: the customer paid for it, so it becomes their
 * ordinary credit balance (refundable, taken off their next invoice): Dr prepaid, Cr customer credit.
 */
export function walletCreditVoidedLines(amount: number): PostingLine[] {
  const lines = [
    ...line('prepaid_credit', amount, { memo: 'Prepaid credit voided' }),
    ...line('customer_credit', -amount, { memo: 'Returned to the customer credit balance' }),
  ];
  assertBalanced(lines);
  return lines;
}
