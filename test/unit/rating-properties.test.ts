// Invariants of the rating engine, over generated catalogs and usage.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  Charge,
  PercentagePricing,
  PercentageTier,
  PlanVersion,
  PricingModel,
  Tier,
} from '../../domain/catalog/types.ts';
import { validatePlanVersion } from '../../domain/catalog/validation.ts';
import { decimal, minOf, roundToMinorUnits, ZERO } from '../../domain/core/decimal.ts';
import { percentageUsageFromTransactions } from '../support/percentage-reference.ts';
import { rateCharge } from '../../domain/rating/rate-charge.ts';
import { ratePeriod } from '../../domain/rating/rate-period.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('rating-properties');

const full = { numerator: 1, denominator: 1 };

/** Decimal strings of minor units: whole or with up to 4 decimals ("0.0625"); small enough
 * that 10^12 units stay within safe integers (bigger totals throw, by design). */
const price = fc
  .tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 9999 }), fc.boolean())
  .map(([whole, frac, fractional]) =>
    fractional ? `${whole}.${String(frac).padStart(4, '0')}` : String(whole),
  );

const quantity = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 12n }).map(String),
  fc
    .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 99 }))
    .map(([a, b]) => `${a}.${b}`),
);

/** Valid tiers: strictly increasing bounds, the last unbounded. */
const tiersArb = (monotone: boolean) =>
  fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 0, maxLength: 4 }),
      fc.array(fc.tuple(price, fc.option(price, { nil: undefined })), {
        minLength: 5,
        maxLength: 5,
      }),
    )
    .map(([bounds, prices]) => {
      const sorted = [...bounds].sort((a, b) => a - b);
      const ps = monotone ? [...prices].sort((a, b) => decimal(a[0]).cmp(decimal(b[0]))) : prices;
      let fee = ZERO;
      return [...sorted.map(String), null].map((upTo, i): Tier => {
        const [unitPrice, flatFee] = ps[i]!;
        if (!monotone) return { upTo, unitPrice, ...(flatFee !== undefined && { flatFee }) };
        // Non-decreasing flat fees: the running maximum.
        if (flatFee !== undefined && decimal(flatFee).gt(fee)) fee = decimal(flatFee);
        return { upTo, unitPrice, flatFee: fee.toFixed() };
      });
    });

/** Percent, 0–100, in tenths: "2.9". */
const rateArb = fc.integer({ min: 0, max: 1000 }).map((r) => (r / 10).toString());

/** Valid graduated percentage tiers: the tiers above, each with a rate instead of a price. */
const percentTiersArb = fc
  .tuple(tiersArb(false), fc.array(rateArb, { minLength: 5, maxLength: 5 }))
  .map(([tiers, rates]): PercentageTier[] =>
    tiers.map(({ upTo, flatFee }, i) => ({
      upTo,
      rate: rates[i]!,
      ...(flatFee !== undefined && { flatFee }),
    })),
  );

/** A block size: whole units, or a fractional one ("2.5" GB). */
const blockSizeArb = fc.oneof(
  fc.integer({ min: 1, max: 5000 }).map(String),
  fc.integer({ min: 1, max: 999 }).map((n) => (n / 10).toString()),
);

const usageCharge = (pricing: PricingModel, key = 'u', metricCode = 'm'): Charge => ({
  key,
  description: key,
  billing: 'arrears',
  type: 'usage',
  metricCode,
  pricing,
});

const amount = (pricing: PricingModel, q: string) =>
  rateCharge(usageCharge(pricing), {
    currency: 'EUR',
    roundingMode: 'half_up',
    proration: full,
    usage: q,
  })[0]!;

const ordered = fc
  .tuple(quantity, quantity)
  .map(([a, b]) => (decimal(a).lte(decimal(b)) ? [a, b] : [b, a]));

