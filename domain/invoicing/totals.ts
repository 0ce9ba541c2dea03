// The order of operations, in one place: charges → discounts → tax → credits.
// Rating gives the charges and discounts (a PeriodInvoice or RatedPeriod); tax is computed on
// what discounts left of each line; credits (a customer's balance) come off last, from the taxed
// total, so a credit never changes the tax due. Pure: estimates, previews and invoices share it
// (invoices through totalOf, the one rule for a total).
import { totalOf } from './lifecycle.ts';
import { money, type Money } from '../core/money.ts';
import type { TaxResult } from '../tax/types.ts';

/** What rating gives the totals: the charges and what discounts took off them. */
export interface RatedTotals {
  currency: string;
  subtotal: Money;
  discountTotal: Money;
  totalBeforeTax: Money;
}

export interface InvoiceTotals {
  /** 1. Charges: the sum of the rated lines. */
  subtotal: Money;
  /** 2. Discounts taken off the charges. */
  discountTotal: Money;
  /** Tax-exclusive prices: the taxable base. Tax-inclusive: the gross, tax inside. */
  totalBeforeTax: Money;
  /** 3. Tax on the discounted lines (0 when not computed). */
  tax: Money;
  /** What the invoice is for: net + tax. */
  total: Money;
  /** 4. Credit applied from the customer's balance, at most the total. */
  creditApplied: Money;
  /** What the customer still has to pay. */
  amountDue: Money;
}

export function invoiceTotals(
  rated: RatedTotals,
  tax: TaxResult | null,
  availableCredit: Money = money(0, rated.currency),
): InvoiceTotals {
  const currency = rated.currency;
  if (availableCredit.currency !== currency || availableCredit.amount < 0) {
    throw new RangeError(`credit must be a non-negative amount in ${currency}`);
  }
  if (tax && tax.currency !== currency) {
    throw new RangeError(`tax in ${tax.currency} for an invoice in ${currency}`);
  }
  // The tax stage took totalBeforeTax as its lines' amounts: exclusive → net, inclusive → gross.
  const total = money(
    totalOf({
      taxBehavior: tax?.taxBehavior ?? 'exclusive',
      subtotal: rated.subtotal.amount,
      discountTotal: rated.discountTotal.amount,
      tax: tax ? tax.totals.tax.amount : 0,
    }),
    currency,
  );
  if (tax) {
    const basis = tax.taxBehavior === 'inclusive' ? tax.totals.gross : tax.totals.net;
    if (basis.amount !== rated.totalBeforeTax.amount || tax.totals.gross.amount !== total.amount) {
      throw new RangeError('the tax was computed on other amounts than the rated lines');
    }
  }
  const creditApplied = Math.min(availableCredit.amount, total.amount);
  return {
    subtotal: rated.subtotal,
    discountTotal: rated.discountTotal,
    totalBeforeTax: rated.totalBeforeTax,
    tax: tax ? tax.totals.tax : money(0, currency),
    total,
    creditApplied: money(creditApplied, currency),
    amountDue: money(total.amount - creditApplied, currency),
  };
}
