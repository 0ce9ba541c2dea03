// Creating invoices: the lines and inputs a new invoice is made of, checked before anything is
// written, and drafts (editable, unnumbered, untaxed until finalized).
import type { Transaction } from 'kysely';
import type { TaxBehavior } from '../../domain/catalog/types.ts';
import {
  decimal,
  isDecimalString,
  toDecimalString,
  type DecimalString,
} from '../../domain/core/decimal.ts';
import { canApply } from '../../domain/invoicing/lifecycle.ts';
import type { Wording } from '../../domain/core/wording.ts';
import type { LineArithmetic } from '../../domain/invoicing/line-arithmetic.ts';
import type { TaxCategory } from '../../domain/tax/types.ts';
import { inTransaction, type Db } from '../connect.ts';
import type { Database, Invoice } from '../database.ts';
import { newId } from '../ids.ts';
import { InvalidInvoiceRequestError, InvalidInvoiceTransitionError } from './invoice-errors.ts';
import { lockInvoice } from './invoices.ts';
import { recordEvent } from './webhook-events.ts';

type Executor = Db | Transaction<Database>;

export interface NewInvoiceLine {
  description: string;
  /** What the system writes, in the `lines` catalogue: worded before the line is stored. */
  wording?: Wording | undefined;
  /** Units billed, an exact decimal ≥ 0 ("1", "12.5" GB, "2.25" hours). */
  quantity: DecimalString;
  /** Exact minor units per unit ("4900", "0.06"); null when no single price makes the line. */
  unitAmount: DecimalString | null;
  /** The line's charge before discounts, in minor units: its one rounded amount. */
  amount: number;
  periodStart?: string;
  periodEnd?: string;
  /** The line's share of the invoice's discounts (default 0). */
  discountAmount?: number;
  /** What is sold, for tax (default standard). */
  taxCategory?: TaxCategory;
  /** How the amount was reached, shown on the document and the API (default none). */
  arithmetic?: LineArithmetic | null;
}

export interface NewDraftInvoice {
  customerId: string;
  subscriptionId?: string | null | undefined;
  currency: string;
  periodStart?: string | undefined;
  periodEnd?: string | undefined;
  /** Whether line amounts exclude tax (added on top) or include it; default exclusive. */
  taxBehavior?: TaxBehavior | undefined;
  lines: NewInvoiceLine[];
  /** manual: created by an operator (POST /v1/invoices), delivered when finalized. */
  origin?: 'manual' | undefined;
}

export interface DraftChanges {
  lines?: NewInvoiceLine[] | undefined;
  taxBehavior?: TaxBehavior | undefined;
  periodStart?: string | null | undefined;
  periodEnd?: string | null | undefined;
}

/** A subscription's period invoice, created and finalized at once (see invoice-issuing.ts). */
export interface NewSubscriptionInvoice {
  customerId: string;
  subscriptionId: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  /** The finalization instant (in advance: when the period opens). */
  issuedAt: string;
  /** Default: issuedAt + the customer's payment terms. */
  dueAt?: string | undefined;
  taxBehavior?: TaxBehavior | undefined;
  lines: NewInvoiceLine[];
}

/**
 * Refuses lines no invoice may have: a negative quantity or unit price, an amount or discount
 * that is not a whole number of minor units ≥ 0, a discount above the amount.
 */
export function checkLines(lines: readonly NewInvoiceLine[]): void {
  lines.forEach((line, i) => {
    const decimals = { quantity: line.quantity, unitAmount: line.unitAmount ?? '0' };
    for (const [field, value] of Object.entries(decimals)) {
      if (!isDecimalString(value) || decimal(value).lt(0)) {
        throw new InvalidInvoiceRequestError(`lines[${i}].${field}`, 'must be a decimal ≥ 0');
      }
    }
    for (const field of ['amount', 'discountAmount'] as const) {
      const value = line[field] ?? 0;
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new InvalidInvoiceRequestError(`lines[${i}].${field}`, 'must be an integer ≥ 0');
      }
    }
    if ((line.discountAmount ?? 0) > line.amount) {
      throw new InvalidInvoiceRequestError(
        `lines[${i}].discountAmount`,
        'must not exceed the amount',
      );
    }
  });
}

