import { describe, expect, it } from 'vitest';
import type {
  Charge,
  Coupon,
  PercentagePricing,
  PlanVersion,
  PricingModel,
  Tier,
} from '../../domain/catalog.ts';
import { money } from '../../domain/money.ts';
import { couponApplies, allocate } from '../../domain/rating/discounts.ts';
import { percentageUsageQuery } from '../../domain/rating/percentage.ts';
import { rateCharge } from '../../domain/rating/rate-charge.ts';
import { ratePeriod } from '../../domain/rating/rate-period.ts';
import type { RoundingMode } from '../../domain/decimal.ts';
import { percentageUsageFromTransactions } from './support/percentage-reference.ts';

const usage = (pricing: PricingModel, extra: Partial<Charge> = {}): Charge =>
  ({
    key: 'api',
    description: 'API calls',
    billing: 'arrears',
    type: 'usage',
    metricCode: 'api_calls',
    pricing,
    ...extra,
  }) as Charge;

const full = { numerator: 1, denominator: 1 };

function rate(
  charge: Charge,
  quantity: string,
  currency = 'USD',
  roundingMode: RoundingMode = 'half_up',
) {
  return rateCharge(charge, { currency, roundingMode, proration: full, usage: quantity });
}

const amountOf = (
  charge: Charge,
  quantity: string,
  currency = 'USD',
  mode: RoundingMode = 'half_up',
) => rate(charge, quantity, currency, mode)[0]!.amount.amount;

// $0.00 for the first 1,000 calls, $0.0010 up to 10,000, then $0.0005 plus a $5.00 flat fee.
const tiers: Tier[] = [
  { upTo: '1000', unitPrice: '0' },
  { upTo: '10000', unitPrice: '0.1' },
  { upTo: null, unitPrice: '0.05', flatFee: '500' },
];

describe('per-unit pricing', () => {
  it('prices fractional minor units exactly and rounds once per line', () => {
    // $0.0006 per call is 0.06 cents; 12,345 calls = 740.7 cents → $7.41.
    const [line] = rate(usage({ model: 'per_unit', unitPrice: '0.06' }), '12345');
    expect(line!.amount).toEqual(money(741, 'USD'));
    expect(line!.exactAmount).toBe('740.7');
    expect(line!.explanation).toEqual([
      '12,345 × USD 0.0006 = USD 7.407',
      'total USD 7.407 → USD 7.41 (rounded half-up)',
    ]);
  });

  it('handles zero and huge usage (10^12 units) without leaving safe integers', () => {
    expect(amountOf(usage({ model: 'per_unit', unitPrice: '0.06' }), '0')).toBe(0);
    expect(amountOf(usage({ model: 'per_unit', unitPrice: '0.06' }), '1000000000000')).toBe(
      60_000_000_000,
    );
  });

  it('rounds a .5 case half-up or half-even, in a zero-decimal currency (JPY)', () => {
    // ¥0.5 per unit × 5 = ¥2.5; × 7 = ¥3.5.
    const charge = usage({ model: 'per_unit', unitPrice: '0.5' });
    expect(amountOf(charge, '5', 'JPY', 'half_up')).toBe(3);
    expect(amountOf(charge, '5', 'JPY', 'half_even')).toBe(2);
    expect(amountOf(charge, '7', 'JPY', 'half_even')).toBe(4);
    expect(rate(charge, '5', 'JPY')[0]!.explanation.at(-1)).toBe(
      'total JPY 2.5 → JPY 3 (rounded half-up)',
    );
  });

  it('prices a three-decimal currency (BHD) in fils', () => {
    // 0.6 fils per unit × 1,234 = 740.4 fils → BHD 0.740.
    const [line] = rate(usage({ model: 'per_unit', unitPrice: '0.6' }), '1234', 'BHD');
    expect(line!.amount).toEqual(money(740, 'BHD'));
    expect(line!.explanation[0]).toBe('1,234 × BHD 0.0006 = BHD 0.7404');
  });
});

