// Taxing an invoice: the question its lines ask the tax provider, asked before the invoice's
// transaction when the caller can, so no remote call runs under a row lock or a number series.
import type { Transaction } from 'kysely';
import { DateTime } from 'luxon';
import { money } from '../../domain/core/money.ts';
import type { TaxProvider } from '../../domain/tax/provider.ts';
import type {
  TaxCategory,
  TaxRequest,
  TaxResult,
  TaxRounding,
  TaxSeller,
} from '../../domain/tax/types.ts';
import type { Db } from '../connect.ts';
import type { Customer, Database, Invoice } from '../database.ts';
import { taxCustomerOf } from './customers.ts';
import type { NewSubscriptionInvoice } from './invoice-drafts.ts';
import { getInvoice, getInvoiceLines } from './invoices.ts';
import { customerNow } from './test-clocks.ts';

type Executor = Db | Transaction<Database>;

/** What taxing an invoice needs: the provider, the seller's registrations, the rounding. */
export interface InvoiceTaxSettings {
  provider: TaxProvider;
  seller: TaxSeller;
  rounding: TaxRounding;
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

/** What the tax stage is asked for an invoice: each line's net amount, the customer, the date. */
export function taxRequestOf(
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
  options: { tax: InvoiceTaxSettings; at?: Date | string | undefined },
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
