// Invoices through their life: created as drafts (editable, unnumbered), finalized in one
// transaction (taxed, numbered from a locked counter, dated, the customer's and seller's details
// kept as they were), then paid, partially paid, voided (with a credit note) or written off.
// Subscription invoices are created and finalized at once, one per (subscription, period).
import { sql, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { TaxBehavior } from '../../domain/catalog/types.ts';
import {
  decimal,
  isDecimalString,
  toDecimalString,
  type DecimalString,
} from '../../domain/core/decimal.ts';
import {
  canApply,
  checkInvoiceAmounts,
  statusAfterPayment,
  totalOf,
  type InvoiceStatus,
} from '../../domain/invoicing/lifecycle.ts';
import type { LineArithmetic } from '../../domain/invoicing/line-arithmetic.ts';
import { money } from '../../domain/core/money.ts';
import type { NumberingSettings } from '../../domain/invoicing/numbering.ts';
import { checkTaxResult, sameTaxQuestion, type TaxProvider } from '../../domain/tax/provider.ts';
import type {
  TaxCategory,
  TaxRequest,
  TaxResult,
  TaxRounding,
  TaxSeller,
} from '../../domain/tax/types.ts';
import type { SellerDetails } from '../../documents/views.ts';
import type { Db } from '../connect.ts';
import type {
  Customer,
  Database,
  Invoice,
  InvoiceCustomerDetails,
  InvoiceLine,
  InvoiceSellerDetails,
} from '../database.ts';
import { newId } from '../ids.ts';
import {
  inTransaction,
  issueCreditNoteLocked,
  lockInvoice,
  type CreditNoteWithLines,
} from './credit-notes.ts';
import { taxCustomerOf } from './customers.ts';
import {
  InvalidInvoiceRequestError,
  InvalidInvoiceTransitionError,
  InvoiceNotFoundError,
} from './invoice-errors.ts';
import { recordCouponApplications } from './coupons.ts';
import { takeDocumentNumber } from './number-series.ts';
import { customerNow } from './test-clocks.ts';

export { nextNumberInSeries } from './number-series.ts';
export {
  InvalidInvoiceRequestError,
  InvalidInvoiceTransitionError,
  InvoiceNotFoundError,
} from './invoice-errors.ts';

type Executor = Db | Transaction<Database>;

export interface NewInvoiceLine {
  description: string;
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

/** What taxing an invoice needs: the provider, the seller's registrations, the rounding. */
export interface InvoiceTaxSettings {
  provider: TaxProvider;
  seller: TaxSeller;
  rounding: TaxRounding;
}

export interface FinalizeOptions {
  tax: InvoiceTaxSettings;
  numbering: NumberingSettings;
  /** The seller as printed on the invoice, kept with it. */
  seller: SellerDetails;
  /**
   * The finalization instant: the issue date, the date that picks the number's series (in the
   * seller's zone) and the start of the payment terms. Default now.
   */
  at?: Date | string | undefined;
}

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

function checkLines(lines: readonly NewInvoiceLine[]): void {
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

async function insertLines(
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

function draftValues(input: NewDraftInvoice) {
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

/** The customer's billing details as an invoice shows them (snapshotted at finalization). */
export function customerDetailsOf(customer: Customer): InvoiceCustomerDetails {
  const optional = <K extends string>(key: K, value: string | null) =>
    value ? ({ [key]: value } as Record<K, string>) : {};
  return {
    name: customer.name,
    email: customer.email,
    address: {
      ...optional('line1', customer.address_line1),
      ...optional('line2', customer.address_line2),
      ...optional('city', customer.city),
      ...optional('region', customer.region),
      ...optional('postalCode', customer.postal_code),
      country: customer.country,
    },
    customerType: customer.customer_type,
    ...optional('vatNumber', customer.vat_number),
    ...optional('taxExemptReference', customer.tax_exempt_reference),
  };
}

function sellerDetailsOf(seller: SellerDetails, tax: TaxSeller | undefined): InvoiceSellerDetails {
  return {
    legalName: seller.legalName,
    addressLines: seller.addressLines,
    ...(seller.taxId ? { taxId: seller.taxId } : {}),
    email: seller.email,
    country: tax?.country ?? '',
    ...(tax?.region ? { region: tax.region } : {}),
    registrations: tax?.registrations ?? {},
  };
}

/**
 * A tax result and the request it answers, computed before the invoice's transaction so the
 * provider (possibly a remote service) is never called while a row lock or a number series is
 * held. Finalizing uses it only if the request built under the lock asks the same question.
 */
export interface PrecomputedTax {
  request: TaxRequest;
  result: TaxResult;
}

/** Options for finalizing inside another operation; tax and seller absent only for legacy callers. */
interface FinalizeSettings {
  tax?: InvoiceTaxSettings | undefined;
  /** Computed before the transaction (taxNewInvoice, taxDraft); checked under the lock. */
  taxed?: PrecomputedTax | undefined;
  numbering: NumberingSettings;
  seller?: SellerDetails | undefined;
  at?: Date | string | undefined;
  dueAt?: string | undefined;
}

/** What the tax stage is asked for an invoice: each line's net amount, the customer, the date. */
function taxRequestOf(
  customer: Customer,
  invoice: Pick<Invoice, 'currency' | 'period_start' | 'tax_behavior'>,
  lines: readonly { amount: number; discount_amount: number; tax_category: TaxCategory }[],
  at: Date,
  tax: InvoiceTaxSettings,
): TaxRequest {
  return {
    seller: tax.seller,
    customer: taxCustomerOf(customer),
    currency: invoice.currency,
    lines: lines.map((l, position) => ({
      lineId: String(position),
      amount: money(l.amount - l.discount_amount, invoice.currency),
      category: l.tax_category,
    })),
    // The supply date is read in the customer's calendar: the period's start, or today.
    supplyDate: DateTime.fromJSDate(invoice.period_start ?? at, {
      zone: customer.timezone,
    }).toISO()!,
    taxBehavior: invoice.tax_behavior,
    rounding: tax.rounding,
  };
}

/** Taxes a subscription invoice's lines before its transaction (see PrecomputedTax). */
export async function taxNewInvoice(
  db: Executor,
  input: NewSubscriptionInvoice,
  tax: InvoiceTaxSettings,
): Promise<PrecomputedTax> {
  const customer = await db
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', input.customerId)
    .executeTakeFirstOrThrow();
  const request = taxRequestOf(
    customer,
    {
      currency: input.currency,
      period_start: new Date(input.periodStart),
      tax_behavior: input.taxBehavior ?? 'exclusive',
    },
    input.lines.map((l) => ({
      amount: l.amount,
      discount_amount: l.discountAmount ?? 0,
      tax_category: l.taxCategory ?? 'standard',
    })),
    new Date(input.issuedAt),
    tax,
  );
  return { request, result: await tax.provider.calculate(request) };
}

/**
 * Taxes a draft as it is now, read without a lock, before its finalizing transaction (see
 * PrecomputedTax); undefined when there is nothing to tax yet (not a draft, no lines, no tax).
 */
export async function taxDraft(
  db: Executor,
  invoiceId: string,
  options: Pick<FinalizeOptions, 'tax' | 'at'>,
): Promise<PrecomputedTax | undefined> {
  const invoice = await getInvoice(db, invoiceId);
  if (!invoice || invoice.status !== 'draft') return undefined;
  const lines = await getInvoiceLines(db, invoiceId);
  if (lines.length === 0) return undefined;
  const customer = await db
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', invoice.customer_id)
    .executeTakeFirstOrThrow();
  const at = options.at === undefined ? await customerNow(db, customer) : new Date(options.at);
  const request = taxRequestOf(customer, invoice, lines, at, options.tax);
  return { request, result: await options.tax.provider.calculate(request) };
}

/** Finalizes a locked draft: tax, totals, number (taken last), dates, snapshots. */
async function finalizeLocked(
  trx: Transaction<Database>,
  invoice: Invoice,
  settings: FinalizeSettings,
): Promise<Invoice> {
  const lines = await trx
    .selectFrom('invoice_lines')
    .selectAll()
    .where('invoice_id', '=', invoice.id)
    .orderBy('position')
    .execute();
  if (lines.length === 0) {
    throw new InvalidInvoiceRequestError('lines', 'an invoice needs at least one line');
  }
  const customer = await trx
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', invoice.customer_id)
    .executeTakeFirstOrThrow();
  // The customer's now: a test clock's instant for a clocked customer, else the real time.
  const now = await customerNow(trx, customer);
  const at = settings.at === undefined ? now : new Date(settings.at);

  let result: TaxResult | null = null;
  if (settings.tax) {
    const request = taxRequestOf(customer, invoice, lines, at, settings.tax);
    // Computed before the lock when the caller could; again here only if the draft, its
    // customer or the tax date changed meanwhile. The result is checked either way.
    const { taxed } = settings;
    result =
      taxed && sameTaxQuestion(taxed.request, request)
        ? taxed.result
        : await settings.tax.provider.calculate(request);
    const problems = checkTaxResult(request, result);
    if (problems.length > 0) {
      throw new Error(`tax provider ${settings.tax.provider.name}: ${problems.join('; ')}`);
    }
    for (const [i, line] of lines.entries()) {
      const taxed = result.lines[i]!;
      const rate = taxed.components.reduce((r, c) => r.plus(decimal(c.rate)), decimal(0));
      await trx
        .updateTable('invoice_lines')
        .set({
          tax_amount: taxed.taxAmount.amount,
          tax_rate: toDecimalString(rate),
          tax_jurisdiction: taxed.jurisdiction,
          tax_treatment: taxed.treatment,
          tax_components: JSON.stringify(taxed.components),
          total_amount: taxed.grossAmount.amount,
        })
        .where('id', '=', line.id)
        .execute();
    }
  }

  const subtotal = lines.reduce((t, l) => t + l.amount, 0);
  const discountTotal = lines.reduce((t, l) => t + l.discount_amount, 0);
  const tax = result ? result.totals.tax.amount : 0;
  const amounts = {
    taxBehavior: invoice.tax_behavior,
    subtotal,
    discountTotal,
    tax,
    total: totalOf({ taxBehavior: invoice.tax_behavior, subtotal, discountTotal, tax }),
  };
  const problems = checkInvoiceAmounts(amounts);
  if (result && result.totals.gross.amount !== amounts.total) {
    problems.push(`total ${amounts.total} ≠ the tax result's gross ${result.totals.gross.amount}`);
  }
  if (problems.length > 0) throw new Error(`invoice ${invoice.id}: ${problems.join('; ')}`);

  const dueAt = settings.dueAt
    ? new Date(settings.dueAt)
    : DateTime.fromJSDate(at, { zone: customer.timezone })
        .plus({ days: customer.payment_terms_days })
        .toJSDate();
  // Taken last: the series' counter row stays locked until this transaction commits.
  const number = await takeDocumentNumber(
    trx,
    settings.numbering.invoiceFormat,
    at,
    settings.numbering,
    invoice.customer_id,
  );
  const status: InvoiceStatus = amounts.total === 0 ? 'paid' : 'open';
  return trx
    .updateTable('invoices')
    .set({
      status,
      number,
      subtotal,
      discount_total: discountTotal,
      tax,
      total: amounts.total,
      issued_at: at,
      due_at: dueAt,
      finalized_at: now,
      ...(status === 'paid' ? { paid_at: at } : {}),
      tax_breakdown: JSON.stringify(result?.breakdown ?? []),
      tax_notes: JSON.stringify(result?.notes ?? []),
      tax_provider: result?.provider ?? null,
      tax_date: result?.taxDate ?? null,
      customer_details: JSON.stringify(customerDetailsOf(customer)),
      seller_details: settings.seller
        ? JSON.stringify(sellerDetailsOf(settings.seller, settings.tax?.seller))
        : null,
    })
    .where('id', '=', invoice.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Finalizes a draft in one transaction (the caller's, when given one): takes the tax computed
 * before the lock (`options.taxed`, or taxDraft's when called outside a transaction) or computes
 * it with `options.tax.provider`, takes the next number of the series, sets the due date
 * (finalization + the customer's payment terms; 0 = due on receipt) and keeps the customer's and
 * seller's details. Idempotent: an invoice already finalized is returned unchanged.
 */
export async function finalizeInvoice(
  db: Executor,
  invoiceId: string,
  options: FinalizeOptions & { taxed?: PrecomputedTax | undefined },
): Promise<Invoice> {
  const taxed =
    options.taxed ?? (db.isTransaction ? undefined : await taxDraft(db, invoiceId, options));
  return inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, invoiceId);
    if (invoice.status !== 'draft') return invoice;
    return finalizeLocked(trx, invoice, { ...options, taxed });
  });
}

/**
 * The subscription lifecycle's invoice for one business key (subscription, boundary, kind):
 * created and finalized in one transaction, or the existing one returned. The unique
 * (subscription_id, billing_key) index decides, so a retried activity creates nothing twice.
 */
export async function createPeriodInvoice(
  db: Db,
  input: NewSubscriptionInvoice & {
    billingKey: string;
    /** What coupons took off it: recorded with the new invoice, never on a retry. */
    coupons?: Parameters<typeof recordCouponApplications>[1]['coupons'];
    /** The period the coupons count (couponPeriodKey). */
    couponPeriodKey?: string;
  },
  finalize: Omit<FinalizeOptions, 'at'> & { taxed?: PrecomputedTax | undefined },
): Promise<{ invoice: Invoice; created: boolean }> {
  checkLines(input.lines);
  const settings: FinalizeSettings = { ...finalize, at: input.issuedAt, dueAt: input.dueAt };
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('invoices')
      .values({ ...draftValues(input), billing_key: input.billingKey })
      .onConflict((oc) =>
        oc
          .columns(['subscription_id', 'billing_key'])
          .where('billing_key', 'is not', null)
          .doNothing(),
      )
      .returningAll()
      .executeTakeFirst();
    if (inserted) {
      await insertLines(trx, inserted.id, input.lines);
      if (input.coupons && input.couponPeriodKey) {
        await recordCouponApplications(trx, {
          invoiceId: inserted.id,
          periodKey: input.couponPeriodKey,
          coupons: input.coupons,
        });
      }
      return { invoice: await finalizeLocked(trx, inserted, settings), created: true };
    }
    const existing = await trx
      .selectFrom('invoices')
      .select('id')
      .where('subscription_id', '=', input.subscriptionId)
      .where('billing_key', '=', input.billingKey)
      .executeTakeFirstOrThrow();
    const invoice = await lockInvoice(trx, existing.id);
    if (invoice.status === 'draft') {
      return { invoice: await finalizeLocked(trx, invoice, settings), created: false };
    }
    return { invoice, created: false };
  });
}

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
): Promise<{ invoice: Invoice; creditNote: CreditNoteWithLines | null }> {
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
      return { invoice, creditNote: creditNote && { creditNote, lines } };
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
    return { invoice: voided, creditNote };
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
    return trx
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
    return setAmountPaidLocked(trx, invoice, amountPaid, payment.at);
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
    .executeTakeFirstOrThrow();
}

export async function getInvoice(db: Executor, id: string): Promise<Invoice | undefined> {
  return db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The invoice, or InvoiceNotFoundError. */
export async function requireInvoice(db: Executor, id: string): Promise<Invoice> {
  const invoice = await getInvoice(db, id);
  if (!invoice) throw new InvoiceNotFoundError(id);
  return invoice;
}

export async function getInvoiceLines(db: Executor, invoiceId: string): Promise<InvoiceLine[]> {
  return db
    .selectFrom('invoice_lines')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .orderBy('position')
    .execute();
}

export async function listInvoices(
  db: Executor,
  filter: {
    customerId?: string | undefined;
    subscriptionId?: string | undefined;
    limit: number;
    /** Id of the last invoice of the previous page. */
    startingAfter?: string | undefined;
  },
): Promise<Invoice[]> {
  let query = db.selectFrom('invoices').selectAll();
  // Issued first by issue date; drafts (not issued yet) by creation date.
  const issued = sql`coalesce(issued_at, created_at)`;
  if (filter.startingAfter !== undefined) {
    // Keyset pagination in the list's own order (date, number, id), all descending.
    query = query.where(
      sql<boolean>`(${issued}, coalesce(number, ''), id) < (select coalesce(i.issued_at, i.created_at), coalesce(i.number, ''), i.id from invoices i where i.id = ${filter.startingAfter})`,
    );
  }
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
  return query
    .orderBy(issued, 'desc')
    .orderBy(sql`coalesce(number, '')`, 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .execute();
}

/** Stores a rendered document once; a second store keeps the first (what was sent stays). */
export async function storeInvoiceDocument(
  db: Executor,
  doc: { invoiceId: string; format: 'html'; content: string; contentHash: string },
): Promise<{ contentHash: string }> {
  await db
    .insertInto('invoice_documents')
    .values({
      invoice_id: doc.invoiceId,
      format: doc.format,
      content: doc.content,
      content_hash: doc.contentHash,
    })
    .onConflict((oc) => oc.columns(['invoice_id', 'format']).doNothing())
    .execute();
  const stored = await getInvoiceDocument(db, doc.invoiceId, doc.format);
  return { contentHash: stored!.contentHash };
}

export async function getInvoiceDocument(
  db: Executor,
  invoiceId: string,
  format: 'html',
): Promise<{ content: string; contentHash: string } | undefined> {
  const row = await db
    .selectFrom('invoice_documents')
    .select(['content', 'content_hash'])
    .where('invoice_id', '=', invoiceId)
    .where('format', '=', format)
    .executeTakeFirst();
  return row && { content: row.content, contentHash: row.content_hash };
}

/** A project's invoice for one business key ("deposit", "milestone/design", "hours/2027-01"). */
export interface NewProjectInvoice {
  customerId: string;
  projectId: string;
  billingKey: string;
  currency: string;
  /** The finalization instant. */
  issuedAt: string;
  lines: NewInvoiceLine[];
}

/**
 * Creates and finalizes a project's invoice for its business key in one transaction, or returns
 * the one that exists: the unique (project_id, billing_key) index decides, so a retried activity
 * creates nothing twice. `attach` runs inside the transaction before the insert (e.g. to lock and
 * add uninvoiced hours) and `claim` after it (to mark them invoiced), so both commit with the
 * invoice or not at all. Null when there is nothing to invoice.
 */
export async function createProjectInvoice(
  db: Db,
  input: NewProjectInvoice,
  finalize: Omit<FinalizeOptions, 'at'>,
  hooks: {
    attach?: (trx: Transaction<Database>) => Promise<NewInvoiceLine[]>;
    claim?: (trx: Transaction<Database>, invoiceId: string) => Promise<void>;
  } = {},
): Promise<{ invoice: Invoice; created: boolean } | null> {
  checkLines(input.lines);
  const settings: FinalizeSettings = { ...finalize, at: input.issuedAt };
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('invoices')
      .select('id')
      .where('project_id', '=', input.projectId)
      .where('billing_key', '=', input.billingKey)
      .executeTakeFirst();
    if (existing) {
      const invoice = await lockInvoice(trx, existing.id);
      if (invoice.status === 'draft') {
        return { invoice: await finalizeLocked(trx, invoice, settings), created: false };
      }
      return { invoice, created: false };
    }
    const lines = [...input.lines, ...((await hooks.attach?.(trx)) ?? [])];
    if (lines.length === 0) return null;
    checkLines(lines);
    const inserted = await trx
      .insertInto('invoices')
      .values({
        ...draftValues({ customerId: input.customerId, currency: input.currency, lines }),
        billing_key: input.billingKey,
        project_id: input.projectId,
        origin: 'project',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertLines(trx, inserted.id, lines);
    await hooks.claim?.(trx, inserted.id);
    return { invoice: await finalizeLocked(trx, inserted, settings), created: true };
  });
}
