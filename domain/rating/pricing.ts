// Pricing models on one quantity, exactly: per unit, graduated, volume, package, graduated
// percentage (the quantity is a volume of minor units), with block rounding. Each returns
// its components (exact minor units) and the explanation of the arithmetic; nothing is rounded
// here: the charge's line rounds once.
import type {
  GraduatedPercentagePricing,
  GraduatedPricing,
  PackagePricing,
  PerUnitPricing,
  VolumePricing,
} from '../catalog/types.ts';
import {
  minorFigure,
  percentFigure,
  quantityFigure,
  Steps,
  worded,
  type Figure,
  type Wording,
} from '../core/wording.ts';
import { ceilQuotient, decimal, maxOf, minOf, ZERO, type Exact } from '../core/decimal.ts';
import { formatMinor, formatPercent, formatQuantity } from './format.ts';
import {
  billedText,
  billedWording,
  component,
  flatFee,
  NO_USAGE,
  tierRange,
  tierWording,
  timesWording,
  type Bounded,
} from './pricing-words.ts';
import type { LineComponent } from './types.ts';

export interface PricedQuantity {
  components: LineComponent[];
  /** Exact sum of the components (minor units). */
  total: Exact;
  explanation: string[];
  /** Each step of the explanation as a message of the `lines` catalogue, in the same order. */
  explanationWording: Wording[];
  /** The quantity that was priced (after the model's own free units). */
  billableQuantity: Exact;
  /** Before the model's own free units (package, percentage); default billableQuantity. */
  usedQuantity?: Exact;
  /** Free units the model deducted itself (package, percentage); null or absent: none. */
  freeQuantity?: Exact | null;
  /** After block rounding; default billableQuantity. */
  billedQuantity?: Exact;
  /** The single unit price, when the total is billedQuantity × it (RatedLine.unitPrice). */
  unitPrice?: Exact | null;
}

export type QuantityPricing =
  PerUnitPricing | GraduatedPricing | VolumePricing | PackagePricing | GraduatedPercentagePricing;

function finish(
  components: LineComponent[],
  steps: Steps,
  billable: Exact,
  extra: Partial<PricedQuantity> = {},
): PricedQuantity {
  const total = components.reduce((t, c) => t.plus(c.amount), ZERO);
  return {
    components,
    total,
    explanation: steps.text,
    explanationWording: steps.wording,
    billableQuantity: billable,
    ...extra,
  };
}

const blockSizeOf = (pricing: { blockSize?: string }) =>
  pricing.blockSize === undefined ? null : decimal(pricing.blockSize);

/**
 * `units` rounded up to whole blocks, but never above `room` (a tier's width): a tier bills at
 * most one block more than was used in it. Without a block size, the units themselves.
 */
export function roundUpToBlocks(units: Exact, blockSize: Exact | null, room: Exact | null): Exact {
  if (blockSize === null) return units;
  const rounded = ceilQuotient(units, blockSize).times(blockSize);
  return room !== null && rounded.gt(room) ? room : rounded;
}

export function pricePerUnit(
  pricing: PerUnitPricing,
  quantity: Exact,
  currency: string,
): PricedQuantity {
  const price = decimal(pricing.unitPrice);
  const size = blockSizeOf(pricing);
  const billed = roundUpToBlocks(quantity, size, null);
  const amount = billed.times(price);
  const label = size === null ? 'per unit' : `per unit, in blocks of ${formatQuantity(size)}`;
  const labelWording =
    size === null
      ? worded('lines.part.perUnit')
      : worded('lines.part.perUnitInBlocks', { block: quantityFigure(size) });
  const steps = new Steps();
  steps.push(
    `${billedText(quantity, billed, size)} × ${formatMinor(price, currency)} = ${formatMinor(amount, currency)}`,
    timesWording(
      billedWording(quantity, billed, size),
      minorFigure(price, currency),
      minorFigure(amount, currency),
    ),
  );
  return finish([component(label, labelWording, billed, price, amount)], steps, quantity, {
    billedQuantity: billed,
    unitPrice: price,
  });
}

interface TierWalk {
  /** The tier's price of one unit (minor units). */
  unitPrice: (i: number) => Exact;
  /** The arithmetic of one tier: "9,000 × USD 0.001 = USD 9.00". */
  step: (i: number, used: Exact, billed: Exact, amount: Exact) => string;
  /** The same as a catalogue message. */
  stepWording: (i: number, used: Exact, billed: Exact, amount: Exact) => Wording;
  bound?: (x: string) => string;
  /** A bound as a figure of the locale. */
  boundFigure?: (x: string) => Figure;
  /** The label of a single unbounded tier. */
  everything?: string;
  /** Its message in the `lines` catalogue. */
  everythingKey?: string;
  blockSize: Exact | null;
}