describe('graduated pricing', () => {
  const charge = usage({ model: 'graduated', tiers });

  it('prices each tier for the units inside it, showing the arithmetic', () => {
    const [line] = rate(charge, '12000');
    // 1,000 × 0 + 9,000 × 0.1 + 2,000 × 0.05 + 500 flat = 1,500 cents.
    expect(line!.amount).toEqual(money(1500, 'USD'));
    expect(line!.explanation).toEqual([
      'first 1,000: 1,000 × USD 0.00 = USD 0.00',
      'above 1,000 up to 10,000: 9,000 × USD 0.001 = USD 9.00',
      'above 10,000: 2,000 × USD 0.0005 = USD 1.00; flat fee USD 5.00',
      'total USD 15.00',
    ]);
    expect(line!.components.map((c) => c.amount)).toEqual(['0', '900', '100', '500']);
  });

  it('keeps a quantity exactly at a bound in the lower tier, and one above in the next', () => {
    expect(amountOf(charge, '1000')).toBe(0);
    expect(amountOf(charge, '1001')).toBe(0); // 0.1 cent rounds to 0
    expect(amountOf(charge, '10000')).toBe(900);
    expect(rate(charge, '10000')[0]!.components).toHaveLength(2); // no flat fee yet
    expect(amountOf(charge, '10001')).toBe(1400); // 900 + 0.05 + 500 = 1400.05
  });

  it('charges nothing, not even a flat fee, for zero usage', () => {
    const [line] = rate(
      usage({ model: 'graduated', tiers: [{ upTo: null, unitPrice: '1', flatFee: '100' }] }),
      '0',
    );
    expect(line!.amount.amount).toBe(0);
    expect(line!.explanation[0]).toBe('no usage');
  });

  it('rates huge usage', () => {
    // 900 + (10^12 − 10,000) × 0.05 + 500 = 50,000,000,900.
    expect(amountOf(charge, '1000000000000')).toBe(50_000_000_900);
  });
});

describe('volume pricing', () => {
  const charge = usage({ model: 'volume', tiers });

  it('prices every unit at the tier the quantity reaches', () => {
    expect(amountOf(charge, '1000')).toBe(0);
    expect(amountOf(charge, '10000')).toBe(1000); // 10,000 × 0.1
    expect(amountOf(charge, '12000')).toBe(1100); // 12,000 × 0.05 + 500 (docs/PRICING.md)
    expect(amountOf(charge, '10001')).toBe(1000); // 10,001 × 0.05 + 500 = 1000.05
    expect(rate(charge, '10001')[0]!.explanation[0]).toBe(
      '10,001 units reach tier 3 (above 10,000): 10,001 × USD 0.0005 = USD 5.0005; flat fee USD 5.00',
    );
    expect(amountOf(charge, '0')).toBe(0);
  });
});

describe('package pricing', () => {
  const charge = usage({
    model: 'package',
    packageSize: '1000',
    packagePrice: '500',
    freeUnits: '100',
  });

  it('bills started packages in full after the free units', () => {
    expect(amountOf(charge, '100')).toBe(0);
    expect(amountOf(charge, '101')).toBe(500);
    expect(amountOf(charge, '1100')).toBe(500);
    expect(amountOf(charge, '1101')).toBe(1000);
    expect(rate(charge, '2101')[0]!.explanation).toEqual([
      '2,101 units − 100 free = 2,001',
      '⌈2,001 / 1,000⌉ = 3 package(s) × USD 5.00 = USD 15.00',
      'total USD 15.00',
    ]);
    expect(rate(charge, '2101')[0]!.quantity).toBe('2001');
  });
});

