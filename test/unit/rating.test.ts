import { describe, expect, it } from 'vitest';
import type {
  Charge,
  Coupon,
  PercentagePricing,
  PlanVersion,
  PricingModel,
  Tier,
} from '../../domain/catalog/types.ts';
import { money } from '../../domain/core/money.ts';
import { couponApplies, allocate } from '../../domain/rating/discounts.ts';
import { percentageUsageQuery } from '../../domain/rating/percentage.ts';
import { rateCharge } from '../../domain/rating/rate-charge.ts';
import { ratePeriod } from '../../domain/rating/rate-period.ts';
import type { RoundingMode } from '../../domain/core/decimal.ts';
import { percentageUsageFromTransactions } from '../support/percentage-reference.ts';

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

// $10.00 a seat, the first 2 free.
const seats: Charge = {
  key: 'seats',
  description: 'Seats',
  billing: 'advance',
  type: 'per_seat',
  unitAmount: '1000',
  freeUnits: '2',
};

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

describe('block rounding', () => {
  it('bills per unit per started block, after free units', () => {
    // 1,234 calls − 200 free = 1,034 → ⌈1,034 / 100⌉ = 11 blocks = 1,100 billed × $0.0002
    // (0.02 cents) = 22 cents = $0.22.
    const [line] = rate(
      usage({ model: 'per_unit', unitPrice: '0.02', blockSize: '100' }, { freeUnits: '200' }),
      '1234',
    );
    expect(line).toMatchObject({
      usedQuantity: '1234',
      freeUnits: '200',
      quantity: '1034',
      billedQuantity: '1100',
      unitPrice: '0.02',
    });
    expect(line!.amount.amount).toBe(22);
    expect(line!.components.map(({ wording: _, ...c }) => c)).toEqual([
      { label: 'per unit, in blocks of 100', quantity: '1100', unitPrice: '0.02', amount: '22' },
    ]);
    expect(line!.explanation).toEqual([
      '1,234 units − 200 free = 1,034 billable',
      '1,034 → 1,100 (blocks of 100) × USD 0.0002 = USD 0.22',
      'total USD 0.22',
    ]);
  });

  it('rounds the units inside each graduated tier, never past the tier bound', () => {
    // Tiers: 0–1,000 at 0, 1,000–10,000 at 0.1 cent, above at 0.05 cent + $5.00 flat fee.
    // Blocks of 400, 9,950 units: tier 1 holds 1,000 (⌈1,000/400⌉ × 400 = 1,200, but the tier
    // is 1,000 wide: 1,000); tier 2 holds 8,950 (⌈8,950/400⌉ = 23 blocks = 9,200, but the
    // tier is 9,000 wide: 9,000). 0 + 9,000 × 0.1 = 900 cents = $9.00; billed 10,000.
    const pricing: PricingModel = { model: 'graduated', tiers, blockSize: '400' };
    const [line] = rate(usage(pricing), '9950');
    expect(line!.amount.amount).toBe(900);
    expect([line!.quantity, line!.billedQuantity]).toEqual(['9950', '10000']);
    expect(line!.components.map((c) => [c.label, c.quantity, c.amount])).toEqual([
      ['first 1,000 (1,000 used, in blocks of 400)', '1000', '0'],
      ['above 1,000 up to 10,000 (8,950 used, in blocks of 400)', '9000', '900'],
    ]);
    // 1,234 units in blocks of 100: tier 2 holds 234 → 300: 300 × 0.1 = 30 cents.
    const [small] = rate(usage({ ...pricing, blockSize: '100' }), '1234');
    expect(small!.amount.amount).toBe(30);
    expect(small!.explanation[1]).toBe(
      'above 1,000 up to 10,000: 234 → 300 (blocks of 100) × USD 0.001 = USD 0.30',
    );
  });

  it('rounds a volume quantity within the tier the used quantity reaches', () => {
    // 990 units, blocks of 300: tier 1 (up to 1,000, $0.01 each) is reached; ⌈990/300⌉ × 300
    // = 1,200 exceeds the tier, so 1,000 are billed at tier 1: 1,000 × 1 cent = $10.00.
    const volume: PricingModel = {
      model: 'volume',
      blockSize: '300',
      tiers: [
        { upTo: '1000', unitPrice: '1' },
        { upTo: null, unitPrice: '0.5' },
      ],
    };
    const [line] = rate(usage(volume), '990');
    expect(line!.amount.amount).toBe(1000);
    expect([line!.billedQuantity, line!.unitPrice]).toEqual(['1000', '1']);
    // 1,001 units reach tier 2: ⌈1,001/300⌉ = 4 blocks = 1,200 × 0.5 = 600 cents.
    expect(amountOf(usage(volume), '1001')).toBe(600);
  });
});

