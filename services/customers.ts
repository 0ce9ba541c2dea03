// Customers: who is billed, in which currency, calendar (time zone) and language. Clean data
// from the start: a customer whose country, time zone or locale we do not know, or whom the
// seller cannot tax correctly, is refused now rather than invoiced wrong later.
import type { Db } from '../db/connect.ts';
import type { AuditChange, Customer } from '../db/database.ts';
import * as customers from '../db/repositories/customers.ts';
import type {
  CustomerAddress,
  CustomerCorrection,
  NewCustomerInput,
} from '../db/repositories/customers.ts';
import { getTestClock } from '../db/repositories/test-clocks.ts';
import { DOCUMENT_DESIGNS, isDocumentDesign } from '../documents/designs.ts';
import { isCurrencyCode } from '../domain/core/currency.ts';
import { eInvoiceSettingIssues, type PeppolEndpoint } from '../domain/invoicing/e-invoices.ts';
import { isValidTimezone } from '../domain/core/periods.ts';
import type { CustomerType, TaxSeller } from '../domain/tax/types.ts';
import { validateTaxCustomer } from '../domain/tax/validation.ts';
import type { PageRequest, ServiceDependencies } from './dependencies.ts';
import { Refused, refusedFor } from './refused.ts';

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

/** A design the documents can be rendered in; null (a patch) returns the customer to the brand's. */
function checkDesign(design: string | null | undefined): void {
  if (design === undefined || design === null || isDocumentDesign(design)) return;
  throw unprocessable(
    'documentDesign',
    `${design} is not a document design (one of ${DOCUMENT_DESIGNS.join(', ')})`,
  );
}

/** Refused naming each field the customer's e-invoice format lacks (XRechnung, Peppol). */
function assertEInvoiceable(customer: {
  e_invoice_format: Customer['e_invoice_format'];
  buyer_reference: string | null;
  peppol_endpoint_scheme: string | null;
  peppol_endpoint_id: string | null;
  address_line1: string | null;
  postal_code: string | null;
  city: string | null;
}): void {
  const issues = eInvoiceSettingIssues(
    {
      format: customer.e_invoice_format,
      buyerReference: customer.buyer_reference ?? undefined,
      ...(customer.peppol_endpoint_scheme !== null && customer.peppol_endpoint_id !== null
        ? {
            peppolEndpoint: {
              scheme: customer.peppol_endpoint_scheme,
              id: customer.peppol_endpoint_id,
            },
          }
        : {}),
    },
    { line1: customer.address_line1, postalCode: customer.postal_code, city: customer.city },
  );
  if (issues.length > 0) throw refusedFor(issues);
}

/** The VAT number as stored: without spaces, dots or dashes, upper case. */
function normalisedVatNumber(vatNumber: string): string {
  return vatNumber.replace(/[\s.-]/g, '').toUpperCase();
}

/**
 * Checks the country, time zone and locale sent (a create sends all three, a correction any of
 * them) and gives the locale canonicalized.
 */
function checkPlace(place: {
  country?: string | undefined;
  timezone?: string | undefined;
  locale?: string | undefined;
}): string | undefined {
  if (place.country !== undefined && !isCountryCode(place.country))
    throw unprocessable('country', `${place.country} is not an ISO 3166-1 alpha-2 country code`);
  if (place.timezone !== undefined && !isValidTimezone(place.timezone))
    throw unprocessable('timezone', `${place.timezone} is not an IANA time zone`);
  if (place.locale === undefined) return undefined;
  const locale = canonicalLocale(place.locale);
  if (!locale) throw unprocessable('locale', `${place.locale} is not a BCP 47 language tag`);
  return locale;
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
  const locale = checkPlace(order)!;
  checkDesign(order.documentDesign);
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
    ...(order.vatNumber ? { vatNumber: normalisedVatNumber(order.vatNumber) } : {}),
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
  assertEInvoiceable({
    e_invoice_format: input.eInvoiceFormat ?? 'none',
    buyer_reference: input.buyerReference ?? null,
    peppol_endpoint_scheme: input.peppolEndpoint?.scheme ?? null,
    peppol_endpoint_id: input.peppolEndpoint?.id ?? null,
    address_line1: input.address?.line1 ?? null,
    postal_code: input.address?.postalCode ?? null,
    city: input.address?.city ?? null,
  });
  return customers.createCustomer(deps.db, input);
}