describe('rating properties', () => {
  it('makes a graduated line the rounded exact sum of its tiers', () => {
    fc.assert(
      fc.property(tiersArb(false), quantity, (tiers, q) => {
        const line = amount({ model: 'graduated', tiers }, q);
        const exact = line.components.reduce((t, c) => t.plus(c.amount), ZERO);
        return exact.eq(line.exactAmount) && line.amount.amount === roundToMinorUnits(exact);
      }),
    );
  });

  it('never lowers a graduated or package total as usage grows', () => {
    fc.assert(
      fc.property(tiersArb(false), ordered, (tiers, [a, b]) => {
        return (
          amount({ model: 'graduated', tiers }, a!).amount.amount <=
          amount({ model: 'graduated', tiers }, b!).amount.amount
        );
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }).map(String),
        price,
        fc.option(quantity, { nil: undefined }),
        ordered,
        (size, p, free, [a, b]) => {
          const pricing: PricingModel = {
            model: 'package',
            packageSize: size,
            packagePrice: p,
            ...(free && { freeUnits: free }),
          };
          return amount(pricing, a!).amount.amount <= amount(pricing, b!).amount.amount;
        },
      ),
    );
  });

  it('never lowers a volume total when unit prices and flat fees do not decrease tier to tier', () => {
    // Precondition: with cheaper higher tiers, volume pricing has cliffs by design.
    fc.assert(
      fc.property(tiersArb(true), ordered, (tiers, [a, b]) => {
        return (
          amount({ model: 'volume', tiers }, a!).amount.amount <=
          amount({ model: 'volume', tiers }, b!).amount.amount
        );
      }),
    );
  });

  it('agrees between volume and graduated inside the first tier', () => {
    fc.assert(
      fc.property(tiersArb(false), fc.integer({ min: 0, max: 1_000_000 }), (tiers, n) => {
        const first = tiers[0]!.upTo;
        const q = first === null ? String(n) : String(Math.min(n, Number(first)));
        return (
          amount({ model: 'volume', tiers }, q).amount.amount ===
          amount({ model: 'graduated', tiers }, q).amount.amount
        );
      }),
    );
  });

  it('rates percentage aggregates exactly as the sum of per-transaction clamped fees', () => {
    const pricingArb: fc.Arbitrary<PercentagePricing> = fc
      .record({
        rate: rateArb,
        fixed: fc.option(fc.integer({ min: 0, max: 50 }).map(String), { nil: undefined }),
        bounds: fc.option(
          fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 })),
          { nil: undefined },
        ),
        freeTransactions: fc.option(fc.integer({ min: 0, max: 5 }).map(String), { nil: undefined }),
        freeAmount: fc.option(fc.integer({ min: 0, max: 20_000 }).map(String), { nil: undefined }),
      })
      .map(({ rate, fixed, bounds, freeTransactions, freeAmount }) => ({
        model: 'percentage',
        rate,
        ...(fixed && { fixedFeePerTransaction: fixed }),
        ...(bounds && {
          minPerTransaction: String(Math.min(...bounds)),
          maxPerTransaction: String(Math.max(...bounds)),
        }),
        ...(freeTransactions && { freeTransactions }),
        ...(freeAmount && { freeAmount }),
      }));
    fc.assert(
      fc.property(
        pricingArb,
        fc.array(fc.integer({ min: 0, max: 100_000 }).map(String), { maxLength: 30 }),
        (pricing, amounts) => {
          const line = rateCharge(usageCharge(pricing), {
            currency: 'USD',
            roundingMode: 'half_even',
            proration: full,
            transactions: percentageUsageFromTransactions(pricing, amounts),
          })[0]!;
          // The slow way: each transaction's fee, clamped, after the free allowances, which
          // run side by side until either is used up ("0" is no allowance).
          const limit = (v: string | undefined) => (v !== undefined && decimal(v).gt(0) ? v : null);
          let countLeft =
            limit(pricing.freeTransactions) === null ? Infinity : Number(pricing.freeTransactions);
          let amountLeft = limit(pricing.freeAmount) === null ? null : decimal(pricing.freeAmount!);
          let over = countLeft === Infinity && amountLeft === null;
          let expected = ZERO;
          for (const a of amounts) {
            if (!over && countLeft > 0 && (amountLeft === null || amountLeft.gte(a))) {
              countLeft -= 1;
              amountLeft = amountLeft && amountLeft.minus(a);
              continue;
            }
            // Crossing the free amount within the free transactions: the part above it.
            const chargeable = !over && countLeft > 0 ? decimal(a).minus(amountLeft!) : decimal(a);
            over = true;
            let fee = chargeable
              .times(pricing.rate)
              .div(100)
              .plus(pricing.fixedFeePerTransaction ?? '0');
            if (pricing.minPerTransaction && fee.lt(pricing.minPerTransaction))
              fee = decimal(pricing.minPerTransaction);
            if (pricing.maxPerTransaction && fee.gt(pricing.maxPerTransaction))
              fee = decimal(pricing.maxPerTransaction);
            expected = expected.plus(fee);
          }
          expect(line.amount.amount).toBe(roundToMinorUnits(expected, 'half_even'));
        },
      ),
    );
  });

  it('makes a graduated percentage line the rounded exact sum of its tiers, monotone in volume', () => {
    fc.assert(
      fc.property(percentTiersArb, ordered, (tiers, [a, b]) => {
        const pricing: PricingModel = { model: 'graduated_percentage', tiers };
        const [low, high] = [amount(pricing, a!), amount(pricing, b!)];
        for (const line of [low, high]) {
          const exact = line.components.reduce((t, c) => t.plus(c.amount), ZERO);
          expect(exact.eq(line.exactAmount)).toBe(true);
          expect(line.amount.amount).toBe(roundToMinorUnits(exact));
          // Each tier component is its volume × rate / 100.
          for (const c of line.components.filter((c) => c.quantity !== null))
            expect(decimal(c.quantity!).times(c.unitPrice!).eq(c.amount)).toBe(true);
        }
        expect(low.amount.amount).toBeLessThanOrEqual(high.amount.amount);
      }),
    );
  });

  it('never bills less than used in blocks, and less than one block more per tier', () => {
    fc.assert(
      fc.property(tiersArb(false), blockSizeArb, quantity, (tiers, size, q) => {
        const block = decimal(size);
        const used = decimal(q);
        const line = amount({ model: 'graduated', tiers, blockSize: size }, q);
        const plain = amount({ model: 'graduated', tiers }, q);
        // The tier components, in order, against the units used in each tier.
        const priced = line.components.filter((c) => c.quantity !== null);
        let lower = ZERO;
        for (const [i, c] of priced.entries()) {
          const upTo = tiers[i]!.upTo;
          const inTier = (upTo === null ? used : minOf(used, decimal(upTo))).minus(lower);
          const billed = decimal(c.quantity!);
          expect(billed.gte(inTier)).toBe(true);
          expect(billed.minus(inTier).lt(block)).toBe(true);
          if (upTo !== null) {
            expect(billed.lte(decimal(upTo).minus(lower))).toBe(true);
            lower = decimal(upTo);
          }
        }
        const billedTotal = decimal(line.billedQuantity);
        expect(billedTotal.gte(used) && billedTotal.minus(used).lt(block)).toBe(true);
        expect(line.amount.amount).toBeGreaterThanOrEqual(plain.amount.amount);
        // Per unit and volume: one tier, the same bounds.
        for (const model of [
          { model: 'per_unit', unitPrice: tiers[0]!.unitPrice, blockSize: size },
          { model: 'volume', tiers, blockSize: size },
        ] as const) {
          const one = decimal(amount(model, q).billedQuantity);
          expect(one.gte(used) && one.minus(used).lt(block)).toBe(true);
        }
      }),
    );
  });

  // A generated valid plan, with its usage: validation must accept it and rating must return
  // integer amounts that add up.
  const pricingArb: fc.Arbitrary<PricingModel> = fc.oneof(
    price.map((unitPrice): PricingModel => ({ model: 'per_unit', unitPrice })),
    tiersArb(false).map((tiers): PricingModel => ({ model: 'graduated', tiers })),
    tiersArb(false).map((tiers): PricingModel => ({ model: 'volume', tiers })),
    fc.tuple(fc.integer({ min: 1, max: 1000 }), price).map(([size, p]): PricingModel => ({
      model: 'package',
      packageSize: String(size),
      packagePrice: p,
    })),
    percentTiersArb.map((tiers): PricingModel => ({ model: 'graduated_percentage', tiers })),
    fc
      .tuple(fc.constantFrom('per_unit', 'graduated', 'volume'), tiersArb(false), blockSizeArb)
      .map(([model, tiers, blockSize]): PricingModel =>
        model === 'per_unit'
          ? { model, unitPrice: tiers[0]!.unitPrice, blockSize }
          : { model, tiers, blockSize },
      ),
  );
  const chargeArb = (i: number): fc.Arbitrary<Charge> =>
    fc.oneof(
      fc
        .record({ amount: price, billing: fc.constantFrom('advance' as const, 'arrears' as const) })
        .map(({ amount, billing }): Charge => ({
          key: `c${i}`,
          description: `flat ${i}`,
          billing,
          type: 'flat',
          amount,
        })),
      fc
        .record({
          unitAmount: price,
          free: fc.option(fc.integer({ min: 0, max: 5 }).map(String), { nil: undefined }),
        })
        .map(({ unitAmount, free }): Charge => ({
          key: `c${i}`,
          description: `seats ${i}`,
          billing: 'advance',
          type: 'per_seat',
          unitAmount,
          ...(free && { freeUnits: free }),
        })),
      fc
        .record({ pricing: pricingArb, cap: fc.option(fc.tuple(price, price), { nil: undefined }) })
        .map(({ pricing, cap }): Charge => {
          const bounds = cap && [cap[0], cap[1]].sort((a, b) => decimal(a).cmp(decimal(b)));
          return {
            ...usageCharge(pricing, `c${i}`, `m${i % 2}`),
            ...(bounds && { minimum: bounds[0], maximum: bounds[1] }),
          };
        }),
    );
  const planArb: fc.Arbitrary<PlanVersion> = fc
    .record({
      currency: fc.constantFrom('EUR', 'JPY', 'BHD', 'USD'),
      charges: fc
        .integer({ min: 1, max: 5 })
        .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => chargeArb(i)))),
      commitment: fc.option(price, { nil: undefined }),
    })
    .map(({ currency, charges, commitment }) => ({
      planCode: 'gen',
      version: 1,
      currency,
      billingCycle: { interval: 'month', intervalCount: 1 },
      taxBehavior: 'exclusive',
      charges,
      ...(commitment && { minimumCommitment: commitment }),
    }));

  it('accepts every generated valid plan, and rates it to integers that add up', () => {
    fc.assert(
      fc.property(
        planArb,
        fc.record({ m0: quantity, m1: quantity }),
        fc.integer({ min: 0, max: 1000 }),
        fc
          .integer({ min: 1, max: 31 })
          .chain((d) =>
            fc.record({ numerator: fc.integer({ min: 0, max: d }), denominator: fc.constant(d) }),
          ),
        fc.integer({ min: 0, max: 100 }),
        (plan, usage, seats, proration, percent) => {
          expect(validatePlanVersion(plan, new Set(['m0', 'm1']))).toEqual([]);
          const quantities = Object.fromEntries(plan.charges.map((c) => [c.key, seats]));
          const result = ratePeriod({
            plan,
            usage,
            quantities,
            proration,
            coupons: [
              {
                coupon: {
                  code: 'P',
                  description: 'p',
                  value: { type: 'percentage', percent: String(percent) },
                  duration: { type: 'forever' },
                  appliesTo: { type: 'subtotal' },
                },
                periodsApplied: 0,
              },
            ],
          });
          const amounts = [
            ...result.lines.map((l) => l.amount.amount),
            result.subtotal.amount,
            result.discountTotal.amount,
            result.totalBeforeTax.amount,
          ];
          expect(amounts.every((a) => Number.isSafeInteger(a) && a >= 0)).toBe(true);
          expect(result.lines.reduce((t, l) => t + l.amount.amount, 0)).toBe(
            result.subtotal.amount,
          );
          expect(result.netLines.reduce((t, l) => t + l.amount.amount, 0)).toBe(
            result.totalBeforeTax.amount,
          );
          expect(result.netLines.every((l) => l.amount.amount >= 0)).toBe(true);
          expect(JSON.parse(JSON.stringify(result))).toEqual(result);
        },
      ),
      { numRuns: 200 },
    );
  });
});
