// Exact tax arithmetic: every tax is an exact fraction of minor units until it is rounded once
// by roundToMinorUnits (per line, or per rate over the invoice). Extracting tax from a gross
// amount divides by 1 + rate, which need not terminate (100/114.975), so fractions are kept
// as bigint ratios, never cut decimals.
import {
  decimal,
  roundToMinorUnits,
  type DecimalString,
  type RoundingMode,
} from '../core/decimal.ts';

/** n / d, d > 0, in lowest terms. */
export interface Ratio {
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

function ratio(n: bigint, d: bigint): Ratio {
  if (d <= 0n) throw new RangeError('ratio denominator must be positive');
  const g = gcd(n, d);
  return { n: n / g, d: d / g };
}

export function ratioOf(value: DecimalString | number): Ratio {
  const [int = '0', frac = ''] = decimal(value).toFixed().split('.');
  return ratio(BigInt(int + frac), 10n ** BigInt(frac.length));
}

export const ZERO_RATIO: Ratio = { n: 0n, d: 1n };

export function plus(a: Ratio, b: Ratio): Ratio {
  return ratio(a.n * b.d + b.n * a.d, a.d * b.d);
}

export function times(a: Ratio, b: Ratio): Ratio {
  return ratio(a.n * b.n, a.d * b.d);
}

export function dividedBy(a: Ratio, b: Ratio): Ratio {
  if (b.n <= 0n) throw new RangeError('division by a non-positive ratio');
  return ratio(a.n * b.d, a.d * b.n);
}

/** THE rounding, applied to an exact ratio of minor units. */
export function round(value: Ratio, mode: RoundingMode): number {
  return roundToMinorUnits(
    { numerator: value.n.toString(), denominator: value.d.toString() },
    mode,
  );
}

/**
 * Splits a rounded `total` over exact non-negative `shares` whose sum it rounds: each share
 * gets its floor, then the units left go one each to the largest fractional remainders (ties
 * to the earlier share). When total = round(Σ shares), what is left lies between 0 and the
 * number of shares with a remainder, so no share gets a unit it has no fraction of.
 */
export function allocateLargestRemainder(total: number, shares: readonly Ratio[]): number[] {
  const floors = shares.map((s) => {
    if (s.n < 0n) throw new RangeError('shares must not be negative');
    return s.n / s.d;
  });
  let left = BigInt(total) - floors.reduce((a, b) => a + b, 0n);
  if (left < 0n || left > BigInt(shares.length)) {
    throw new RangeError(`cannot allocate ${total} over shares summing differently`);
  }
  const order = shares
    .map((s, i) => ({ i, rem: { n: s.n % s.d, d: s.d } }))
    .sort((a, b) => {
      const diff = b.rem.n * a.rem.d - a.rem.n * b.rem.d;
      return diff === 0n ? a.i - b.i : diff > 0n ? 1 : -1;
    });
  const result = floors.slice();
  for (const { i } of order) {
    if (left === 0n) break;
    result[i]! += 1n;
    left -= 1n;
  }
  return result.map(Number);
}