/** A correction as sent (a merge patch): absent fields stay, null clears an optional one. */
export interface CustomerPatch {
  name?: string | undefined;
  email?: string | undefined;
  country?: string | undefined;
  timezone?: string | undefined;
  locale?: string | undefined;
  address?: { [K in keyof CustomerAddress]?: string | null | undefined } | null | undefined;
  customerType?: CustomerType | undefined;
  vatNumber?: string | null | undefined;
  taxExempt?: { reference: string } | null | undefined;
  paymentTermsDays?: number | undefined;
  /** The design of their documents; null returns them to the brand's. */
  documentDesign?: string | null | undefined;
  eInvoiceFormat?: Customer['e_invoice_format'] | undefined;
  /** null clears it. */
  buyerReference?: string | null | undefined;
  /** null clears it. */
  peppolEndpoint?: PeppolEndpoint | null | undefined;
  /** Fixed for life: accepted only when it is the customer's own. */
  currency?: string | undefined;
  /** Fixed for life: accepted only when it is the customer's own. */
  testClockId?: string | null | undefined;
}

/** Each correctable column, the request field it is, and whether it holds personal data. */
const CORRECTABLE: [column: keyof CustomerCorrection, field: string, personal: boolean][] = [
  ['name', 'name', true],
  ['email', 'email', true],
  ['country', 'country', false],
  ['timezone', 'timezone', false],
  ['locale', 'locale', false],
  ['address_line1', 'address.line1', true],
  ['address_line2', 'address.line2', true],
  ['city', 'address.city', true],
  ['region', 'address.region', false],
  ['postal_code', 'address.postalCode', true],
  ['customer_type', 'customerType', false],
  ['vat_number', 'vatNumber', true],
  ['tax_exempt_reference', 'taxExempt.reference', true],
  ['payment_terms_days', 'paymentTermsDays', false],
  ['document_design', 'documentDesign', false],
  ['e_invoice_format', 'eInvoiceFormat', false],
  ['buyer_reference', 'buyerReference', false],
  ['peppol_endpoint_scheme', 'peppolEndpoint.scheme', false],
  ['peppol_endpoint_id', 'peppolEndpoint.id', false],
];

/** The patch over the stored customer: every correctable column as it would be after it. */
function corrected(current: Customer, patch: CustomerPatch, locale: string | undefined) {
  const pick = <T>(sent: T | undefined, now: T): T => (sent === undefined ? now : sent);
  const address = patch.address === null ? {} : patch.address;
  const part = (sent: string | null | undefined, now: string | null) =>
    patch.address === null ? null : pick(sent, now);
  return {
    name: pick(patch.name, current.name),
    email: pick(patch.email, current.email),
    country: pick(patch.country, current.country),
    timezone: pick(patch.timezone, current.timezone),
    locale: pick(locale, current.locale),
    address_line1: part(address?.line1, current.address_line1),
    address_line2: part(address?.line2, current.address_line2),
    city: part(address?.city, current.city),
    region: part(address?.region, current.region),
    postal_code: part(address?.postalCode, current.postal_code),
    customer_type: pick(patch.customerType, current.customer_type),
    vat_number:
      patch.vatNumber === undefined
        ? current.vat_number
        : patch.vatNumber && normalisedVatNumber(patch.vatNumber),
    tax_exempt_reference:
      patch.taxExempt === undefined
        ? current.tax_exempt_reference
        : (patch.taxExempt?.reference ?? null),
    payment_terms_days: pick(patch.paymentTermsDays, current.payment_terms_days),
    document_design: pick(patch.documentDesign, current.document_design),
    e_invoice_format: pick(patch.eInvoiceFormat, current.e_invoice_format),
    buyer_reference: pick(patch.buyerReference, current.buyer_reference),
    peppol_endpoint_scheme:
      patch.peppolEndpoint === undefined
        ? current.peppol_endpoint_scheme
        : (patch.peppolEndpoint?.scheme ?? null),
    peppol_endpoint_id:
      patch.peppolEndpoint === undefined
        ? current.peppol_endpoint_id
        : (patch.peppolEndpoint?.id ?? null),
  } satisfies Required<CustomerCorrection>;
}