describe('graduated percentage pricing', () => {
  // 3 % of the first $1,000.00 (+ $1.00 once reached), 2 % up to $10,000.00 (+ $5.00), 1 % above.
  const graduatedPercentage: PricingModel = {
    model: 'graduated_percentage',
    tiers: [
      { upTo: '100000', rate: '3', flatFee: '100' },
      { upTo: '1000000', rate: '2', flatFee: '500' },
      { upTo: null, rate: '1' },
    ],
  };

  it('takes each tier’s rate of the volume inside it, plus its flat fee once reached', () => {
    // Volume $12,500.00 = 1,250,000 cents:
    //   100,000 × 3 % = 3,000 + 100 flat  = 3,100
    //   900,000 × 2 % = 18,000 + 500 flat = 18,500
    //   250,000 × 1 % = 2,500
    // 3,100 + 18,500 + 2,500 = 24,100 cents = $241.00.
    const [line] = rate(usage(graduatedPercentage), '1250000');
    expect(line!.amount.amount).toBe(24100);
    expect(line!.unitPrice).toBeNull();
    // The tier ranges carry their message of the `lines` catalogue, worded when the invoice is stored.
    // Bounds are figures, formatted in the customer's locale when worded; so are flat fees.
    const usd = (minor: string) => ({ minor, currency: 'USD' });
    expect(line!.components.map((c) => c.wording)).toEqual([
      { key: 'lines.tierFirst', values: { upper: usd('100000') } },
      { key: 'lines.part.flatFee', values: { tier: '1' } },
      { key: 'lines.tierBetween', values: { lower: usd('100000'), upper: usd('1000000') } },
      { key: 'lines.part.flatFee', values: { tier: '2' } },
      { key: 'lines.tierAbove', values: { lower: usd('1000000') } },
    ]);
    expect(line!.explanationWording).toHaveLength(line!.explanation.length);
    expect(line!.components.map(({ wording: _, ...c }) => c)).toEqual([
      { label: 'first USD 1,000.00', quantity: '100000', unitPrice: '0.03', amount: '3000' },
      { label: 'flat fee (tier 1)', quantity: null, unitPrice: null, amount: '100' },
      {
        label: 'above USD 1,000.00 up to USD 10,000.00',
        quantity: '900000',
        unitPrice: '0.02',
        amount: '18000',
      },
      { label: 'flat fee (tier 2)', quantity: null, unitPrice: null, amount: '500' },
      { label: 'above USD 10,000.00', quantity: '250000', unitPrice: '0.01', amount: '2500' },
    ]);
    expect(line!.explanation).toEqual([
      'first USD 1,000.00: 3 % × USD 1,000.00 = USD 30.00; flat fee USD 1.00',
      'above USD 1,000.00 up to USD 10,000.00: 2 % × USD 9,000.00 = USD 180.00; flat fee USD 5.00',
      'above USD 10,000.00: 1 % × USD 2,500.00 = USD 25.00',
      'total USD 241.00',
    ]);
  });

  it('charges nothing for no volume, and only the first tier’s fee inside it', () => {
    expect(amountOf(usage(graduatedPercentage), '0')).toBe(0);
    // $500.00: 50,000 × 3 % = 1,500 + 100 = 1,600 cents.
    expect(amountOf(usage(graduatedPercentage), '50000')).toBe(1600);
    // Exactly $1,000.00 stays in tier 1 (bounds are inclusive): 3,000 + 100.
    expect(amountOf(usage(graduatedPercentage), '100000')).toBe(3100);
    // Odd volume: 12,345 × 3 % = 370.35 + 100 = 470.35 → 470 cents, rounded once.
    expect(amountOf(usage(graduatedPercentage), '12345')).toBe(470);
    // One tier for all volume: 1.5 % × $200.00 = $3.00.
    const [flat] = rate(
      usage({ model: 'graduated_percentage', tiers: [{ upTo: null, rate: '1.5' }] }),
      '20000',
    );
    expect(flat!.explanation[0]).toBe('all volume: 1.5 % × USD 200.00 = USD 3.00');
  });
});

