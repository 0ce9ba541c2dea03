// ISO 4217 currencies and their minor-unit exponents (JPY 0, EUR 2, BHD 3), from the
// currency-codes package, which tracks the ISO list; no locale data decides an exponent.
import currencyCodes from 'currency-codes';

/** Codes that are ISO 4217 but not money anyone is billed in (funds, metals, test codes). */
const NOT_BILLABLE = new Set([
  'XXX',
  'XTS',
  'XAU',
  'XAG',
  'XPD',
  'XPT',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XDR',
  'XSU',
  'XUA',
]);

export function isCurrencyCode(code: string): boolean {
  return (
    /^[A-Z]{3}$/.test(code) && !NOT_BILLABLE.has(code) && currencyCodes.code(code) !== undefined
  );
}

/** Number of decimal places of the currency's minor unit. */
export function minorUnitExponent(currency: string): number {
  const entry = currencyCodes.code(currency);
  if (!entry || NOT_BILLABLE.has(currency)) throw new RangeError(`unknown currency ${currency}`);
  return entry.digits;
}
