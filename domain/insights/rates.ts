// Rates as finance reads them: a percent with two decimals, exact (no floating point), rounded
// half up once; null when there is no base to divide by.
import { decimal, roundToMinorUnits } from '../core/decimal.ts';

/** numerator / denominator × 100 as "12.50"; null when the denominator is 0. */
export function percent(numerator: number, denominator: number): string | null {
  if (denominator === 0) return null;
  return hundredths(numerator, denominator, 10_000);
}

/** numerator × factor / denominator as a decimal string with two places ("3.25"); null on 0. */
export function ratio(numerator: number, denominator: number, factor = 1): string | null {
  if (denominator === 0) return null;
  return hundredths(numerator, denominator, 100 * factor);
}

/** numerator × scale / denominator in hundredths, half up (away from zero), as "x.yy". */
function hundredths(numerator: number, denominator: number, scale: number): string {
  const cents = roundToMinorUnits({
    numerator: decimal(Math.abs(numerator)).times(scale),
    denominator: Math.abs(denominator),
  });
  const sign = cents !== 0 && numerator < 0 !== denominator < 0 ? '-' : '';
  const whole = Math.floor(cents / 100);
  return `${sign}${whole}.${String(cents % 100).padStart(2, '0')}`;
}
