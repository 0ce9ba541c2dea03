// Customers: POST /v1/customers, GET /v1/customers, GET /v1/customers/:id.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Customer as CustomerRow } from '../../db/database.ts';
import { getTestClock } from '../../db/repositories/test-clocks.ts';
import {
  createCustomer,
  getCustomer,
  listCustomers,
  taxCustomerOf,
} from '../../db/repositories/customers.ts';
import { CUSTOMER_TYPES } from '../../domain/tax/types.ts';
import { validateTaxCustomer } from '../../domain/tax/validation.ts';
import { isCurrencyCode } from '../../domain/core/currency.ts';
import { isValidTimezone } from '../../domain/core/periods.ts';
import { notFound, Problem, unprocessable } from '../problem.ts';
import {
  CurrencyCode,
  DEFAULT_LIMIT,
  described,
  IdParams,
  iso,
  Limit,
  ListOf,
  problemResponse,
  StartingAfter,
  Timestamp,
} from '../schemas/common.ts';

const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 country code, e.g. FR.',
  examples: ['FR'],
});
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone the customer’s billing calendar is read in, e.g. Europe/Paris.',
  examples: ['Europe/Paris'],
});
const Locale = Type.String({
  minLength: 2,
  maxLength: 35,
  description: 'BCP 47 language tag for documents and emails, e.g. fr-FR; stored canonicalized.',
  examples: ['fr-FR'],
});

const AddressText = (description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: 200, description }));
const AddressBody = Type.Object(
  {
    line1: AddressText('Street and number.'),
    line2: AddressText('Building, floor, suite.'),
    city: AddressText('City or town.'),
    region: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 10,
        description:
          'State, province or territory code: required in the US (e.g. NY), Canada (e.g. QC) and, ' +
          'for a seller registered there, India (e.g. KA), where it decides the tax.',
      }),
    ),
    postalCode: AddressText('Postal or ZIP code.'),
  },
  { additionalProperties: false, description: 'Postal address (the country is `country`).' },
);
const Nullable = (description: string) => Type.Union([Type.String(), Type.Null()], { description });
const CustomerTypeSchema = Type.Enum([...CUSTOMER_TYPES], {
  description: 'business or individual (default): decides B2B rules such as the EU reverse charge.',
});

export const CustomerSchema = Type.Object(
  {
    id: Type.String({ examples: ['cus_abcdefghijklmnopqrst'] }),
    name: Type.String(),
    email: Type.String({ format: 'email' }),
    currency: CurrencyCode,
    country: CountryCode,
    timezone: TimeZone,
    locale: Locale,
    address: Type.Object({
      line1: Nullable('Street and number.'),
      line2: Nullable('Building, floor, suite.'),
      city: Nullable('City or town.'),
      region: Nullable('State, province or territory code.'),
      postalCode: Nullable('Postal or ZIP code.'),
    }),
    customerType: CustomerTypeSchema,
    vatNumber: Nullable('VAT / GST number, normalised; present for B2B reverse charge.'),
    taxExempt: Type.Union([Type.Object({ reference: Type.String() }), Type.Null()], {
      description: 'Set when the customer is exempt from tax, with the certificate or legal basis.',
    }),
    paymentTermsDays: Type.Integer({
      minimum: 0,
      maximum: 365,
      description:
        'Days to pay after an invoice is issued: 0 due on receipt, 15 net 15, 30 net 30.',
    }),
    testClockId: Nullable('The test clock the customer is billed on; null for real customers.'),
    createdAt: Timestamp,
  },
  { $id: 'Customer', title: 'Customer' },
);

const CreateCustomerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 320 }),
    currency: CurrencyCode,
    country: CountryCode,
    timezone: TimeZone,
    locale: Locale,
    address: Type.Optional(AddressBody),
    customerType: Type.Optional(CustomerTypeSchema),
    vatNumber: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 20,
        description: 'VAT / GST number, format-checked.',
      }),
    ),
    taxExempt: Type.Optional(
      Type.Object(
        { reference: Type.String({ minLength: 1, maxLength: 200 }) },
        { additionalProperties: false, description: 'Tax-exempt, with the certificate or basis.' },
      ),
    ),
    paymentTermsDays: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 365, description: '0 (the default): due on receipt.' }),
    ),
    testClockId: Type.Optional(
      Type.String({
        description:
          'Bill this customer on a test clock (virtual time, for trying billing end to end). ' +
          'Fixed for the customer’s life; refused when test clocks are off.',
      }),
    ),
  },
  { additionalProperties: false },
);

const ListCustomersQuery = Type.Object(
  { limit: Limit, startingAfter: Type.Optional(StartingAfter) },
  { additionalProperties: false },
);

