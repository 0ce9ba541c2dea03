// The chart of accounts and how operators map it: which account each posting role uses, for
// which dimension (a plan, an invoice's origin, a tax jurisdiction and rate, a payment method).
// Pure: the repository stores the mappings, this module validates and resolves them.
import { decimal, isDecimalString, toDecimalString } from '../core/decimal.ts';

export const ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** What an account is used for when an event is posted. */
export const ACCOUNT_ROLES = [
  'accounts_receivable',
  'revenue',
  'tax_payable',
  'cash',
  'customer_credit',
  'bad_debt',
  'refunds_clearing',
  'prepaid_credit',
] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export const INVOICE_ORIGINS = ['subscription', 'project', 'manual'] as const;
export type InvoiceOrigin = (typeof INVOICE_ORIGINS)[number];

export interface Account {
  code: string;
  name: string;
  type: AccountType;
}

/** Seeded by the initial migration; operators add their own and remap the roles. */
export const DEFAULT_ACCOUNTS: readonly Account[] = [
  { code: '1000', name: 'Cash clearing', type: 'asset' },
  { code: '1100', name: 'Accounts receivable', type: 'asset' },
  { code: '2100', name: 'Tax payable', type: 'liability' },
  { code: '2200', name: 'Customer credit', type: 'liability' },
  { code: '2250', name: 'Prepaid credit', type: 'liability' },
  { code: '2300', name: 'Refunds clearing', type: 'liability' },
  { code: '2400', name: 'Deferred revenue', type: 'liability' },
  { code: '3000', name: 'Retained earnings', type: 'equity' },
  { code: '4000', name: 'Revenue', type: 'revenue' },
  { code: '6100', name: 'Bad debt', type: 'expense' },
];

/** A mapping's scope within its role; empty for the role's default. */
export interface MappingDimension {
  planCode?: string | undefined;
  origin?: InvoiceOrigin | undefined;
  jurisdiction?: string | undefined;
  taxRate?: string | undefined;
  method?: string | undefined;
}

export interface AccountMapping {
  role: AccountRole;
  dimension: MappingDimension;
  accountCode: string;
}

/** Every role's default: the seeded accounts. */
export const DEFAULT_MAPPINGS: readonly AccountMapping[] = [
  { role: 'accounts_receivable', dimension: {}, accountCode: '1100' },
  { role: 'revenue', dimension: {}, accountCode: '4000' },
  { role: 'tax_payable', dimension: {}, accountCode: '2100' },
  { role: 'cash', dimension: {}, accountCode: '1000' },
  { role: 'customer_credit', dimension: {}, accountCode: '2200' },
  { role: 'bad_debt', dimension: {}, accountCode: '6100' },
  { role: 'refunds_clearing', dimension: {}, accountCode: '2300' },
  { role: 'prepaid_credit', dimension: {}, accountCode: '2250' },
];

/** A tax rate in percent as one string whatever its spelling ("20.0" and "20" are one rate). */
export function normalRate(rate: string): string {
  return toDecimalString(decimal(rate));
}

/**
 * The stored key of a dimension: '' (default), plan:<code>, origin:<origin>,
 * jurisdiction:<j>, jurisdiction:<j>|rate:<r>, method:<method>.
 */
export function dimensionKey(d: MappingDimension): string {
  if (d.planCode !== undefined) return `plan:${d.planCode}`;
  if (d.origin !== undefined) return `origin:${d.origin}`;
  if (d.jurisdiction !== undefined) {
    const rate = d.taxRate === undefined ? '' : `|rate:${normalRate(d.taxRate)}`;
    return `jurisdiction:${d.jurisdiction}${rate}`;
  }
  if (d.method !== undefined) return `method:${d.method}`;
  return '';
}

/** The dimension a stored key names (dimensionKey's inverse). */
export function dimensionOf(key: string): MappingDimension {
  if (key === '') return {};
  const [kind, ...rest] = key.split(':');
  const value = rest.join(':');
  if (kind === 'plan') return { planCode: value };
  if (kind === 'origin') return { origin: value as InvoiceOrigin };
  if (kind === 'method') return { method: value };
  const [jurisdiction, rate] = value.split('|rate:');
  return { jurisdiction: jurisdiction!, ...(rate === undefined ? {} : { taxRate: rate }) };
}

