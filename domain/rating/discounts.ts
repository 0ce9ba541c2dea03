// Discounts, after charges and before tax. Coupons apply in the order given, each to what the
// earlier ones left of the lines in its scope, so a discount can never make a line, or the
// total, negative. A percentage discount rounds once (its own line); every discount is spread
// over its lines to the minor unit, so the tax stage can tax each line's net amount.
import type { Coupon, CouponRedemption } from '../catalog/types.ts';
import { decimal, roundToMinorUnits, type RoundingMode } from '../core/decimal.ts';
import { money } from '../core/money.ts';
import { minorFigure, percentFigure, worded, type Wording } from '../core/wording.ts';
import { formatMinor, formatPercent } from './format.ts';
import type { DiscountAllocation, DiscountLine, RatedLine } from './types.ts';

/** Whether a redeemed coupon still discounts the next period. */
export function couponApplies(redemption: CouponRedemption): boolean {
  const { duration } = redemption.coupon;
  switch (duration.type) {
    case 'once':
      return redemption.periodsApplied < 1;
    case 'repeating':
      return redemption.periodsApplied < duration.periods;
    case 'forever':
      return true;
  }
}

function inScope(coupon: Coupon, line: RatedLine): boolean {
  if (coupon.appliesTo.type === 'subtotal') return true;
  return line.chargeKey !== null && coupon.appliesTo.chargeKeys.includes(line.chargeKey);
}

/**
 * Splits `total` over `weights` in proportion, to whole minor units (largest remainder; ties
 * to the earlier line). Requires 0 ≤ total ≤ sum of weights, so no share exceeds its weight.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + BigInt(b), 0n);
  if (sum === 0n) return weights.map(() => 0);
  const exact = weights.map((w) => BigInt(total) * BigInt(w));
  const shares = exact.map((x) => x / sum);
  let left = BigInt(total) - shares.reduce((a, b) => a + b, 0n);
  const order = exact
    .map((x, i) => ({ i, remainder: x % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares.map(Number);
}

export interface AppliedDiscounts {
  discounts: DiscountLine[];
  /** Remaining (net) amount per line id after all discounts. */
  net: Map<string, number>;
  appliedCoupons: string[];
}

export function applyCoupons(
  lines: readonly RatedLine[],
  redemptions: readonly CouponRedemption[],
  currency: string,
  mode: RoundingMode,
): AppliedDiscounts {
  const net = new Map(lines.map((l) => [l.id, l.amount.amount]));
  const discounts: DiscountLine[] = [];
  const appliedCoupons: string[] = [];
  const fmt = (x: number) => formatMinor(x, currency);
  const figure = (x: number) => minorFigure(x, currency);
  for (const redemption of redemptions) {
    if (!couponApplies(redemption)) continue;
    const { coupon } = redemption;
    appliedCoupons.push(coupon.code);
    const scoped = lines.filter((l) => inScope(coupon, l));
    const base = scoped.reduce((t, l) => t + net.get(l.id)!, 0);
    const scopeText =
      coupon.appliesTo.type === 'subtotal' ? 'subtotal' : coupon.appliesTo.chargeKeys.join(', ');
    const scope =
      coupon.appliesTo.type === 'subtotal' ? worded('lines.step.discountSubtotal') : scopeText;
    let off: number;
    let step: string;
    let stepWording: Wording;
    if (coupon.value.type === 'percentage') {
      off = roundToMinorUnits(decimal(base).times(coupon.value.percent).times('0.01'), mode);
      off = Math.min(off, base);
      step = `${formatPercent(coupon.value.percent)} of ${fmt(base)} (${scopeText}) = ${fmt(off)}`;
      stepWording = worded('lines.step.discountPercent', {
        percent: percentFigure(coupon.value.percent),
        base: figure(base),
        scope,
        off: figure(off),
      });
    } else {
      if (coupon.value.amount.currency !== currency) {
        throw new RangeError(
          `coupon ${coupon.code} is in ${coupon.value.amount.currency}, the invoice in ${currency}`,
        );
      }
      off = Math.min(coupon.value.amount.amount, base);
      const limited = off < coupon.value.amount.amount;
      step = limited
        ? `${fmt(coupon.value.amount.amount)} off, limited to the ${fmt(base)} left (${scopeText}) = ${fmt(off)}`
        : `${fmt(off)} off (${scopeText})`;
      stepWording = limited
        ? worded('lines.step.discountLimited', {
            amount: figure(coupon.value.amount.amount),
            base: figure(base),
            scope,
            off: figure(off),
          })
        : worded('lines.step.discountFixed', { off: figure(off), scope });
    }
    if (off <= 0) continue;
    const shares = allocate(
      off,
      scoped.map((l) => net.get(l.id)!),
    );
    const allocations: DiscountAllocation[] = [];
    scoped.forEach((l, i) => {
      const share = shares[i]!;
      if (share === 0) return;
      net.set(l.id, net.get(l.id)! - share);
      allocations.push({ lineId: l.id, amount: money(share, currency) });
    });
    discounts.push({
      couponCode: coupon.code,
      description: coupon.description,
      amount: money(off, currency),
      explanation: [step],
      explanationWording: [stepWording],
      allocations,
    });
  }
  return { discounts, net, appliedCoupons };
}