describe('percentage pricing', () => {
  const stripeLike: PercentagePricing = {
    model: 'percentage',
    rate: '2.9',
    fixedFeePerTransaction: '30',
  };

  const ratePct = (pricing: PercentagePricing, amounts: string[]) =>
    rateCharge(usage(pricing), {
      currency: 'USD',
      roundingMode: 'half_up',
      proration: full,
      transactions: percentageUsageFromTransactions(pricing, amounts),
    })[0]!;

  it('takes the rate of the volume plus a fixed fee per transaction', () => {
    // 2.9 % × 110.50 = 3.2045, + 3 × 0.30 = 4.1045 → $4.10.
    const line = ratePct(stripeLike, ['1000', '10000', '50']);
    expect(line.amount).toEqual(money(410, 'USD'));
    expect(line.explanation).toEqual([
      '3 transactions, volume USD 110.50',
      '2.9 % × USD 110.50 = USD 3.2045',
      '3 × fixed fee USD 0.30 = USD 0.90',
      'total USD 4.1045 → USD 4.10 (rounded half-up)',
    ]);
  });

  it('clamps each transaction fee between a minimum and a maximum', () => {
    // Fees: 29 + 30 = 59; 290 + 30 = 320 → 200 (max); 1.45 + 30 = 31.45 → 50 (min). Sum 309.
    const pricing = { ...stripeLike, minPerTransaction: '50', maxPerTransaction: '200' };
    expect(percentageUsageQuery(pricing)).toEqual({
      freeTransactions: '0',
      freeAmount: '0',
      rate: '2.9',
      belowMinimumIfProductBelow: '2000',
      aboveMaximumIfProductAbove: '17000',
    });
    const line = ratePct(pricing, ['1000', '10000', '50']);
    expect(line.amount.amount).toBe(309);
    expect(line.explanation).toContain(
      '1 transactions (volume USD 0.50) at the minimum fee: 1 × USD 0.50 = USD 0.50',
    );
  });

  it('waives free transactions first, then a free amount of volume', () => {
    // First transaction free; then 5.00 of volume free: 10,000 → 9,500 chargeable, 50 stays.
    // 2.9 % × 95.50 = 2.7695, + 2 × 0.30 = 3.3695 → $3.37.
    const pricing = { ...stripeLike, freeTransactions: '1', freeAmount: '500' };
    const line = ratePct(pricing, ['1000', '10000', '50']);
    expect(line.amount.amount).toBe(337);
    expect(line.quantity).toBe('2');
    expect(line.explanation[1]).toBe(
      'first 1 transactions free, first USD 5.00 of volume free: 2 chargeable transactions, volume USD 95.50',
    );
  });

  it('refuses usage that misses what the pricing needs', () => {
    expect(() =>
      rateCharge(usage({ ...stripeLike, minPerTransaction: '50' }), {
        currency: 'USD',
        roundingMode: 'half_up',
        proration: full,
        transactions: { transactionCount: '1', totalAmount: '100' },
      }),
    ).toThrow(/belowMinimum/);
  });
});

