// The order of operations, charges → discounts → tax → credits, with figures worked by hand.
import { describe, expect, it } from 'vitest';
import type { PlanVersion } from '../../domain/catalog/types.ts';
import { invoiceTotals } from '../../domain/invoicing/totals.ts';
import { money } from '../../domain/core/money.ts';
import { ratePeriod } from '../../domain/rating/rate-period.ts';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
import { toTaxLines } from '../../domain/tax/provider.ts';
import type { TaxBehavior } from '../../domain/catalog/types.ts';
import type { TaxResult } from '../../domain/tax/types.ts';

const plan = (taxBehavior: TaxBehavior): PlanVersion => ({
  planCode: 'team',
  version: 1,
  currency: 'EUR',
  billingCycle: { interval: 'month', intervalCount: 1 },
  taxBehavior,
  charges: [
    { key: 'base', description: 'Team plan', billing: 'advance', type: 'flat', amount: '10000' },
  ],
});

const tenPercentOff = {
  coupon: {
    code: 'TEN',
    description: '10 % off',
    value: { type: 'percentage' as const, percent: '10' },
    duration: { type: 'forever' as const },
    appliesTo: { type: 'subtotal' as const },
  },
  periodsApplied: 0,
};

const provider = createBuiltInTaxProvider();

function taxFor(rated: ReturnType<typeof ratePeriod>, taxBehavior: TaxBehavior): TaxResult {
  return provider.calculate({
    // An Irish seller registered for OSS sells to a consumer in Germany: German VAT, 19 %.
    seller: { country: 'IE', registrations: { eu: { vatNumber: 'IE1234567T', oss: true } } },
    customer: { address: { country: 'DE' }, customerType: 'individual' },
    currency: 'EUR',
    lines: toTaxLines(rated.netLines),
    supplyDate: '2027-03-01T00:00:00Z',
    taxBehavior,
    rounding: { level: 'per_line', mode: 'half_up' },
  });
}

describe('invoice totals: charges → discounts → tax → credits', () => {
  it('taxes what discounts leave, and takes credit off the taxed total', () => {
    const rated = ratePeriod({ plan: plan('exclusive'), coupons: [tenPercentOff] });
    const totals = invoiceTotals(rated, taxFor(rated, 'exclusive'), money(2000, 'EUR'));
    // €100.00 − 10 % = €90.00; VAT 19 % of €90.00 = €17.10 (not of €100.00);
    // total €107.10; credit €20.00 → €87.10 due. The credit does not reduce the tax.
    expect(totals).toEqual({
      subtotal: money(10000, 'EUR'),
      discountTotal: money(1000, 'EUR'),
      totalBeforeTax: money(9000, 'EUR'),
      tax: money(1710, 'EUR'),
      total: money(10710, 'EUR'),
      creditApplied: money(2000, 'EUR'),
      amountDue: money(8710, 'EUR'),
    });
  });

  it('extracts tax from tax-inclusive prices after the discount', () => {
    const rated = ratePeriod({ plan: plan('inclusive'), coupons: [tenPercentOff] });
    const totals = invoiceTotals(rated, taxFor(rated, 'inclusive'));
    // €90.00 gross includes 19 % VAT: net = 90 / 1.19 = 75.63, tax = 14.37.
    expect(totals.total).toEqual(money(9000, 'EUR'));
    expect(totals.tax).toEqual(money(1437, 'EUR'));
    expect(totals.amountDue).toEqual(money(9000, 'EUR'));
  });

  it('never applies more credit than the total, and keeps the rest', () => {
    const rated = ratePeriod({ plan: plan('exclusive') });
    const totals = invoiceTotals(rated, taxFor(rated, 'exclusive'), money(500_000, 'EUR'));
    expect(totals.total).toEqual(money(11900, 'EUR'));
    expect(totals.creditApplied).toEqual(money(11900, 'EUR'));
    expect(totals.amountDue).toEqual(money(0, 'EUR'));
  });

  it('without tax computed, the total is the discounted subtotal', () => {
    const rated = ratePeriod({ plan: plan('exclusive'), coupons: [tenPercentOff] });
    expect(invoiceTotals(rated, null).total).toEqual(money(9000, 'EUR'));
  });

  it('refuses a credit in another currency or a tax computed on other lines', () => {
    const rated = ratePeriod({ plan: plan('exclusive') });
    expect(() => invoiceTotals(rated, null, money(100, 'USD'))).toThrow(/credit/);
    const other = ratePeriod({ plan: plan('exclusive'), coupons: [tenPercentOff] });
    expect(() => invoiceTotals(rated, taxFor(other, 'exclusive'))).toThrow(/other amounts/);
  });
});
