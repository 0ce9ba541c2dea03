// An invoice's life: draft (editable, unnumbered) → open (finalized: numbered, immutable) →
// paid / partially_paid / void / uncollectible. Pure rules shared by the repository (which
// applies them under a row lock) and the API (which explains a refusal as a 409).
import type { TaxBehavior } from '../catalog/types.ts';

export const INVOICE_STATUSES = [
  'draft',
  'open',
  'paid',
  'partially_paid',
  'void',
  'uncollectible',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const INVOICE_ACTIONS = [
  'edit',
  'finalize',
  'void',
  'mark_uncollectible',
  'credit',
  'record_payment',
] as const;
export type InvoiceAction = (typeof INVOICE_ACTIONS)[number];

/** The statuses an action may start from. */
const ALLOWED: Record<InvoiceAction, readonly InvoiceStatus[]> = {
  edit: ['draft'],
  finalize: ['draft'],
  // Money received cannot be voided away: a paid invoice is refunded by a credit note.
  void: ['open', 'uncollectible'],
  mark_uncollectible: ['open', 'partially_paid'],
  credit: ['open', 'paid', 'partially_paid', 'uncollectible'],
  // A written-off invoice may still be paid late.
  record_payment: ['open', 'partially_paid', 'paid', 'uncollectible'],
};

export function canApply(action: InvoiceAction, status: InvoiceStatus): boolean {
  return ALLOWED[action].includes(status);
}

/** Why `action` is refused on an invoice in `status`, for people (the API's 409 detail). */
export function refusalOf(action: InvoiceAction, status: InvoiceStatus): string {
  const what: Record<InvoiceAction, string> = {
    edit: 'edit',
    finalize: 'finalize',
    void: 'void',
    mark_uncollectible: 'mark as uncollectible',
    credit: 'credit',
    record_payment: 'record a payment on',
  };
  const hint: Partial<Record<InvoiceStatus, string>> = {
    draft: 'finalize it first',
    paid: 'issue a credit note instead',
    partially_paid: 'issue a credit note instead',
    void: 'it is void',
  };
  const base = `cannot ${what[action]} an invoice that is ${status}`;
  const why =
    action === 'edit' && status !== 'draft' ? 'a finalized invoice is immutable' : hint[status];
  return why ? `${base}: ${why}` : base;
}

export interface InvoiceAmounts {
  taxBehavior: TaxBehavior;
  subtotal: number;
  discountTotal: number;
  tax: number;
  total: number;
}

/**
 * The totals invariant (the database checks it too): exclusive prices add the tax,
 * total = subtotal − discount + tax; inclusive prices already hold it, total = subtotal − discount.
 */
export function totalOf(a: Omit<InvoiceAmounts, 'total'>): number {
  return a.taxBehavior === 'exclusive'
    ? a.subtotal - a.discountTotal + a.tax
    : a.subtotal - a.discountTotal;
}

/** What is wrong with an invoice's amounts (empty when consistent). */
export function checkInvoiceAmounts(a: InvoiceAmounts): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(a)) {
    if (name !== 'taxBehavior' && (!Number.isSafeInteger(value) || (value as number) < 0)) {
      problems.push(`${name} must be a non-negative integer`);
    }
  }
  if (a.discountTotal > a.subtotal) problems.push('discount exceeds the subtotal');
  if (a.total !== totalOf(a)) {
    problems.push(
      a.taxBehavior === 'exclusive'
        ? `total ${a.total} ≠ subtotal − discount + tax (${totalOf(a)})`
        : `total ${a.total} ≠ subtotal − discount (${totalOf(a)}), tax included`,
    );
  }
  return problems;
}

/** What is still owed: the total less payments and credit notes, never below zero. */
export function amountDueOf(total: number, amountPaid: number, amountCredited: number): number {
  return Math.max(total - amountPaid - amountCredited, 0);
}

/**
 * The status payments (and credits) put a finalized invoice in: nothing left to pay → paid;
 * something paid but not all → partially_paid; nothing paid → it stays as it was (open, or
 * uncollectible when written off).
 */
export function statusAfterPayment(
  current: InvoiceStatus,
  amounts: { total: number; amountPaid: number; amountCredited: number },
): InvoiceStatus {
  const due = amountDueOf(amounts.total, amounts.amountPaid, amounts.amountCredited);
  if (due === 0) return 'paid';
  if (amounts.amountPaid > 0) return 'partially_paid';
  return current === 'uncollectible' ? 'uncollectible' : 'open';
}

/**
 * How a payment meets an invoice: what settles the balance, and what is more than it owed (an
 * overpayment, carried as customer credit to the next invoice).
 */
export function splitPayment(
  amount: number,
  amountDue: number,
): { applied: number; overpaid: number } {
  const applied = Math.min(amount, Math.max(amountDue, 0));
  return { applied, overpaid: amount - applied };
}