describe('percentage pricing', () => {
  const stripeLike: PercentagePricing = {
    model: 'percentage',
    rate: '2.9',
    fixedFeePerTransaction: '30',
  };

  // 2.9 % + $0.30 each, each fee within [$0.50, $2.00], 2 free transactions or $15.00 free.
  const bounded: PercentagePricing = {
    ...stripeLike,
    minPerTransaction: '50',
    maxPerTransaction: '200',
    freeTransactions: '2',
    freeAmount: '1500',
  };

  const ratePct = (pricing: PercentagePricing, amounts: string[], extra: Partial<Charge> = {}) =>
    rateCharge(usage(pricing, extra), {
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

  it('ends the free allowances when either runs out first (free transactions or free amount)', () => {
    const pricing = { ...stripeLike, freeTransactions: '3', freeAmount: '500' };
    // The free amount runs out first: running sums 200, 600, 700, 1,000. #1 is free (200 ≤ 500);
    // #2 crosses 500 and is charged 600 − 500 = 100; #3 is still within the 3 free transactions
    // but the free amount is gone: 100 charged; #4 is past both: 300 charged.
    // Chargeable: 3 transactions, 100 + 100 + 300 = 500. 2.9 % × 5.00 = 0.145, + 3 × 0.30 =
    // 0.90: 1.045 → $1.05 (half-up).
    const amountFirst = ratePct(pricing, ['200', '400', '100', '300']);
    expect(amountFirst.amount.amount).toBe(105);
    expect(amountFirst.quantity).toBe('3');
    expect(amountFirst.usedQuantity).toBe('4');
    expect(amountFirst.freeUnits).toBe('1');
    expect(amountFirst.explanation[1]).toBe(
      'free: the first 3 transactions or the first USD 5.00 of volume, whichever runs out first: 3 chargeable transactions, volume USD 5.00',
    );
    // The free transactions run out first: running sums 100, 200, 300 (≤ 500): #1–#3 free;
    // #4 is the 4th transaction, past the 3 free ones, so all of it is charged, although
    // 200 of the free amount is left: 2.9 % × 10.00 = 0.29, + 0.30 = 0.59 → $0.59.
    const countFirst = ratePct(pricing, ['100', '100', '100', '1000']);
    expect(countFirst.amount.amount).toBe(59);
    expect(countFirst.quantity).toBe('1');
    expect(countFirst.freeUnits).toBe('3');
  });

  it('combines free allowances, per-transaction min/max, the fixed fee and the charge cap', () => {
    const pricing = bounded;
    // amounts 1,000, 1,000, 700, 10,000, 100 (cents); running sums 1,000, 2,000, …
    // #1: free (1st, 1,000 ≤ 1,500).
    // #2: crosses 1,500: 500 chargeable: 14.5 + 30 = 44.5 → minimum 50.
    // #3: past the 2 free: 700: 20.3 + 30 = 50.3 (within the bounds).
    // #4: 10,000: 290 + 30 = 320 → maximum 200.
    // #5: 100: 2.9 + 30 = 32.9 → minimum 50.
    // Total 50 + 50.3 + 200 + 50 = 350.3 cents → $3.50.
    const amounts = ['1000', '1000', '700', '10000', '100'];
    expect(percentageUsageFromTransactions(pricing, amounts)).toEqual({
      transactionCount: '5',
      totalAmount: '12800',
      chargeable: { count: '4', amount: '11300' },
      belowMinimum: { count: '2', amount: '600' },
      aboveMaximum: { count: '1', amount: '10000' },
    });
    const line = ratePct(pricing, amounts);
    expect(line.amount.amount).toBe(350);
    expect(line.capped).toBe(false);
    expect(line.components.map((c) => [c.label, c.quantity, c.unitPrice, c.amount])).toEqual([
      ['2.9 % of volume', '700', '0.029', '20.3'],
      ['fixed fee per transaction', '1', '30', '30'],
      ['transactions at the minimum fee', '2', '50', '100'],
      ['transactions at the maximum fee', '1', '200', '200'],
    ]);
    // A charge cap of $3.00 comes after: 350.3 → 300, and the line says so.
    const capped = ratePct(pricing, amounts, { maximum: '300' });
    expect(capped.amount.amount).toBe(300);
    expect(capped.capped).toBe(true);
    expect(capped.explanation).toContain('capped at USD 3.00 = USD 3.00');
  });

  it('rates a period without transactions to a zero line, never an error', () => {
    // No aggregates at all (an advance invoice or an estimate rates every charge), or a count
    // of 0 without the bands: every band is empty, the line is $0.00.
    const pricing = bounded;
    const ctx = { currency: 'USD', roundingMode: 'half_up' as const, proration: full };
    for (const transactions of [undefined, { transactionCount: '0', totalAmount: '0' }]) {
      const [line] = rateCharge(usage(pricing), { ...ctx, transactions });
      expect(line!.amount.amount).toBe(0);
      expect(line!.quantity).toBe('0');
      expect(line!.explanation[0]).toBe('0 transactions, volume USD 0.00');
    }
    // "0" free transactions is no allowance: the aggregates need no `chargeable`.
    const [zero] = rateCharge(usage({ ...stripeLike, freeTransactions: '0' }), {
      ...ctx,
      transactions: { transactionCount: '1', totalAmount: '1000' },
    });
    expect(zero!.amount.amount).toBe(59); // 29 + 30
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

  it('shows its arithmetic: used quantity, free units, billed quantity, unit price, cap', () => {
    // 1,500 calls, 1,000 free: 500 × $0.02 = $10.00, under a $100.00 cap.
    const [perUnit] = rate(
      usage({ model: 'per_unit', unitPrice: '2' }, { freeUnits: '1000', maximum: '10000' }),
      '1500',
    );
    expect(perUnit).toMatchObject({
      usedQuantity: '1500',
      freeUnits: '1000',
      quantity: '500',
      billedQuantity: '500',
      unitPrice: '2',
      capped: false,
    });
    // 300 calls, 1,000 free: only 300 are actually deducted; nothing billed.
    const [under] = rate(
      usage({ model: 'per_unit', unitPrice: '2' }, { freeUnits: '1000' }),
      '300',
    );
    expect([under!.usedQuantity, under!.freeUnits, under!.quantity]).toEqual(['300', '300', '0']);
    // 12,000 on the graduated tiers: several prices, so no single unit price; capped at $12.00.
    const [tiered] = rate(usage({ model: 'graduated', tiers }, { maximum: '1200' }), '12000');
    expect(tiered).toMatchObject({ unitPrice: null, capped: true, freeUnits: null });
    expect(tiered!.amount.amount).toBe(1200);
    // Package free units are the model's: 2,101 − 100 free = 2,001.
    const [pack] = rate(
      usage({ model: 'package', packageSize: '1000', packagePrice: '500', freeUnits: '100' }),
      '2101',
    );
    expect([pack!.usedQuantity, pack!.freeUnits, pack!.quantity]).toEqual(['2101', '100', '2001']);
    // Per seat: 5 seats, 2 free, 3 × $10.00.
    const [seat] = rateCharge(seats, {
      currency: 'USD',
      roundingMode: 'half_up',
      proration: full,
      seats: 5,
    });
    expect(seat).toMatchObject({
      usedQuantity: '5',
      freeUnits: '2',
      quantity: '3',
      unitPrice: '1000',
    });
    // A true-up line: quantity 1, no unit price, never capped.
    const trueUp = rate(usage({ model: 'per_unit', unitPrice: '1' }, { minimum: '5000' }), '10')[1];
    expect(trueUp).toMatchObject({ usedQuantity: '1', freeUnits: null, capped: false });
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