/**
 * Each tier prices the units inside it (rounded up to blocks within the tier), and adds its
 * flat fee once any unit falls in it: graduated and graduated percentage.
 */
function priceTiered(
  tiers: readonly (Bounded & { flatFee?: string })[],
  quantity: Exact,
  currency: string,
  walk: TierWalk,
): PricedQuantity {
  const components: LineComponent[] = [];
  const steps = new Steps();
  let lower = ZERO;
  let billedTotal = ZERO;
  for (const [i, tier] of tiers.entries()) {
    if (quantity.lte(lower)) break;
    const bound = tier.upTo === null ? null : decimal(tier.upTo);
    const upper = bound === null ? quantity : minOf(quantity, bound);
    const used = maxOf(ZERO, upper.minus(lower));
    const billed = roundUpToBlocks(used, walk.blockSize, bound && bound.minus(lower));
    const price = walk.unitPrice(i);
    const amount = billed.times(price);
    billedTotal = billedTotal.plus(billed);
    const range = tierRange(tiers, i, walk.bound, walk.everything);
    const rangeWording = tierWording(tiers, i, walk.boundFigure, walk.everythingKey);
    const label =
      walk.blockSize === null
        ? range
        : `${range} (${formatQuantity(used)} used, in blocks of ${formatQuantity(walk.blockSize)})`;
    const wording =
      walk.blockSize === null
        ? rangeWording
        : worded('lines.tierInBlocks', {
            range: rangeWording,
            used: quantityFigure(used),
            block: quantityFigure(walk.blockSize),
          });
    components.push(component(label, wording, billed, price, amount));
    const arithmetic = walk.stepWording(i, used, billed, amount);
    let step = `${range}: ${walk.step(i, used, billed, amount)}`;
    let stepWording = worded('lines.step.tier', { range: rangeWording, arithmetic });
    if (tier.flatFee !== undefined) {
      const fee = decimal(tier.flatFee);
      components.push(flatFee(i, fee));
      step += `; flat fee ${formatMinor(fee, currency)}`;
      stepWording = worded('lines.step.withFlatFee', {
        step: stepWording,
        fee: minorFigure(fee, currency),
      });
    }
    steps.push(step, stepWording);
    if (bound === null) break;
    lower = bound;
  }
  if (components.length === 0) steps.push('no usage', NO_USAGE);
  return finish(components, steps, quantity, { billedQuantity: billedTotal });
}

/** Each tier prices the units inside it; a tier's flat fee applies once any unit falls in it. */
export function priceGraduated(
  pricing: GraduatedPricing,
  quantity: Exact,
  currency: string,
): PricedQuantity {
  const size = blockSizeOf(pricing);
  const money = (x: Exact) => formatMinor(x, currency);
  return priceTiered(pricing.tiers, quantity, currency, {
    unitPrice: (i) => decimal(pricing.tiers[i]!.unitPrice),
    step: (i, used, billed, amount) =>
      `${billedText(used, billed, size)} × ${money(decimal(pricing.tiers[i]!.unitPrice))} = ${money(amount)}`,
    stepWording: (i, used, billed, amount) =>
      timesWording(
        billedWording(used, billed, size),
        minorFigure(pricing.tiers[i]!.unitPrice, currency),
        minorFigure(amount, currency),
      ),
    blockSize: size,
  });
}

/**
 * Each tier takes its rate of the volume inside it (minor units of the period's cumulative
 * transaction volume), plus its flat fee once the volume reaches it.
 */
export function priceGraduatedPercentage(
  pricing: GraduatedPercentagePricing,
  volume: Exact,
  currency: string,
): PricedQuantity {
  const money = (x: Exact) => formatMinor(x, currency);
  return priceTiered(pricing.tiers, volume, currency, {
    unitPrice: (i) => decimal(pricing.tiers[i]!.rate).times('0.01'),
    step: (i, used, _billed, amount) =>
      `${formatPercent(pricing.tiers[i]!.rate)} × ${money(used)} = ${money(amount)}`,
    stepWording: (i, used, _billed, amount) =>
      timesWording(
        percentFigure(pricing.tiers[i]!.rate),
        minorFigure(used, currency),
        minorFigure(amount, currency),
      ),
    bound: (x) => money(decimal(x)),
    boundFigure: (x) => minorFigure(x, currency),
    everything: 'all volume',
    everythingKey: 'lines.tierAllVolume',
    blockSize: null,
  });
}