describe('free units, minimums and caps', () => {
  it('takes free units before pricing', () => {
    const [line] = rate(
      usage({ model: 'per_unit', unitPrice: '2' }, { freeUnits: '1000' }),
      '1500',
    );
    expect(line!.amount.amount).toBe(1000);
    expect(line!.explanation[0]).toBe('1,500 units − 1,000 free = 500 billable');
  });

  it('adds a true-up line when a charge falls short of its minimum', () => {
    const lines = rate(usage({ model: 'per_unit', unitPrice: '1' }, { minimum: '5000' }), '3210');
    expect(lines.map((l) => [l.id, l.kind, l.amount.amount])).toEqual([
      ['api', 'charge', 3210],
      ['api:minimum', 'charge_minimum', 1790],
    ]);
    expect(lines[1]!.explanation).toEqual(['minimum USD 50.00 − charged USD 32.10 = USD 17.90']);
    expect(
      rate(usage({ model: 'per_unit', unitPrice: '1' }, { minimum: '5000' }), '6000'),
    ).toHaveLength(1);
  });

  it('caps a charge at its maximum', () => {
    const [line] = rate(
      usage({ model: 'per_unit', unitPrice: '0.1' }, { maximum: '10000' }),
      '1000000',
    );
    expect(line!.amount.amount).toBe(10000);
    expect(line!.explanation).toContain('capped at USD 100.00 = USD 100.00');
  });

  it('prorates flat and per-seat charges, and minimums, but not usage', () => {
    const stub = { numerator: 19, denominator: 28 };
    const ctx = { currency: 'EUR', roundingMode: 'half_up' as const, proration: stub };
    const flat: Charge = {
      key: 'base',
      description: 'Base',
      billing: 'advance',
      type: 'flat',
      amount: '3000',
    };
    const [base] = rateCharge(flat, ctx);
    expect(base!.amount.amount).toBe(2036); // 19/28 × 30.00 = 20.357…
    expect(base!.explanation).toEqual([
      'flat EUR 30.00',
      'prorated 19/28 × EUR 30.00 ≈ EUR 20.35714286',
      'total ≈ EUR 20.35714286 → EUR 20.36 (rounded half-up)',
    ]);
    const seats: Charge = {
      key: 'seats',
      description: 'Seats',
      billing: 'advance',
      type: 'per_seat',
      unitAmount: '1000',
      freeUnits: '2',
    };
    expect(rateCharge(seats, { ...ctx, seats: 5 })[0]!.amount.amount).toBe(2036); // 3 × 10.00 × 19/28
    const metered = usage({ model: 'per_unit', unitPrice: '1' }, { minimum: '2800' });
    const lines = rateCharge(metered, { ...ctx, usage: '100' });
    expect(lines.map((l) => l.amount.amount)).toEqual([100, 1800]); // minimum 19/28 × 28.00 = 19.00
  });
});