export function toCustomer(row: CustomerRow) {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    currency: row.currency,
    country: row.country,
    timezone: row.timezone,
    locale: row.locale,
    address: {
      line1: row.address_line1,
      line2: row.address_line2,
      city: row.city,
      region: row.region,
      postalCode: row.postal_code,
    },
    customerType: row.customer_type,
    vatNumber: row.vat_number,
    taxExempt: row.tax_exempt_reference ? { reference: row.tax_exempt_reference } : null,
    paymentTermsDays: row.payment_terms_days,
    testClockId: row.test_clock_id,
    createdAt: iso(row.created_at),
  };
}

// CLDR knows a few region codes that are not countries one can be billed in.
const NOT_COUNTRIES = new Set(['ZZ', 'EU', 'EZ', 'UN', 'QO']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** An assigned ISO 3166-1 alpha-2 code in its current form (UK → no, GB → yes). */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false;
  if (regionNames.of(code) === undefined) return false;
  // Deprecated codes are aliases of a current one (DD → DE, BU → MM).
  return new Intl.Locale('und', { region: code }).region === code;
}

/** The canonical BCP 47 form of a tag, or undefined when it is not one. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** The tax engine's field names → the request body's. */
const TAX_FIELDS: Record<string, string> = {
  'address.country': 'country',
  'exempt.reference': 'taxExempt.reference',
};

/** 422 naming every field that keeps the customer from being taxed by this seller. */
export function assertTaxable(
  customer: Parameters<typeof validateTaxCustomer>[0],
  seller: Parameters<typeof validateTaxCustomer>[1],
  fieldPrefix = '',
): void {
  const issues = validateTaxCustomer(customer, seller);
  if (issues.length === 0) return;
  const errors = issues.map((i) => ({
    field: fieldPrefix + (TAX_FIELDS[i.field] ?? i.field),
    message: i.message,
  }));
  throw new Problem({
    status: 422,
    slug: 'unprocessable',
    detail: `the customer cannot be taxed: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
    errors,
  });
}

const customers: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/customers',
    {
      schema: {
        tags: ['Customers'],
        summary: 'Create a customer',
        description:
          'Creates a customer. The currency is the one every plan they subscribe to must be priced in; ' +
          'the time zone decides when their billing periods start and end.',
        body: CreateCustomerBody,
        response: {
          201: described(CustomerSchema, 'The created customer.'),
          422: problemResponse(
            'A field is well-formed but not acceptable (unknown currency, country, time zone or ' +
              'locale), or the customer cannot be taxed (missing region, malformed VAT number).',
          ),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      if (!isCurrencyCode(body.currency))
        throw unprocessable('currency', `${body.currency} is not an ISO 4217 currency we bill in`);
      if (!isCountryCode(body.country))
        throw unprocessable('country', `${body.country} is not an ISO 3166-1 alpha-2 country code`);
      if (!isValidTimezone(body.timezone))
        throw unprocessable('timezone', `${body.timezone} is not an IANA time zone`);
      const locale = canonicalLocale(body.locale);
      if (!locale) throw unprocessable('locale', `${body.locale} is not a BCP 47 language tag`);
      if (body.testClockId !== undefined) {
        if (!app.testClocks) {
          throw unprocessable('testClockId', 'test clocks are off on this installation');
        }
        const clock = await getTestClock(app.db, body.testClockId);
        if (!clock || clock.status === 'deleting') {
          throw unprocessable('testClockId', `test clock ${body.testClockId} does not exist`);
        }
      }
      const { taxExempt, ...fields } = body;
      const input = {
        ...fields,
        locale,
        ...(body.vatNumber
          ? { vatNumber: body.vatNumber.replace(/[\s.-]/g, '').toUpperCase() }
          : {}),
        taxExemptReference: taxExempt?.reference,
      };
      // Clean data: a customer the seller cannot tax correctly is refused now, not invoiced wrong.
      assertTaxable(
        taxCustomerOf({
          country: input.country,
          region: input.address?.region,
          postal_code: input.address?.postalCode,
          customer_type: input.customerType ?? 'individual',
          vat_number: input.vatNumber,
          tax_exempt_reference: input.taxExemptReference,
        }),
        app.tax.seller,
      );
      const row = await createCustomer(app.db, input);
      return reply.code(201).send(toCustomer(row));
    },
  );

  app.get(
    '/customers',
    {
      schema: {
        tags: ['Customers'],
        summary: 'List customers',
        description: 'Customers, newest first.',
        querystring: ListCustomersQuery,
        response: { 200: ListOf(CustomerSchema, 'A page of customers.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listCustomers(app.db, { limit, startingAfter });
      return { data: page.items.map(toCustomer), hasMore: page.hasMore };
    },
  );

  app.get(
    '/customers/:id',
    {
      schema: {
        tags: ['Customers'],
        summary: 'Get a customer',
        description: 'One customer by id.',
        params: IdParams,
        response: {
          200: described(CustomerSchema, 'The customer.'),
          404: problemResponse('No customer has this id.'),
        },
      },
    },
    async (request) => {
      const row = await getCustomer(app.db, request.params.id);
      if (!row) throw notFound(`Customer ${request.params.id} does not exist.`);
      return toCustomer(row);
    },
  );

  done();
};

export default customers;
