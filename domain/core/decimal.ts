// Exact decimals for prices and quantities. Catalog prices are decimal strings of MINOR units
// ("0.06" is 0.06 cents, i.e. $0.0006 per API call), like Stripe's unit_amount_decimal, and
// quantities are decimal strings (UsageQuantity). Arithmetic is exact (big.js); the only way
// back to Money is roundToMinorUnits, once per invoice line, with an explicit mode.
import BigJs from 'big.js';

/** Arithmetic on amounts left the safe integer range: the inputs were too large, not the code wrong. */
export class AmountOverflowError extends RangeError {
  override readonly name = 'AmountOverflowError';
}

/** An exact decimal number written as a string: "12", "-3.5", "0.0006". No exponents. */
export type DecimalString = string;

/** An exact decimal value to compute with. Never converted to a float. */
export type Exact = BigJs.Big;

/** An exact ratio, e.g. a proration factor of 19/28 days. */
export interface Fraction {
  readonly numerator: number;
  readonly denominator: number;
}

export const ROUNDING_MODES = ['half_up', 'half_even'] as const;
/**
 * 'half_up': .5 goes away from zero (2.5 → 3, −2.5 → −3), the commercial default.
 * 'half_even': .5 goes to the even neighbour (2.5 → 2, 3.5 → 4), banker's rounding.
 */
export type RoundingMode = (typeof ROUNDING_MODES)[number];

// A private constructor: nobody else's settings change ours. Inputs enter through decimal(),
// which refuses floats; integer literals inside the engine (0, 100) are exact.
const Big = BigJs();
Big.DP = 40;
Big.RM = Big.roundHalfUp;
Big.NE = -1e6;
Big.PE = 1e6;

const DECIMAL = /^-?\d+(\.\d+)?$/;

export function isDecimalString(value: unknown): value is DecimalString {
  return typeof value === 'string' && value.length <= 64 && DECIMAL.test(value);
}

/** Parses a decimal string, or takes a safe integer (a count, a Money amount) exactly. */
export function decimal(value: DecimalString | number | Exact): Exact {
  if (value instanceof Big) return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an exact integer: ${value}`);
    return new Big(String(value));
  }
  if (typeof value !== 'string' || !isDecimalString(value)) {
    throw new RangeError(`not a decimal string: ${String(value)}`);
  }
  return new Big(value);
}

/** Normal notation, no exponent, no trailing-zero padding: "9000", "0.54", "-1.5". */
export function toDecimalString(value: Exact): DecimalString {
  return value.toFixed();
}

export const ZERO: Exact = new Big('0');

export function minOf(a: Exact, b: Exact): Exact {
  return a.lte(b) ? a : b;
}

export function maxOf(a: Exact, b: Exact): Exact {
  return a.gte(b) ? a : b;
}

/** numerator / denominator, exactly; the denominator must be positive. */
export interface ExactRatio {
  readonly numerator: Exact | DecimalString | number;
  readonly denominator: Exact | DecimalString | number;
}

/** a/b where b is a positive number of days, a percent rate, … kept exact as a ratio. */
interface Ratio {
  numerator: Exact;
  denominator: Exact;
}

/** Scales a ratio of decimals to a ratio of bigints (denominator > 0). */
function toBigIntRatio({ numerator, denominator }: Ratio): [bigint, bigint] {
  if (denominator.lte(0)) throw new RangeError('denominator must be positive');
  const places = Math.max(decimalPlaces(numerator), decimalPlaces(denominator));
  const scale = new Big('1').times(`1${'0'.repeat(places)}`);
  return [BigInt(numerator.times(scale).toFixed()), BigInt(denominator.times(scale).toFixed())];
}

function decimalPlaces(value: Exact): number {
  return Math.max(0, value.c.length - value.e - 1);
}

type IntegerMode = RoundingMode | 'floor' | 'ceil';

function divideToInteger(ratio: Ratio, mode: IntegerMode): bigint {
  const [n, d] = toBigIntRatio(ratio);
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  if (mode === 'floor') return n < 0n ? q - 1n : q;
  if (mode === 'ceil') return n < 0n ? q : q + 1n;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice > d) return away;
  if (twice < d) return q;
  return mode === 'half_up' || q % 2n !== 0n ? away : q;
}

/**
 * THE rounding of Billwright: an exact amount of minor units (a decimal, or a ratio such as
 * amount × 19 / 28) to a whole number of minor units, with an explicit mode. Call it once per
 * invoice line, never per unit or per tier. Throws if the result is not a safe integer.
 */
export function roundToMinorUnits(
  value: Exact | DecimalString | number | ExactRatio,
  mode: RoundingMode = 'half_up',
): number {
  const ratio: Ratio =
    typeof value === 'object' && 'numerator' in value && 'denominator' in value
      ? { numerator: decimal(value.numerator), denominator: decimal(value.denominator) }
      : { numerator: decimal(value), denominator: new Big('1') };
  const result = divideToInteger(ratio, mode);
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new AmountOverflowError(`amount ${result} minor units exceeds the safe integer range`);
  }
  return Number(result);
}

/** How many whole `size` fit in `quantity`, rounding partial ones up: packages, blocks. */
export function ceilQuotient(quantity: Exact, size: Exact): Exact {
  return new Big(divideToInteger({ numerator: quantity, denominator: size }, 'ceil').toString());
}

/** The whole part of a/b, rounding down. */
export function floorQuotient(quantity: Exact, size: Exact): Exact {
  return new Big(divideToInteger({ numerator: quantity, denominator: size }, 'floor').toString());
}

/** Moves the decimal point: shift("0.06", -2) = "0.0006" (minor → major units of EUR). */
export function shift(value: Exact, places: number): Exact {
  const factor = new Big(`1${'0'.repeat(Math.abs(places))}`);
  return places >= 0 ? value.times(factor) : value.div(factor);
}
