// Finalizing an invoice in one transaction: taxed, totalled, numbered from a locked counter,
// dated (due after the customer's payment terms), the customer's and seller's details kept as
// they were.
import type { Transaction } from 'kysely';
import { DateTime } from 'luxon';
import {
  checkInvoiceAmounts,
  totalOf,
  type InvoiceStatus,
} from '../../domain/invoicing/lifecycle.ts';
import type { NumberingSettings } from '../../domain/invoicing/numbering.ts';
import type { SellerDetails } from '../../domain/invoicing/seller.ts';
import { checkTaxResult, lineRatePercent, sameTaxQuestion } from '../../domain/tax/provider.ts';
import type { TaxResult, TaxSeller } from '../../domain/tax/types.ts';
import { inTransaction, type Db } from '../connect.ts';
import type {
  Customer,
  Database,
  Invoice,
  InvoiceCustomerDetails,
  InvoiceSellerDetails,
} from '../database.ts';
import { InvalidInvoiceRequestError } from './invoice-errors.ts';
import {
  taxDraft,
  taxRequestOf,
  type InvoiceTaxSettings,
  type PrecomputedTax,
} from './invoice-tax.ts';
import { lockInvoice } from './invoices.ts';
import { postInvoiceFinalized } from './ledger.ts';
import { takeDocumentNumber } from './number-series.ts';
import {
  applyPromotionalCredit,
  payWithPurchasedCredit,
  planPurchasedCredit,
  usableWalletCredit,
} from './wallet-credit.ts';
import { customerNow } from './test-clocks.ts';
import { buyThresholdTopUps } from './wallet-top-ups.ts';
import { finalizedInvoiceStarts, recordWorkflowStarts } from './workflow-starts.ts';
import { recordInvoiceEvents } from './webhook-events.ts';

type Executor = Db | Transaction<Database>;

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

/** The customer's billing details as an invoice shows them (snapshotted at finalization). */
export function customerDetailsOf(customer: Customer): InvoiceCustomerDetails {
  const optional = <K extends string>(key: K, value: string | null) =>
    value ? ({ [key]: value } as Record<K, string>) : {};
  return {
    name: customer.name,
    email: customer.email,
    locale: customer.locale,
    timezone: customer.timezone,
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
    ...optional('documentDesign', customer.document_design),
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

/** Options for finalizing inside another operation; tax and seller absent only for legacy callers. */
export interface FinalizeSettings {
  tax?: InvoiceTaxSettings | undefined;
  /** Computed before the transaction (taxNewInvoice, taxDraft); checked under the lock. */
  taxed?: PrecomputedTax | undefined;
  numbering: NumberingSettings;
  seller?: SellerDetails | undefined;
  at?: Date | string | undefined;
  dueAt?: string | undefined;
}

/** Finalizes a locked draft: tax, totals, number (taken last), dates, snapshots. */
export async function finalizeLocked(
  trx: Transaction<Database>,
  invoice: Invoice,
  settings: FinalizeSettings,
): Promise<Invoice> {
  let lines = await trx
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
  // Wallet credit (docs/WALLETS.md): promotional credit lowers the price before tax.
  const walletCredit = await usableWalletCredit(trx, invoice);
  lines = await applyPromotionalCredit(trx, invoice, lines, walletCredit, at);

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
      await trx
        .updateTable('invoice_lines')
        .set({
          tax_amount: taxed.taxAmount.amount,
          tax_rate: lineRatePercent(taxed),
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
  // Purchased wallet credit pays the taxed total, like a payment, once the invoice is open.
  const prepaid = planPurchasedCredit(invoice, amounts.total, walletCredit, at);
  // Posted with the invoice (AR, revenue, tax payable), before the number series is locked.
  await postInvoiceFinalized(trx, { ...invoice, total: amounts.total, issued_at: at });
  // Taken last: the series' counter row stays locked until this transaction commits.
  const number = await takeDocumentNumber(
    trx,
    settings.numbering.invoiceFormat,
    at,
    settings.numbering,
    invoice.customer_id,
  );
  const status: InvoiceStatus = amounts.total === 0 ? 'paid' : 'open';
  const finalized = await trx
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
    .executeTakeFirstOrThrow()
    .then((after) => recordInvoiceEvents(trx, invoice, after))
    .then((after) => (prepaid ? payWithPurchasedCredit(trx, after, prepaid, at) : after));
  // Credit drawn under a wallet's threshold buys more, in this same transaction (docs/WALLETS.md).
  if (walletCredit) {
    const drafts = await buyThresholdTopUps(trx, invoice.customer_id, invoice.id, at);
    for (const draftId of drafts) {
      const draft = await lockInvoice(trx, draftId);
      const topUp = await finalizeLocked(trx, draft, {
        ...settings,
        taxed: undefined,
        dueAt: undefined,
        at,
      });
      // Delivered and collected like any sale of credit; the drainer starts them.
      await recordWorkflowStarts(trx, finalizedInvoiceStarts(topUp), 0);
    }
  }
  return finalized;
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
