// How pricing explains itself: a tier's range, a billed quantity with its blocks, a flat fee,
// each in English (the audit trail) and as a message of the `lines` catalogue whose figures the
// customer's locale formats (domain/core/wording.ts).
import { toDecimalString, type Exact } from '../core/decimal.ts';
import {
  quantityFigure,
  worded,
  type Figure,
  type Wording,
  type WordingValue,
} from '../core/wording.ts';
import { formatQuantity } from './format.ts';
import type { LineComponent } from './types.ts';

export function component(
  label: string,
  wording: Wording,
  quantity: Exact | null,
  unitPrice: Exact | null,
  amount: Exact,
): LineComponent {
  return {
    label,
    wording,
    quantity: quantity && toDecimalString(quantity),
    unitPrice: unitPrice && toDecimalString(unitPrice),
    amount: toDecimalString(amount),
  };
}

export const NO_USAGE = worded('lines.step.noUsage');

/** "3 × €0.50 = €1.50" as a catalogue message. */
export const timesWording = (
  quantity: WordingValue,
  price: WordingValue,
  amount: WordingValue,
): Wording => worded('lines.step.times', { quantity, price, amount });

export interface Bounded {
  upTo: string | null;
}

export function tierRange(
  tiers: readonly Bounded[],
  i: number,
  bound: (x: string) => string = formatQuantity,
  everything = 'all units',
): string {
  const lower = i === 0 ? null : tiers[i - 1]!.upTo;
  const upper = tiers[i]!.upTo;
  if (lower === null) return upper === null ? everything : `first ${bound(upper)}`;
  if (upper === null) return `above ${bound(lower)}`;
  return `above ${bound(lower)} up to ${bound(upper)}`;
}

/** tierRange as a message of the `lines` catalogue, its bounds figures of the locale. */
export function tierWording(
  tiers: readonly Bounded[],
  i: number,
  bound: (x: string) => Figure = quantityFigure,
  everything = 'lines.tierAllUnits',
): Wording {
  const lower = i === 0 ? null : tiers[i - 1]!.upTo;
  const upper = tiers[i]!.upTo;
  if (lower === null) {
    return upper === null ? worded(everything) : worded('lines.tierFirst', { upper: bound(upper) });
  }
  if (upper === null) return worded('lines.tierAbove', { lower: bound(lower) });
  return worded('lines.tierBetween', { lower: bound(lower), upper: bound(upper) });
}

/** "1,234 → 1,300 (blocks of 100)", or just "1,234" without blocks. */
export function billedText(used: Exact, billed: Exact, blockSize: Exact | null): string {
  if (blockSize === null) return formatQuantity(used);
  return `${formatQuantity(used)} → ${formatQuantity(billed)} (blocks of ${formatQuantity(blockSize)})`;
}

/** billedText as a wording value. */
export function billedWording(
  used: Exact,
  billed: Exact,
  blockSize: Exact | null,
): Figure | Wording {
  if (blockSize === null) return quantityFigure(used);
  return worded('lines.step.inBlocks', {
    used: quantityFigure(used),
    billed: quantityFigure(billed),
    block: quantityFigure(blockSize),
  });
}

/** A tier's flat fee, as a component of the line. */
export function flatFee(i: number, fee: Exact): LineComponent {
  const tier = String(i + 1);
  return component(
    `flat fee (tier ${tier})`,
    worded('lines.part.flatFee', { tier }),
    null,
    null,
    fee,
  );
}
