// A line priced by hand (manual invoices, draft edits): quantity × unit price, exact, rounded once
// to the minor unit. Whole quantities at whole prices are exact products, as they always were;
// "2.5" hours at 15000 or 1200 calls at "0.06" round half up only when the product has a fraction.
import {
  decimal,
  roundToMinorUnits,
  toDecimalString,
  type DecimalString,
  type RoundingMode,
} from '../core/decimal.ts';

/** A quantity or price as a request may give it: a safe integer or a decimal string. */
export type DecimalInput = number | DecimalString;

/** The exact decimal string of a request's number or string ("2.50" → "2.5"); throws otherwise. */
export function decimalOf(value: DecimalInput): DecimalString {
  return toDecimalString(decimal(value));
}

/** quantity × unitAmount minor units, rounded once; throws RangeError past a safe integer. */
export function lineAmount(
  quantity: DecimalInput,
  unitAmount: DecimalInput,
  mode: RoundingMode = 'half_up',
): number {
  return roundToMinorUnits(decimal(quantity).times(decimal(unitAmount)), mode);
}
