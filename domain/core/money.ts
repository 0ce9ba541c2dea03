// Money is an integer count of the currency's minor unit with the currency beside it.
// Amounts are JavaScript safe integers (|n| < 2^53, i.e. 90 trillion USD): exact, JSON-safe,
// and serialisable into workflow history, which bigint is not. Every operation checks both.
import { minorUnitExponent } from './currency.ts';
import {
  AmountOverflowError,
  decimal,
  shift,
  toDecimalString,
  type DecimalString,
} from './decimal.ts';

export interface Money {
  /** Integer minor units (cents for EUR, yen for JPY, fils for BHD). */
  readonly amount: number;
  /** ISO 4217 code. */
  readonly currency: string;
}

/**
 * The largest amount a request may state, in minor units (10^15 cents is ten trillion euros): far
 * enough below 2^53 that totals, tax and credits built from such amounts stay exact.
 */
export const MAX_AMOUNT = 10 ** 15;

function assertMinorUnits(amount: number): void {
  if (Number.isInteger(amount) && !Number.isSafeInteger(amount))
    throw new AmountOverflowError(`money amount ${amount} is past the safe integer range`);
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`money amount must be a safe integer of minor units, got ${amount}`);
  }
}

export function money(amount: number, currency: string): Money {
  assertMinorUnits(amount);
  minorUnitExponent(currency); // throws on an unknown currency
  return { amount, currency };
}

export function zero(currency: string): Money {
  return money(0, currency);
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency)
    throw new RangeError(`currency mismatch: ${a.currency} vs ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

/** Multiplies by a whole quantity (seats, units); fractional factors belong to rating. */
export function times(a: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity))
    throw new RangeError(`quantity must be an integer, got ${quantity}`);
  return money(a.amount * quantity, a.currency);
}

export function sum(items: readonly Money[], currency: string): Money {
  return items.reduce((total, m) => add(total, m), zero(currency));
}

/** Exact decimal string of the major unit, e.g. 4900 EUR → "49.00", 1500 BHD → "1.500". */
export function toMajorUnitString(m: Money): string {
  const exponent = minorUnitExponent(m.currency);
  const digits = Math.abs(m.amount)
    .toString()
    .padStart(exponent + 1, '0');
  const sign = m.amount < 0 ? '-' : '';
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

// Building an Intl formatter costs far more than using one: keep one per locale and currency.
const formatters = new Map<string, Intl.NumberFormat>();

/** Formats for people, e.g. "€49.00" (en-IE) or "49,00 €" (fr-FR). Display only, never math. */
export function formatMoney(m: Money, locale: string): string {
  const exponent = minorUnitExponent(m.currency);
  const key = `${locale}|${m.currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: m.currency,
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    formatters.set(key, formatter);
  }
  // Intl accepts a decimal string exactly (no float rounding) since ES2023.
  return formatter.format(toMajorUnitString(m) as unknown as number);
}

/** Beyond this many decimals a value is a cut repeating fraction (×19/28), not a price. */
const EXACT_DECIMALS = 20;

/**
 * Exact minor units (a decimal string, possibly finer than the currency) for people, never
 * rounded to the currency: "0.06" EUR → "€0.0006", "4900" → "€49.00", "0.5" JPY → "¥0.5".
 * A cut repeating fraction (a prorated cap) reads "≈ €5.428571". Display only, never math.
 */
export function formatMinorUnits(
  minorUnits: DecimalString,
  currency: string,
  locale: string,
): string {
  const exponent = minorUnitExponent(currency);
  const major = toDecimalString(shift(decimal(minorUnits), -exponent));
  const decimals = major.includes('.') ? major.split('.')[1]!.length : 0;
  const approximate = decimals > EXACT_DECIMALS;
  const digits = approximate ? exponent + 6 : Math.max(exponent, decimals);
  const key = `${locale}|${currency}|${digits}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: exponent,
      maximumFractionDigits: digits,
    });
    formatters.set(key, formatter);
  }
  const text = formatter.format(major as unknown as number); // exact: Intl reads decimal strings
  return approximate ? `≈ ${text}` : text;
}