/** The tier the quantity reaches prices every unit; no usage, no charge (not even a flat fee). */
export function priceVolume(
  pricing: VolumePricing,
  quantity: Exact,
  currency: string,
): PricedQuantity {
  if (quantity.lte(0)) {
    const steps = new Steps();
    steps.push('no usage', NO_USAGE);
    return finish([], steps, quantity, { unitPrice: null });
  }
  const i = pricing.tiers.findIndex((t) => t.upTo === null || quantity.lte(decimal(t.upTo)));
  if (i < 0) throw new RangeError('volume tiers must end with an unbounded tier');
  const tier = pricing.tiers[i]!;
  const size = blockSizeOf(pricing);
  // Blocks never carry the quantity past the tier it reached.
  const billed = roundUpToBlocks(quantity, size, tier.upTo === null ? null : decimal(tier.upTo));
  const price = decimal(tier.unitPrice);
  const amount = billed.times(price);
  const range = tierRange(pricing.tiers, i);
  const rangeWording = tierWording(pricing.tiers, i);
  const number = String(i + 1);
  const blocks = size === null ? '' : `, in blocks of ${formatQuantity(size)}`;
  const label = `all units at tier ${number} (${range})${blocks}`;
  const labelWording =
    size === null
      ? worded('lines.part.volumeTier', { tier: number, range: rangeWording })
      : worded('lines.part.volumeTierInBlocks', {
          tier: number,
          range: rangeWording,
          block: quantityFigure(size),
        });
  const components = [component(label, labelWording, billed, price, amount)];
  let step = `${formatQuantity(quantity)} units reach tier ${number} (${range}): ${billedText(quantity, billed, size)} × ${formatMinor(price, currency)} = ${formatMinor(amount, currency)}`;
  let stepWording = worded('lines.step.volume', {
    quantity: quantityFigure(quantity),
    tier: number,
    range: rangeWording,
    arithmetic: timesWording(
      billedWording(quantity, billed, size),
      minorFigure(price, currency),
      minorFigure(amount, currency),
    ),
  });
  if (tier.flatFee !== undefined) {
    const fee = decimal(tier.flatFee);
    components.push(flatFee(i, fee));
    step += `; flat fee ${formatMinor(fee, currency)}`;
    stepWording = worded('lines.step.withFlatFee', {
      step: stepWording,
      fee: minorFigure(fee, currency),
    });
  }
  const steps = new Steps();
  steps.push(step, stepWording);
  return finish(components, steps, quantity, {
    billedQuantity: billed,
    unitPrice: tier.flatFee === undefined ? price : null,
  });
}

/** Started packages are billed in full, after the package's free units. */
export function pricePackage(
  pricing: PackagePricing,
  quantity: Exact,
  currency: string,
): PricedQuantity {
  const steps = new Steps();
  let billable = quantity;
  if (pricing.freeUnits !== undefined) {
    const free = decimal(pricing.freeUnits);
    billable = maxOf(ZERO, quantity.minus(free));
    steps.push(
      `${formatQuantity(quantity)} units − ${formatQuantity(free)} free = ${formatQuantity(billable)}`,
      worded('lines.step.packageFree', {
        used: quantityFigure(quantity),
        free: quantityFigure(free),
        billable: quantityFigure(billable),
      }),
    );
  }
  const size = decimal(pricing.packageSize);
  const price = decimal(pricing.packagePrice);
  const packages = ceilQuotient(billable, size);
  const amount = packages.times(price);
  steps.push(
    `⌈${formatQuantity(billable)} / ${formatQuantity(size)}⌉ = ${formatQuantity(packages)} package(s) × ${formatMinor(price, currency)} = ${formatMinor(amount, currency)}`,
    worded('lines.step.packages', {
      billable: quantityFigure(billable),
      size: quantityFigure(size),
      packages: quantityFigure(packages),
      price: minorFigure(price, currency),
      amount: minorFigure(amount, currency),
    }),
  );
  const label = `packages of ${formatQuantity(size)}`;
  return finish(
    [
      component(
        label,
        worded('lines.part.packages', { size: quantityFigure(size) }),
        packages,
        price,
        amount,
      ),
    ],
    steps,
    billable,
    {
      usedQuantity: quantity,
      freeQuantity: pricing.freeUnits === undefined ? null : quantity.minus(billable),
    },
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
    case 'graduated_percentage':
      return priceGraduatedPercentage(pricing, quantity, currency);
  }
}
