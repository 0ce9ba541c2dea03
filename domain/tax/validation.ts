// Validation before tax: a customer whose place cannot be taxed (unknown country, missing US
// state or Canadian province, malformed VAT number) is an Issue for a person to fix, never an
// invoice with the wrong tax. Same Issue shape as catalog validation (field + message).
import { TAX_BEHAVIORS } from '../catalog/types.ts';
import type { Issue } from '../catalog/validation.ts';
import { isCurrencyCode } from '../core/currency.ts';
import { ROUNDING_MODES } from '../core/decimal.ts';
import {
  CA_PST_PROVINCES,
  EU_MEMBER_STATES,
  IN_STATES,
  REGION_REQUIRED,
  US_STATES,
  isCountryCode,
  regionsOf,
} from './places.ts';
import {
  checkTaxId,
  checkVatNumber,
  isGstin,
  isNonUnionOssNumber,
  isOidarNumber,
} from './tax-ids.ts';
import {
  CUSTOMER_TYPES,
  ROUNDING_LEVELS,
  TAX_CATEGORIES,
  type TaxCustomer,
  type TaxRequest,
  type TaxSeller,
} from './types.ts';

export type { Issue } from '../catalog/validation.ts';

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/**
 * Everything that keeps `customer` from being taxed by `seller`. The region is required for
 * US and Canadian customers, and for Indian customers of a seller registered for Indian GST (the
 * state decides CGST + SGST or IGST). Fields: address.country, address.region, vatNumber,
 * customerType, exempt.reference.
 */
export function validateTaxCustomer(customer: TaxCustomer, seller: TaxSeller): Issue[] {
  const issues: Issue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  const country = customer.address?.country;
  if (!isCountryCode(country)) {
    add('address.country', 'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. DE');
    return issues;
  }
  const regions = regionsOf(country);
  const regionNeeded = country !== 'IN' || seller.registrations.in !== undefined;
  const region = customer.address.region;
  if (regions && (regionNeeded || region !== undefined)) {
    if (!nonEmpty(region)) add('address.region', `is required: ${REGION_REQUIRED[country]}`);
    else if (!regions.has(region)) {
      add('address.region', `"${region}" is not ${REGION_REQUIRED[country]}`);
    }
  }
  if (!(CUSTOMER_TYPES as readonly string[]).includes(customer.customerType)) {
    add('customerType', `must be one of ${CUSTOMER_TYPES.join(', ')}`);
  }
  if (customer.vatNumber !== undefined) {
    const message = nonEmpty(customer.vatNumber)
      ? checkTaxId(country, customer.vatNumber)
      : 'must be a non-empty string when given';
    if (message) add('vatNumber', message);
  }
  if (customer.exempt !== undefined && !nonEmpty(customer.exempt?.reference)) {
    add('exempt.reference', 'is required for an exempt customer (certificate or legal basis)');
  }
  return issues;
}

