// Tax registration numbers: FORMAT checks only (the shapes VIES and the national registers
// publish), no check digits, no lookup. A well-formed number can still be unregistered: a
// VIES (or HMRC) check belongs in an activity, outside this pure core.
import { EU_MEMBER_STATES } from './places.ts';

/** Upper case, without spaces, dots and hyphens: "de 123.456-789" → "DE123456789". */
export function normalizeTaxId(value: string): string {
  return value.toUpperCase().replace(/[\s.-]/g, '');
}

/** The VAT prefix of a member state: ISO code, except Greece (EL). */
export function vatPrefixOf(country: string): string {
  return country === 'GR' ? 'EL' : country;
}

/** EU VAT number formats per member state (after the prefix), as listed by VIES. */
const EU_VAT_FORMATS: Readonly<Record<string, RegExp>> = {
  AT: /^U\d{8}$/, // ATU12345678
  BE: /^[01]\d{9}$/, // BE0123456789
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  EL: /^\d{9}$/,
  ES: /^([A-Z]\d{7}[A-Z0-9]|\d{8}[A-Z])$/, // a letter first or last
  FI: /^\d{8}$/,
  FR: /^[0-9A-HJ-NP-Z]{2}\d{9}$/, // 2-character key (no I, O) + SIREN
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^\d{11}$/,
  LT: /^(\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^[1-9]\d{1,9}$/,
  SE: /^\d{10}01$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
};

/** UK: 9 digits, 12 digits (branch), GD + 000–499 (government), HA + 500–999 (health). */
const GB_VAT_FORMAT = /^(\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})$/;

/** What a number looks like, for messages. */
const EXAMPLES: Readonly<Record<string, string>> = {
  AT: 'ATU + 8 digits',
  BE: 'BE + 10 digits starting with 0 or 1',
  BG: 'BG + 9 or 10 digits',
  CY: 'CY + 8 digits + a letter',
  CZ: 'CZ + 8 to 10 digits',
  DE: 'DE + 9 digits',
  DK: 'DK + 8 digits',
  EE: 'EE + 9 digits',
  EL: 'EL + 9 digits',
  ES: 'ES + 9 characters, a letter first or last',
  FI: 'FI + 8 digits',
  FR: 'FR + 2 characters + 9 digits',
  HR: 'HR + 11 digits',
  HU: 'HU + 8 digits',
  IE: 'IE + 8 or 9 characters (e.g. IE1234567T)',
  IT: 'IT + 11 digits',
  LT: 'LT + 9 or 12 digits',
  LU: 'LU + 8 digits',
  LV: 'LV + 11 digits',
  MT: 'MT + 8 digits',
  NL: 'NL + 9 digits + B + 2 digits',
  PL: 'PL + 10 digits',
  PT: 'PT + 9 digits',
  RO: 'RO + 2 to 10 digits',
  SE: 'SE + 12 digits ending in 01',
  SI: 'SI + 8 digits',
  SK: 'SK + 10 digits',
  GB: 'GB + 9 or 12 digits',
};

/**
 * Whether `vatNumber` is a well-formed VAT number of `country` (ISO code; "GR" expects the
 * EL prefix, "GB" accepts GB and XI, Northern Ireland). Returns a message, or null when valid.
 */
export function checkVatNumber(country: string, vatNumber: string): string | null {
  const id = normalizeTaxId(vatNumber);
  if (country === 'GB') {
    const prefix = id.slice(0, 2);
    if (prefix !== 'GB' && prefix !== 'XI') return 'must start with GB (or XI), e.g. GB123456789';
    return GB_VAT_FORMAT.test(id.slice(2)) ? null : `must be ${EXAMPLES.GB}`;
  }
  if (!EU_MEMBER_STATES.has(country)) return `${country} VAT numbers are not checked`;
  const prefix = vatPrefixOf(country);
  if (!id.startsWith(prefix)) {
    return `must start with the country prefix ${prefix}${country === 'GR' ? ' (not GR)' : ''}`;
  }
  return EU_VAT_FORMATS[prefix]!.test(id.slice(prefix.length))
    ? null
    : `must be ${EXAMPLES[prefix]}`;
}

export function isValidVatNumber(country: string, vatNumber: string): boolean {
  return checkVatNumber(country, vatNumber) === null;
}

/** Formats of the other registration numbers a customer may give. */
const OTHER_FORMATS: Readonly<Record<string, { format: RegExp; description: string }>> = {
  AU: { format: /^\d{11}$/, description: 'an ABN: 11 digits' },
  NZ: { format: /^\d{8,9}$/, description: 'a GST number: 8 or 9 digits' },
  CA: { format: /^\d{9}(RT\d{4})?$/, description: 'a business number: 9 digits (+ RT0001)' },
  IN: {
    format: /^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/,
    description: 'a GSTIN: 15 characters, e.g. 29ABCDE1234F1Z5',
  },
};

/** A GSTIN's shape, for sellers and customers. */
export function isGstin(value: string): boolean {
  return OTHER_FORMATS.IN!.format.test(normalizeTaxId(value));
}

/** The registration of a supplier outside India (OIDAR): 99 + 2 digits + country + 5 digits + OS + 1. */
export function isOidarNumber(value: string): boolean {
  return /^99\d{2}[A-Z]{3}\d{5}OS[0-9A-Z]$/.test(normalizeTaxId(value));
}

/**
 * Checks a customer's tax number for its country: EU/UK VAT numbers, AU ABN, NZ GST, CA BN,
 * IN GSTIN. Numbers of other countries are kept as given. Returns a message or null.
 */
export function checkTaxId(country: string, taxId: string): string | null {
  if (country === 'GB' || EU_MEMBER_STATES.has(country)) return checkVatNumber(country, taxId);
  const other = OTHER_FORMATS[country];
  if (!other) return null;
  return other.format.test(normalizeTaxId(taxId)) ? null : `must be ${other.description}`;
}

/** The non-Union OSS identification number of a seller outside the EU: "EU" + 9 digits. */
export function isNonUnionOssNumber(value: string): boolean {
  return /^EU\d{9}$/.test(normalizeTaxId(value));
}
