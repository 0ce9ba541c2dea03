// Pricing models on one quantity, exactly: per unit, graduated, volume, package. Each returns
// its components (exact minor units) and the explanation of the arithmetic; nothing is rounded
// here: the charge's line rounds once.
import type {
  GraduatedPricing,
  PackagePricing,
  PerUnitPricing,
  Tier,
  VolumePricing,
} from '../catalog.ts';
import {
  ceilQuotient,
  decimal,
  maxOf,
  minOf,
  toDecimalString,
  ZERO,
  type Exact,
} from '../decimal.ts';
import { formatMinor, formatQuantity } from './format.ts';
import type { LineComponent } from './types.ts';

export interface PricedQuantity {
  components: LineComponent[];
  /** Exact sum of the components (minor units). */
  total: Exact;
  explanation: string[];
  /** The quantity that was priced (after the model's own free units). */
  billableQuantity: Exact;
}

export type QuantityPricing = PerUnitPricing | GraduatedPricing | VolumePricing | PackagePricing;

function component(
  label: string,
  quantity: Exact | null,
  unitPrice: Exact | null,
  amount: Exact,
): LineComponent {
  return {
    label,
    quantity: quantity && toDecimalString(quantity),
    unitPrice: unitPrice && toDecimalString(unitPrice),
    amount: toDecimalString(amount),
  };
}

function finish(
  components: LineComponent[],
  explanation: string[],
  billable: Exact,
): PricedQuantity {
  const total = components.reduce((t, c) => t.plus(c.amount), ZERO);
  return { components, total, explanation, billableQuantity: billable };
}

function tierRange(tiers: readonly Tier[], i: number): string {
  const lower = i === 0 ? null : tiers[i - 1]!.upTo;
  const upper = tiers[i]!.upTo;
  if (lower === null) return upper === null ? 'all units' : `first ${formatQuantity(upper)}`;
  if (upper === null) return `above ${formatQuantity(lower)}`;
  return `above ${formatQuantity(lower)} up to ${formatQuantity(upper)}`;
}

export function pricePerUnit(
  pricing: PerUnitPricing,
  quantity: Exact,
  currency: string,
): PricedQuantity {
  const price = decimal(pricing.unitPrice);
  const amount = quantity.times(price);
  return finish(
    [component('per unit', quantity, price, amount)],
    [
      `${formatQuantity(quantity)} × ${formatMinor(price, currency)} = ${formatMinor(amount, currency)}`,
    ],
    quantity,
  );
}

/** Each tier prices the units inside it; a tier's flat fee applies once any unit falls in it. */
export function priceGraduated(
  pricing: GraduatedPricing,
  quantity: Exact,
  currency: string,
): PricedQuantity {
  const components: LineComponent[] = [];
  const explanation: string[] = [];
  let lower = ZERO;
  for (const [i, tier] of pricing.tiers.entries()) {
    if (quantity.lte(lower)) break;
    const upper = tier.upTo === null ? quantity : minOf(quantity, decimal(tier.upTo));
    const units = maxOf(ZERO, upper.minus(lower));
    const price = decimal(tier.unitPrice);
    const amount = units.times(price);
    const range = tierRange(pricing.tiers, i);
    components.push(component(range, units, price, amount));
    let step = `${range}: ${formatQuantity(units)} × ${formatMinor(price, currency)} = ${formatMinor(amount, currency)}`;
    if (tier.flatFee !== undefined) {
      const fee = decimal(tier.flatFee);
      components.push(component(`flat fee (tier ${i + 1})`, null, null, fee));
      step += `; flat fee ${formatMinor(fee, currency)}`;
    }
    explanation.push(step);
    if (tier.upTo === null) break;
    lower = decimal(tier.upTo);
  }
  if (components.length === 0) explanation.push('no usage');
  return finish(components, explanation, quantity);
}

/** The tier the quantity reaches prices every unit; no usage, no charge (not even a flat fee). */
export function priceVolume(
  pricing: VolumePricing,
  quantity: Exact,
  currency: string,
): PricedQuantity {
  if (quantity.lte(0)) return finish([], ['no usage'], quantity);
  const i = pricing.tiers.findIndex((t) => t.upTo === null || quantity.lte(decimal(t.upTo)));
  if (i < 0) throw new RangeError('volume tiers must end with an unbounded tier');
  const tier = pricing.tiers[i]!;
  const price = decimal(tier.unitPrice);
  const amount = quantity.times(price);
  const range = tierRange(pricing.tiers, i);
  const components = [component(`all units at tier ${i + 1} (${range})`, quantity, price, amount)];
  let step = `${formatQuantity(quantity)} units reach tier ${i + 1} (${range}): ${formatQuantity(quantity)} × ${formatMinor(price, currency)} = ${formatMinor(amount, currency)}`;
  if (tier.flatFee !== undefined) {
    const fee = decimal(tier.flatFee);
    components.push(component(`flat fee (tier ${i + 1})`, null, null, fee));
    step += `; flat fee ${formatMinor(fee, currency)}`;
  }
  return finish(components, [step], quantity);
}

/** Started packages are billed in full, after the package's free units. */
export function pricePackage(
  pricing: PackagePricing,
  quantity: Exact,
  currency: string,
): PricedQuantity {
  const explanation: string[] = [];
  let billable = quantity;
  if (pricing.freeUnits !== undefined) {
    const free = decimal(pricing.freeUnits);
    billable = maxOf(ZERO, quantity.minus(free));
    explanation.push(
      `${formatQuantity(quantity)} units − ${formatQuantity(free)} free = ${formatQuantity(billable)}`,
    );
  }
  const size = decimal(pricing.packageSize);
  const price = decimal(pricing.packagePrice);
  const packages = ceilQuotient(billable, size);
  const amount = packages.times(price);
  explanation.push(
    `⌈${formatQuantity(billable)} / ${formatQuantity(size)}⌉ = ${formatQuantity(packages)} package(s) × ${formatMinor(price, currency)} = ${formatMinor(amount, currency)}`,
  );
  return finish(
    [component(`packages of ${formatQuantity(size)}`, packages, price, amount)],
    explanation,
    billable,
  );
}

export function priceQuantity(
  pricing: QuantityPricing,
  quantity: Exact,
  currency: string,
): PricedQuantity {
  switch (pricing.model) {
    case 'per_unit':
      return pricePerUnit(pricing, quantity, currency);
    case 'graduated':
      return priceGraduated(pricing, quantity, currency);
    case 'volume':
      return priceVolume(pricing, quantity, currency);
    case 'package':
      return pricePackage(pricing, quantity, currency);
  }
}