describe('ratePeriod and discounts', () => {
  const plan: PlanVersion = {
    planCode: 'pro',
    version: 1,
    currency: 'EUR',
    billingCycle: { interval: 'month', intervalCount: 1 },
    taxBehavior: 'exclusive',
    charges: [
      { key: 'base', description: 'Pro plan', billing: 'advance', type: 'flat', amount: '4900' },
      {
        key: 'seats',
        description: 'Seats',
        billing: 'advance',
        type: 'per_seat',
        unitAmount: '1000',
      },
      usage({ model: 'per_unit', unitPrice: '0.5' }, { key: 'api' }),
    ],
    minimumCommitment: '10000',
  };
  const coupon = (value: Coupon['value'], extra: Partial<Coupon> = {}): Coupon => ({
    code: 'LAUNCH',
    description: 'Launch offer',
    value,
    duration: { type: 'forever' },
    appliesTo: { type: 'subtotal' },
    ...extra,
  });

  it('bills advance lines when a period opens and arrears lines with the plan minimum when it closes', () => {
    const input = { plan, quantities: { seats: 3 }, usage: { api_calls: '2000' } };
    const opening = ratePeriod({ ...input, timing: 'advance' });
    expect(opening.lines.map((l) => [l.id, l.amount.amount])).toEqual([
      ['base', 4900],
      ['seats', 3000],
    ]);
    const closing = ratePeriod({ ...input, timing: 'arrears' });
    // Charges 4,900 + 3,000 + 1,000 = 8,900 < 10,000: a true-up of 1,100 with the arrears.
    expect(closing.lines.map((l) => [l.id, l.amount.amount])).toEqual([
      ['api', 1000],
      ['plan:minimum', 1100],
    ]);
    expect(closing.subtotal).toEqual(money(2100, 'EUR'));
    const all = ratePeriod(input);
    expect(all.subtotal.amount).toBe(10000);
    expect(all.totalBeforeTax.amount).toBe(10000);
  });

  it('takes a percentage or a fixed discount off the subtotal, spread over the lines', () => {
    const input = {
      plan: { ...plan, minimumCommitment: undefined },
      quantities: { seats: 1 },
      usage: {},
    };
    const pct = ratePeriod({
      ...input,
      coupons: [{ coupon: coupon({ type: 'percentage', percent: '20' }), periodsApplied: 0 }],
    });
    expect(pct.subtotal.amount).toBe(5900);
    expect(pct.discountTotal.amount).toBe(1180);
    expect(pct.totalBeforeTax.amount).toBe(4720);
    expect(pct.discounts[0]!.explanation).toEqual(['20 % of EUR 59.00 (subtotal) = EUR 11.80']);
    expect(pct.netLines.map((l) => l.amount.amount)).toEqual([3920, 800, 0]);
    const fixed = ratePeriod({
      ...input,
      coupons: [
        { coupon: coupon({ type: 'fixed', amount: money(1000, 'EUR') }), periodsApplied: 0 },
      ],
    });
    expect(fixed.discountTotal.amount).toBe(1000);
    expect(fixed.netLines.reduce((t, l) => t + l.amount.amount, 0)).toBe(4900);
  });

  it('applies a coupon to named charges only', () => {
    const result = ratePeriod({
      plan: { ...plan, minimumCommitment: undefined },
      quantities: { seats: 2 },
      coupons: [
        {
          coupon: coupon(
            { type: 'percentage', percent: '50' },
            { appliesTo: { type: 'charges', chargeKeys: ['seats'] } },
          ),
          periodsApplied: 0,
        },
      ],
    });
    expect(result.discountTotal.amount).toBe(1000);
    expect(result.discounts[0]!.allocations).toEqual([
      { lineId: 'seats', amount: money(1000, 'EUR') },
    ]);
  });

  it('never makes the total negative, even with several coupons', () => {
    const result = ratePeriod({
      plan: { ...plan, minimumCommitment: undefined },
      quantities: { seats: 0 },
      coupons: [
        {
          coupon: coupon({ type: 'fixed', amount: money(10000, 'EUR') }, { code: 'BIG' }),
          periodsApplied: 0,
        },
        {
          coupon: coupon({ type: 'percentage', percent: '10' }, { code: 'MORE' }),
          periodsApplied: 0,
        },
      ],
    });
    expect(result.discountTotal.amount).toBe(4900);
    expect(result.totalBeforeTax.amount).toBe(0);
    expect(result.discounts[0]!.explanation).toEqual([
      'EUR 100.00 off, limited to the EUR 49.00 left (subtotal) = EUR 49.00',
    ]);
    expect(result.appliedCoupons).toEqual(['BIG', 'MORE']);
  });

  it('applies once, for N periods, or forever', () => {
    const redeemed = (duration: Coupon['duration'], periodsApplied: number) => ({
      coupon: coupon({ type: 'percentage', percent: '10' }, { duration }),
      periodsApplied,
    });
    expect(couponApplies(redeemed({ type: 'once' }, 0))).toBe(true);
    expect(couponApplies(redeemed({ type: 'once' }, 1))).toBe(false);
    expect(couponApplies(redeemed({ type: 'repeating', periods: 3 }, 2))).toBe(true);
    expect(couponApplies(redeemed({ type: 'repeating', periods: 3 }, 3))).toBe(false);
    expect(couponApplies(redeemed({ type: 'forever' }, 1000))).toBe(true);
    const expired = ratePeriod({
      plan,
      quantities: { seats: 1 },
      coupons: [redeemed({ type: 'once' }, 1)],
    });
    expect(expired.discountTotal.amount).toBe(0);
    expect(expired.appliedCoupons).toEqual([]);
  });

  it('refuses a fixed coupon in another currency', () => {
    expect(() =>
      ratePeriod({
        plan,
        coupons: [
          { coupon: coupon({ type: 'fixed', amount: money(100, 'USD') }), periodsApplied: 0 },
        ],
      }),
    ).toThrow(/USD/);
  });

  it('allocates to the minor unit by largest remainder', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(5, [0, 10, 0])).toEqual([0, 5, 0]);
    expect(allocate(0, [0, 0])).toEqual([0, 0]);
  });
});