/** Which dimension fields each role may be mapped by. */
const ALLOWED: Record<AccountRole, (keyof MappingDimension)[]> = {
  accounts_receivable: [],
  revenue: ['planCode', 'origin'],
  tax_payable: ['jurisdiction', 'taxRate'],
  cash: ['method'],
  customer_credit: [],
  bad_debt: [],
  refunds_clearing: [],
  prepaid_credit: [],
};

export interface MappingIssue {
  field: string;
  message: string;
}

/**
 * What is wrong with a replacement set of mappings: a dimension the role has no use for, two
 * mappings for one (role, dimension), a role without its default, an unknown account.
 */
export function checkMappings(
  mappings: readonly AccountMapping[],
  accountCodes: ReadonlySet<string>,
): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const seen = new Set<string>();
  mappings.forEach((m, i) => {
    const at = `mappings[${i}]`;
    const before = issues.length;
    const given = (Object.keys(m.dimension) as (keyof MappingDimension)[]).filter(
      (k) => m.dimension[k] !== undefined,
    );
    for (const field of given) {
      if (!ALLOWED[m.role].includes(field)) {
        issues.push({ field: `${at}.${field}`, message: `does not apply to the ${m.role} role` });
      }
    }
    if (given.length > 1 && !(m.role === 'tax_payable' && given.length === 2)) {
      issues.push({ field: at, message: 'give at most one of planCode, origin, method' });
    }
    if (m.dimension.taxRate !== undefined) {
      if (m.dimension.jurisdiction === undefined) {
        issues.push({ field: `${at}.taxRate`, message: 'needs a jurisdiction' });
      }
      if (!isDecimalString(m.dimension.taxRate)) {
        issues.push({ field: `${at}.taxRate`, message: 'must be a percentage, e.g. "19"' });
      }
    }
    // A mapping whose dimension is at fault is not also counted as a duplicate.
    if (issues.length === before) {
      const key = `${m.role}/${dimensionKey(m.dimension)}`;
      if (seen.has(key)) issues.push({ field: at, message: 'maps one role and dimension twice' });
      seen.add(key);
    }
    if (!accountCodes.has(m.accountCode)) {
      issues.push({ field: `${at}.accountCode`, message: `no account has code ${m.accountCode}` });
    }
  });
  for (const role of ACCOUNT_ROLES) {
    if (!mappings.some((m) => m.role === role && dimensionKey(m.dimension) === '')) {
      issues.push({ field: 'mappings', message: `the ${role} role needs a default mapping` });
    }
  }
  return issues;
}

/** What a posting line is about, for choosing its account. */
export interface AccountDimensions {
  planCode?: string | null | undefined;
  origin?: InvoiceOrigin | undefined;
  jurisdiction?: string | null | undefined;
  taxRate?: string | null | undefined;
  method?: string | null | undefined;
}

/** The keys tried for a role, most specific first, ending with the default. */
function candidates(role: AccountRole, d: AccountDimensions): string[] {
  const keys: string[] = [];
  if (role === 'revenue') {
    if (d.planCode) keys.push(dimensionKey({ planCode: d.planCode }));
    if (d.origin) keys.push(dimensionKey({ origin: d.origin }));
  }
  if (role === 'tax_payable' && d.jurisdiction) {
    if (d.taxRate) keys.push(dimensionKey({ jurisdiction: d.jurisdiction, taxRate: d.taxRate }));
    keys.push(dimensionKey({ jurisdiction: d.jurisdiction }));
  }
  if (role === 'cash' && d.method) keys.push(dimensionKey({ method: d.method }));
  keys.push('');
  return keys;
}

/** The account code a role resolves to for these dimensions (keys: `${role}/${dimensionKey}`). */
export function resolveAccount(
  mappings: ReadonlyMap<string, string>,
  role: AccountRole,
  d: AccountDimensions,
): string {
  for (const key of candidates(role, d)) {
    const code = mappings.get(`${role}/${key}`);
    if (code !== undefined) return code;
  }
  throw new Error(`no account is mapped for the ${role} role`);
}