/** A draft's totals: no tax until finalization. */
function draftTotals(lines: readonly NewInvoiceLine[]) {
  const subtotal = lines.reduce((t, l) => t + l.amount, 0);
  const discountTotal = lines.reduce((t, l) => t + (l.discountAmount ?? 0), 0);
  return { subtotal, discount_total: discountTotal, tax: 0, total: subtotal - discountTotal };
}

export async function insertLines(
  trx: Transaction<Database>,
  invoiceId: string,
  lines: readonly NewInvoiceLine[],
): Promise<void> {
  if (lines.length === 0) return;
  await trx
    .insertInto('invoice_lines')
    .values(
      lines.map((line, position) => ({
        invoice_id: invoiceId,
        position,
        description: line.description,
        // Normalised ("1.50" → "1.5"): numeric keeps the scale it is given.
        quantity: toDecimalString(decimal(line.quantity)),
        unit_amount: line.unitAmount === null ? null : toDecimalString(decimal(line.unitAmount)),
        amount: line.amount,
        discount_amount: line.discountAmount ?? 0,
        tax_category: line.taxCategory ?? 'standard',
        total_amount: line.amount - (line.discountAmount ?? 0),
        period_start: line.periodStart ?? null,
        period_end: line.periodEnd ?? null,
        arithmetic: line.arithmetic ? JSON.stringify(line.arithmetic) : null,
      })),
    )
    .execute();
}

export function draftValues(input: NewDraftInvoice) {
  return {
    id: newId('inv'),
    number: null,
    customer_id: input.customerId,
    subscription_id: input.subscriptionId ?? null,
    status: 'draft' as const,
    currency: input.currency,
    period_start: input.periodStart ?? null,
    period_end: input.periodEnd ?? null,
    tax_behavior: input.taxBehavior ?? 'exclusive',
    issued_at: null,
    due_at: null,
    ...draftTotals(input.lines),
    ...('origin' in input && input.origin ? { origin: input.origin } : {}),
  };
}

/** Creates an editable draft: no number, no tax, no due date until finalized. */
export async function createDraftInvoice(db: Executor, input: NewDraftInvoice): Promise<Invoice> {
  checkLines(input.lines);
  return inTransaction(db, async (trx) => {
    const invoice = await trx
      .insertInto('invoices')
      .values(draftValues(input))
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertLines(trx, invoice.id, input.lines);
    await recordEvent(trx, 'invoice.created', invoice);
    return invoice;
  });
}

/** Changes a draft (its lines are replaced when given). A finalized invoice is immutable. */
export async function updateDraft(
  db: Executor,
  invoiceId: string,
  changes: DraftChanges,
): Promise<Invoice> {
  if (changes.lines) checkLines(changes.lines);
  return inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, invoiceId);
    if (!canApply('edit', invoice.status)) {
      throw new InvalidInvoiceTransitionError(invoice.id, 'edit', invoice.status);
    }
    if (changes.lines) {
      await trx.deleteFrom('invoice_lines').where('invoice_id', '=', invoice.id).execute();
      await insertLines(trx, invoice.id, changes.lines);
    }
    const set = {
      ...(changes.lines ? draftTotals(changes.lines) : {}),
      ...(changes.taxBehavior ? { tax_behavior: changes.taxBehavior } : {}),
      ...(changes.periodStart !== undefined ? { period_start: changes.periodStart } : {}),
      ...(changes.periodEnd !== undefined ? { period_end: changes.periodEnd } : {}),
    };
    // An edit that changes nothing (`{}`) answers the draft as it is: `update … set` needs a column.
    if (Object.keys(set).length === 0) return invoice;
    return trx
      .updateTable('invoices')
      .set(set)
      .where('id', '=', invoice.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
