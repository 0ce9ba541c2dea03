// Explanations for people, built without Intl or locale data so they are identical in the
// workflow sandbox and in activities: "9,000 × EUR 0.0010 = EUR 9.00". Invoices rendered for
// customers format Money in their locale; these strings are the audit trail of the arithmetic.
import { decimal, shift, type DecimalString, type Exact, type Fraction } from '../core/decimal.ts';
import { minorUnitExponent } from '../core/currency.ts';
import type { Money } from '../core/money.ts';
import { minorFigure, worded, type WordingValue } from '../core/wording.ts';

function group(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function grouped(value: Exact, minDecimals: number): string {
  const [int = '0', frac = ''] = value.abs().toFixed().split('.');
  const digits = frac.padEnd(minDecimals, '0');
  return `${value.lt(0) ? '−' : ''}${group(int)}${digits ? `.${digits}` : ''}`;
}

/** A quantity: "1,000", "2.5". */
export function formatQuantity(value: Exact | DecimalString): string {
  return grouped(decimal(value), 0);
}

/** An exact amount of minor units in major units, at least the currency's decimals: "EUR 0.0006". */
export function formatMinor(minorUnits: Exact | DecimalString | number, currency: string): string {
  const exponent = minorUnitExponent(currency);
  return `${currency} ${grouped(shift(decimal(minorUnits), -exponent), exponent)}`;
}

export function formatMoneyPlain(m: Money): string {
  return formatMinor(m.amount, m.currency);
}

export function formatFraction(f: Fraction): string {
  return `${f.numerator}/${f.denominator}`;
}

/** "2.9 %" */
export function formatPercent(value: Exact | DecimalString): string {
  return `${decimal(value).toFixed()} %`;
}

/** numerator / denominator minor units: exact when it terminates, else "≈" to 6 more places. */
export function formatMinorRatio(numerator: Exact, denominator: number, currency: string): string {
  const q = numerator.div(denominator);
  if (q.times(denominator).eq(numerator)) return formatMinor(q, currency);
  return `≈ ${formatMinor(q.round(6), currency)}`;
}

/** "= EUR 20.00" when exact, "≈ EUR 20.35714286" when not. */
export function equalsMinorRatio(numerator: Exact, denominator: number, currency: string): string {
  const text = formatMinorRatio(numerator, denominator, currency);
  return text.startsWith('≈') ? text : `= ${text}`;
}

/** formatMinorRatio as a wording value: the exact amount, or "≈" it to 6 more places. */
export function minorRatioWording(
  numerator: Exact,
  denominator: number,
  currency: string,
): WordingValue {
  const q = numerator.div(denominator);
  if (q.times(denominator).eq(numerator)) return minorFigure(q, currency);
  return worded('lines.step.about', { amount: minorFigure(q.round(6), currency) });
}

/** equalsMinorRatio as a wording value: "= €20.00" when exact, "≈ €20.35714286" when not. */
export function equalsMinorRatioWording(
  numerator: Exact,
  denominator: number,
  currency: string,
): WordingValue {
  const ratio = minorRatioWording(numerator, denominator, currency);
  return typeof ratio === 'object' && 'key' in ratio
    ? ratio
    : worded('lines.step.equals', { amount: ratio });
}
