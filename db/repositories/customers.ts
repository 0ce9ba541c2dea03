// Customers: who is billed, in which currency, and in which calendar (time zone) and language.
import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { Customer } from '../database.ts';
import { newId } from '../ids.ts';
import type { EInvoiceFormat, PeppolEndpoint } from '../../domain/invoicing/e-invoices.ts';
import type { CustomerType, TaxCustomer } from '../../domain/tax/types.ts';

export interface NewCustomerInput {
  name: string;
  email: string;
  /** ISO 4217, already validated. */
  currency: string;
  /** ISO 3166-1 alpha-2, already validated. */
  country: string;
  /** IANA time zone, already validated. */
  timezone: string;
  /** Canonical BCP 47 tag. */
  locale: string;
  address?: CustomerAddress | undefined;
  customerType?: CustomerType | undefined;
  vatNumber?: string | undefined;
  /** Certificate or legal basis when the customer is exempt from tax. */
  taxExemptReference?: string | undefined;
  /** 0 = due on receipt. */
  paymentTermsDays?: number | undefined;
  /** The test clock the customer is billed on (checked to exist by the caller). */
  testClockId?: string | undefined;
  /** The design of their documents (checked by the caller); absent: the brand's. */
  documentDesign?: string | undefined;
  /** The e-invoice they receive, and what it needs (checked by the caller); absent: none. */
  eInvoiceFormat?: EInvoiceFormat | undefined;
  buyerReference?: string | undefined;
  peppolEndpoint?: PeppolEndpoint | undefined;
}

export interface CustomerAddress {
  line1?: string | undefined;
  line2?: string | undefined;
  city?: string | undefined;
  /** State, province or territory code where tax depends on it (US, CA, IN). */
  region?: string | undefined;
  postalCode?: string | undefined;
}

/** The customer as the tax engine sees it. */
export function taxCustomerOf(customer: {
  country: string;
  region?: string | null | undefined;
  postal_code?: string | null | undefined;
  customer_type: CustomerType;
  vat_number?: string | null | undefined;
  tax_exempt_reference?: string | null | undefined;
}): TaxCustomer {
  return {
    address: {
      country: customer.country,
      ...(customer.region ? { region: customer.region } : {}),
      ...(customer.postal_code ? { postalCode: customer.postal_code } : {}),
    },
    customerType: customer.customer_type,
    ...(customer.vat_number ? { vatNumber: customer.vat_number } : {}),
    ...(customer.tax_exempt_reference
      ? { exempt: { reference: customer.tax_exempt_reference } }
      : {}),
  };
}

export async function createCustomer(db: Db, input: NewCustomerInput): Promise<Customer> {
  const {
    address,
    customerType,
    vatNumber,
    taxExemptReference,
    paymentTermsDays,
    testClockId,
    documentDesign,
    eInvoiceFormat,
    buyerReference,
    peppolEndpoint,
    ...core
  } = input;
  return db
    .insertInto('customers')
    .values({
      id: newId('cus'),
      ...core,
      address_line1: address?.line1 ?? null,
      address_line2: address?.line2 ?? null,
      city: address?.city ?? null,
      region: address?.region ?? null,
      postal_code: address?.postalCode ?? null,
      customer_type: customerType ?? 'individual',
      vat_number: vatNumber ?? null,
      tax_exempt_reference: taxExemptReference ?? null,
      payment_terms_days: paymentTermsDays ?? 0,
      test_clock_id: testClockId ?? null,
      document_design: documentDesign ?? null,
      e_invoice_format: eInvoiceFormat ?? 'none',
      buyer_reference: buyerReference ?? null,
      peppol_endpoint_scheme: peppolEndpoint?.scheme ?? null,
      peppol_endpoint_id: peppolEndpoint?.id ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getCustomer(db: Db, id: string): Promise<Customer | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The customer, locked until the caller's transaction ends (a change reads what it replaces). */
export async function lockCustomer(db: Db, id: string): Promise<Customer | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The columns a correction may change; currency and test clock are fixed for life. */
export type CustomerCorrection = Partial<
  Omit<Customer, 'id' | 'currency' | 'test_clock_id' | 'created_at'>
>;

export async function correctCustomer(
  db: Db,
  id: string,
  correction: CustomerCorrection,
): Promise<Customer> {
  return db
    .updateTable('customers')
    .set(correction)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * What bills the customer on a calendar laid out in their time zone now: a subscription or
 * project still running, or an invoice still being collected (its id); undefined when none does.
 */
export async function billingOnCustomerCalendar(
  db: Db,
  customerId: string,
): Promise<string | undefined> {
  const [subscription, project, invoice] = await Promise.all([
    db
      .selectFrom('subscriptions')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('status', 'not in', ['canceled', 'ended'])
      .executeTakeFirst(),
    db
      .selectFrom('projects')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('status', '=', 'active')
      .executeTakeFirst(),
    db
      .selectFrom('invoices')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('status', '=', 'open')
      .executeTakeFirst(),
  ]);
  return (subscription ?? project ?? invoice)?.id;
}

/** Newest first; `startingAfter` is the id of the last customer of the previous page. */
export async function listCustomers(
  db: Db,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: Customer[]; hasMore: boolean }> {
  let query = db.selectFrom('customers').selectAll();
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    // Keyset pagination: strictly older than the cursor row, ties broken by id.
    query = query.where(
      sql<boolean>`(created_at, id) < (select c.created_at, c.id from customers c where c.id = ${cursor})`,
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return { items: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

/** The currencies customers are billed in, the one most customers use first. */
export async function customerCurrencies(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('customers')
    .select(['currency', (eb) => eb.fn.countAll<string>().as('customers')])
    .groupBy('currency')
    .orderBy('customers', 'desc')
    .orderBy('currency')
    .execute();
  return rows.map((row) => row.currency);
}