/** Everything wrong with the seller and its registrations. */
export function validateTaxSeller(seller: TaxSeller): Issue[] {
  const issues: Issue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  if (!isCountryCode(seller.country)) {
    add('country', 'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. DE');
  }
  const r = seller.registrations ?? {};
  if (r.eu) {
    if (EU_MEMBER_STATES.has(seller.country)) {
      const message = checkVatNumber(seller.country, r.eu.vatNumber ?? '');
      if (message) add('registrations.eu.vatNumber', message);
    } else if (!isNonUnionOssNumber(r.eu.vatNumber ?? '')) {
      add('registrations.eu.vatNumber', 'must be a non-Union OSS number: EU + 9 digits');
    }
  }
  if (r.gb) {
    const message = checkVatNumber('GB', r.gb.vatNumber ?? '');
    if (message) add('registrations.gb.vatNumber', message);
  }
  if (r.ca) {
    if (!nonEmpty(r.ca.gstHstNumber)) add('registrations.ca.gstHstNumber', 'is required');
    (r.ca.pstProvinces ?? []).forEach((p, i) => {
      if (!CA_PST_PROVINCES.has(p)) {
        add(`registrations.ca.pstProvinces[${i}]`, 'must be BC, MB or SK');
      }
    });
  }
  if (r.au && !nonEmpty(r.au.gstNumber)) add('registrations.au.gstNumber', 'is required');
  if (r.nz && !nonEmpty(r.nz.gstNumber)) add('registrations.nz.gstNumber', 'is required');
  if (r.in) {
    if (seller.country === 'IN') {
      if (!isGstin(r.in.gstin ?? '')) {
        add('registrations.in.gstin', 'must be a GSTIN: 15 characters, e.g. 29ABCDE1234F1Z5');
      }
      if (!IN_STATES.has(r.in.state ?? '')) {
        add('registrations.in.state', `must be ${REGION_REQUIRED.IN}`);
      }
    } else if (!isOidarNumber(r.in.gstin ?? '') && !isGstin(r.in.gstin ?? '')) {
      add('registrations.in.gstin', 'must be an OIDAR registration (99…OS…) or a GSTIN');
    }
  }
  if (r.us) {
    (r.us.nexusStates ?? []).forEach((s, i) => {
      if (!US_STATES.has(s))
        add(`registrations.us.nexusStates[${i}]`, `must be ${REGION_REQUIRED.US}`);
    });
  }
  return issues;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The tax date of a supply: the calendar date as written, or null if malformed. */
export function taxDateOf(supplyDate: string): string | null {
  if (typeof supplyDate !== 'string') return null;
  const m = ISO_DATE.exec(supplyDate) ?? ISO_INSTANT.exec(supplyDate);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** Everything wrong with a request, fields prefixed customer., seller., lines[i]. … */
export function validateTaxRequest(request: TaxRequest): Issue[] {
  const issues: Issue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  issues.push(
    ...validateTaxSeller(request.seller).map((i) => ({ ...i, field: `seller.${i.field}` })),
    ...validateTaxCustomer(request.customer, request.seller).map((i) => ({
      ...i,
      field: `customer.${i.field}`,
    })),
  );
  if (!isCurrencyCode(request.currency)) add('currency', 'must be an ISO 4217 currency code');
  if (taxDateOf(request.supplyDate) === null) {
    add('supplyDate', 'must be an ISO date (2025-07-01) or an instant with its offset');
  }
  if (!(TAX_BEHAVIORS as readonly string[]).includes(request.taxBehavior)) {
    add('taxBehavior', `must be one of ${TAX_BEHAVIORS.join(', ')}`);
  }
  if (!(ROUNDING_LEVELS as readonly string[]).includes(request.rounding?.level)) {
    add('rounding.level', `must be one of ${ROUNDING_LEVELS.join(', ')}`);
  }
  if (!(ROUNDING_MODES as readonly string[]).includes(request.rounding?.mode)) {
    add('rounding.mode', `must be one of ${ROUNDING_MODES.join(', ')}`);
  }
  const seen = new Set<string>();
  request.lines.forEach((line, i) => {
    if (!nonEmpty(line.lineId)) add(`lines[${i}].lineId`, 'must be a non-empty string');
    else if (seen.has(line.lineId)) add(`lines[${i}].lineId`, `duplicate line "${line.lineId}"`);
    seen.add(line.lineId);
    if (!Number.isSafeInteger(line.amount?.amount) || line.amount.amount < 0) {
      add(`lines[${i}].amount.amount`, 'must be a non-negative integer of minor units');
    }
    if (line.amount?.currency !== request.currency) {
      add(`lines[${i}].amount.currency`, `must be the request's currency ${request.currency}`);
    }
    if (!(TAX_CATEGORIES as readonly string[]).includes(line.category)) {
      add(`lines[${i}].category`, `must be one of ${TAX_CATEGORIES.join(', ')}`);
    }
  });
  return issues;
}

/** A request (or a rule) the tax stage cannot answer; carries the issues to show. */
export class TaxRequestError extends Error {
  readonly issues: Issue[];

  constructor(issues: Issue[]) {
    super(`tax request rejected: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
    this.name = 'TaxRequestError';
    this.issues = issues;
  }
}
