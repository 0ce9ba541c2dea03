// Customers: who is billed, in which currency, calendar (time zone) and language. Clean data
// from the start: a customer whose country, time zone or locale we do not know, or whom the
// seller cannot tax correctly, is refused now rather than invoiced wrong later.
import type { Customer } from '../db/database.ts';
import * as customers from '../db/repositories/customers.ts';
import type { NewCustomerInput } from '../db/repositories/customers.ts';
import { getTestClock } from '../db/repositories/test-clocks.ts';
import { isCurrencyCode } from '../domain/core/currency.ts';
import { isValidTimezone } from '../domain/core/periods.ts';
import type { TaxSeller } from '../domain/tax/types.ts';
import { validateTaxCustomer } from '../domain/tax/validation.ts';
import type { PageRequest, ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';

export interface CustomerDependencies extends ServiceDependencies {
  seller: TaxSeller;
  /** Whether test clocks are on; off, a testClockId is refused. */
  testClocks: boolean;
}

/** A customer as sent: checked, then stored with its locale canonicalized. */
export interface NewCustomerOrder extends Omit<NewCustomerInput, 'taxExemptReference'> {
  /** The certificate or legal basis when the customer is exempt from tax. */
  taxExempt?: { reference: string } | undefined;
}

// CLDR knows a few region codes that are not countries one can be billed in.
const NOT_COUNTRIES = new Set(['ZZ', 'EU', 'EZ', 'UN', 'QO']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** An assigned ISO 3166-1 alpha-2 code in its current form (UK → no, GB → yes). */
function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false;
  if (regionNames.of(code) === undefined) return false;
  // Deprecated codes are aliases of a current one (DD → DE, BU → MM).
  return new Intl.Locale('und', { region: code }).region === code;
}

/** The canonical BCP 47 form of a tag, or undefined when it is not one. */
function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** The tax engine's field names → the request's. */
const TAX_FIELDS: Record<string, string> = {
  'address.country': 'country',
  'exempt.reference': 'taxExempt.reference',
};

/** Refused naming every field that keeps the customer from being taxed by this seller. */
function assertTaxable(
  customer: Parameters<typeof validateTaxCustomer>[0],
  seller: TaxSeller,
): void {
  const issues = validateTaxCustomer(customer, seller).map((i) => ({
    field: TAX_FIELDS[i.field] ?? i.field,
    message: i.message,
  }));
  if (issues.length === 0) return;
  throw new Refused(
    'unprocessable',
    `the customer cannot be taxed: ${issues.map((e) => `${e.field} ${e.message}`).join('; ')}`,
    { issues },
  );
}

function unprocessable(field: string, message: string): Refused {
  return new Refused('unprocessable', message, { field });
}

/**
 * Creates the customer: refused for an unknown currency, country, time zone or locale, a test
 * clock that does not exist (or test clocks off), or a customer the seller cannot tax.
 */
export async function createCustomer(
  deps: CustomerDependencies,
  order: NewCustomerOrder,
): Promise<Customer> {
  if (!isCurrencyCode(order.currency))
    throw unprocessable('currency', `${order.currency} is not an ISO 4217 currency we bill in`);
  if (!isCountryCode(order.country))
    throw unprocessable('country', `${order.country} is not an ISO 3166-1 alpha-2 country code`);
  if (!isValidTimezone(order.timezone))
    throw unprocessable('timezone', `${order.timezone} is not an IANA time zone`);
  const locale = canonicalLocale(order.locale);
  if (!locale) throw unprocessable('locale', `${order.locale} is not a BCP 47 language tag`);
  if (order.testClockId !== undefined) {
    if (!deps.testClocks) {
      throw unprocessable('testClockId', 'test clocks are off on this installation');
    }
    const clock = await getTestClock(deps.db, order.testClockId);
    if (!clock || clock.status === 'deleting') {
      throw unprocessable('testClockId', `test clock ${order.testClockId} does not exist`);
    }
  }
  const { taxExempt, ...fields } = order;
  const input = {
    ...fields,
    locale,
    ...(order.vatNumber ? { vatNumber: order.vatNumber.replace(/[\s.-]/g, '').toUpperCase() } : {}),
    taxExemptReference: taxExempt?.reference,
  };
  assertTaxable(
    customers.taxCustomerOf({
      country: input.country,
      region: input.address?.region,
      postal_code: input.address?.postalCode,
      customer_type: input.customerType ?? 'individual',
      vat_number: input.vatNumber,
      tax_exempt_reference: input.taxExemptReference,
    }),
    deps.seller,
  );
  return customers.createCustomer(deps.db, input);
}

export function listCustomers(deps: ServiceDependencies, page: PageRequest) {
  return customers.listCustomers(deps.db, page);
}

export async function getCustomer(deps: ServiceDependencies, id: string): Promise<Customer> {
  const customer = await customers.getCustomer(deps.db, id);
  if (!customer) throw new Refused('not_found', `Customer ${id} does not exist.`);
  return customer;
}