/** Refuses a change to what is fixed for the customer's life; its own value again is no change. */
function assertFixedFieldsKept(current: Customer, patch: CustomerPatch): void {
  if (patch.currency !== undefined && patch.currency !== current.currency) {
    throw unprocessable(
      'currency',
      `cannot change from ${current.currency}: the customer's plans, invoices and credit are in it ` +
        '(bill another currency through a new customer)',
    );
  }
  if (patch.testClockId !== undefined && patch.testClockId !== current.test_clock_id) {
    throw unprocessable(
      'testClockId',
      current.test_clock_id
        ? `cannot change: the customer is billed on test clock ${current.test_clock_id} for life`
        : 'cannot change: the customer is billed in real time for life',
    );
  }
}

/**
 * Refuses a new time zone while billing runs on the customer's calendar: running subscriptions,
 * projects and collections laid out their periods, dates and reminders in the old one when they
 * started, and would keep them.
 */
async function assertCalendarFree(db: Db, customer: Customer): Promise<void> {
  const running = await customers.billingOnCustomerCalendar(db, customer.id);
  if (running === undefined) return;
  throw unprocessable(
    'timezone',
    `cannot change while billing runs in ${customer.timezone}: ${running} lays out its periods ` +
      'and reminders in it (change it once its subscriptions and projects have ended and its ' +
      'invoices are settled)',
  );
}

/**
 * Corrects a customer (name, email, address, tax details, locale, time zone, payment terms), in
 * one transaction and checked as a new customer is, on the customer as it would be after: all of
 * it or nothing. Invoices finalized before keep the details they were issued with (their
 * snapshot); those finalized after carry the new ones.
 */
export async function correctCustomer(
  deps: CustomerDependencies,
  id: string,
  patch: CustomerPatch,
): Promise<{ customer: Customer; changes: AuditChange[] }> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await customers.lockCustomer(trx, id);
    if (!current) throw new Refused('not_found', `Customer ${id} does not exist.`);
    assertFixedFieldsKept(current, patch);
    checkDesign(patch.documentDesign);
    const next = corrected(current, patch, checkPlace(patch));
    if (next.timezone !== current.timezone) await assertCalendarFree(trx, current);
    assertTaxable(customers.taxCustomerOf(next), deps.seller);
    assertEInvoiceable(next);
    const changed = CORRECTABLE.filter(([column]) => next[column] !== current[column]);
    if (changed.length === 0) return { customer: current, changes: [] };
    const correction = Object.fromEntries(changed.map(([column]) => [column, next[column]]));
    const customer = await customers.correctCustomer(trx, id, correction);
    const changes = changed.map(([column, field, personal]) =>
      personal ? { field } : { field, from: current[column], to: next[column] },
    );
    return { customer, changes };
  });
}

export function listCustomers(deps: ServiceDependencies, page: PageRequest) {
  return customers.listCustomers(deps.db, page);
}

export async function getCustomer(deps: ServiceDependencies, id: string): Promise<Customer> {
  const customer = await customers.getCustomer(deps.db, id);
  if (!customer) throw new Refused('not_found', `Customer ${id} does not exist.`);
  return customer;
}
