// Rates as finance reads them: a percent with two decimals, exact (integer arithmetic, no
// floating point), rounded half up (away from zero) once; null when there is no base.

/** numerator / denominator × 100 as "12.50"; null when the denominator is 0. */
export function percent(numerator: number, denominator: number): string | null {
  return ratio(numerator, denominator, 100);
}

/** numerator × factor / denominator with two decimals ("3.25"); null when the denominator is 0. */
export function ratio(numerator: number, denominator: number, factor = 1): string | null {
  if (denominator === 0) return null;
  for (const value of [numerator, denominator, factor]) {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  }
  const n = BigInt(numerator) * BigInt(factor) * 100n;
  const d = BigInt(denominator);
  const negative = n < 0n !== d < 0n && n !== 0n;
  const [an, ad] = [n < 0n ? -n : n, d < 0n ? -d : d];
  const hundredths = (2n * an + ad) / (2n * ad); // half up on magnitudes
  const digits = hundredths.toString().padStart(3, '0');
  const sign = negative && hundredths !== 0n ? '-' : '';
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
