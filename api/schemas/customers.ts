// The customer routes' request and response shapes, and how a customer is shown.
import { Type, type TSchema } from 'typebox';
import type { Customer as CustomerRow } from '../../db/database.ts';
import { DOCUMENT_DESIGNS } from '../../documents/designs.ts';
import { E_INVOICE_FORMATS } from '../../domain/invoicing/e-invoices.ts';
import { CUSTOMER_TYPES } from '../../domain/tax/types.ts';
import { CurrencyCode, iso, Limit, StartingAfter, Timestamp } from './common.ts';

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

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Email = Type.String({ format: 'email', maxLength: 320 });
const VatNumber = Type.String({
  minLength: 4,
  maxLength: 20,
  description: 'VAT / GST number, format-checked.',
});
const TaxExemptBody = Type.Object(
  { reference: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false, description: 'Tax-exempt, with the certificate or basis.' },
);
const PaymentTermsDays = Type.Integer({
  minimum: 0,
  maximum: 365,
  description: '0 (the default): due on receipt.',
});
const Region = Type.String({
  minLength: 1,
  maxLength: 10,
  description:
    'State, province or territory code: required in the US (e.g. NY), Canada (e.g. QC) and, ' +
    'for a seller registered there, India (e.g. KA), where it decides the tax.',
});

const AddressText = (description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: 200, description }));
const AddressBody = Type.Object(
  {
    line1: AddressText('Street and number.'),
    line2: AddressText('Building, floor, suite.'),
    city: AddressText('City or town.'),
    region: Type.Optional(Region),
    postalCode: AddressText('Postal or ZIP code.'),
  },
  { additionalProperties: false, description: 'Postal address (the country is `country`).' },
);
const Nullable = (description: string) => Type.Union([Type.String(), Type.Null()], { description });
const DocumentDesign = Type.Enum([...DOCUMENT_DESIGNS], {
  description:
    'The design of the customer’s invoices, credit notes, receipts and estimates (see ' +
    'GET /v1/document-designs). Invoices keep the design they were issued in.',
});
const CustomerTypeSchema = Type.Enum([...CUSTOMER_TYPES], {
  description: 'business or individual (default): decides B2B rules such as the EU reverse charge.',
});

const EInvoiceFormatSchema = Type.Enum([...E_INVOICE_FORMATS], {
  description:
    'The e-invoice their invoices and credit notes carry (see docs/E-INVOICES.md): none (the ' +
    'default, the PDF only); factur-x-en16931 (the PDF becomes a Factur-X/ZUGFeRD PDF/A-3 with ' +
    'its CII XML inside); xrechnung-cii or xrechnung-ubl (needs buyerReference and a street, ' +
    'post code and city); peppol-ubl, Peppol BIS Billing 3.0 (needs peppolEndpoint).',
});
const BuyerReference = Type.String({
  minLength: 1,
  maxLength: 200,
  description:
    'BT-10, the reference the buyer wants on their e-invoices: for a German public buyer the ' +
    'Leitweg-ID (required by XRechnung), e.g. 04011000-12345-03.',
});
const PeppolEndpointBody = Type.Object(
  {
    scheme: Type.String({
      pattern: '^([0-9]{4}|[A-Z]{2})$',
      description: 'EAS code of the id, e.g. 0088 (GLN), 9930 (German VAT), 0208 (Belgian KBO).',
    }),
    id: Type.String({ minLength: 1, maxLength: 100, description: 'The id in that scheme.' }),
  },
  {
    additionalProperties: false,
    description: 'BT-49, the buyer’s Peppol participant id (required by peppol-ubl).',
  },
);

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
    documentDesign: Type.Union([Type.String({ examples: ['modern'] }), Type.Null()], {
      description:
        'The design of the customer’s documents (one of GET /v1/document-designs); null: the ' +
        'brand’s default (BILLWRIGHT_DOCUMENT_DESIGN).',
    }),
    eInvoiceFormat: EInvoiceFormatSchema,
    buyerReference: Nullable('BT-10, the buyer reference (Leitweg-ID); null when none.'),
    peppolEndpoint: Type.Union(
      [Type.Object({ scheme: Type.String(), id: Type.String() }), Type.Null()],
      {
        description: 'BT-49, the buyer’s Peppol participant id; null when none.',
      },
    ),
    createdAt: Timestamp,
  },
  { $id: 'Customer', title: 'Customer' },
);

export const CreateCustomerBody = Type.Object(
  {
    name: Name,
    email: Email,
    currency: CurrencyCode,
    country: CountryCode,
    timezone: TimeZone,
    locale: Locale,
    address: Type.Optional(AddressBody),
    customerType: Type.Optional(CustomerTypeSchema),
    vatNumber: Type.Optional(VatNumber),
    taxExempt: Type.Optional(TaxExemptBody),
    paymentTermsDays: Type.Optional(PaymentTermsDays),
    documentDesign: Type.Optional(DocumentDesign),
    eInvoiceFormat: Type.Optional(EInvoiceFormatSchema),
    buyerReference: Type.Optional(BuyerReference),
    peppolEndpoint: Type.Optional(PeppolEndpointBody),
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

/** A field the patch may clear: its value, or null to clear it. */
const Clearable = <T extends TSchema>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]));
const PatchAddressText = (description: string) =>
  Clearable(Type.String({ minLength: 1, maxLength: 200, description }));

export const UpdateCustomerBody = Type.Object(
  {
    name: Type.Optional(Name),
    email: Type.Optional(Email),
    country: Type.Optional(CountryCode),
    timezone: Type.Optional(TimeZone),
    locale: Type.Optional(Locale),
    address: Clearable(
      Type.Object(
        {
          line1: PatchAddressText('Street and number; null clears it.'),
          line2: PatchAddressText('Building, floor, suite; null clears it.'),
          city: PatchAddressText('City or town; null clears it.'),
          region: Clearable(Region),
          postalCode: PatchAddressText('Postal or ZIP code; null clears it.'),
        },
        {
          additionalProperties: false,
          description: 'Only the parts sent change; null clears the whole address.',
        },
      ),
    ),
    customerType: Type.Optional(CustomerTypeSchema),
    vatNumber: Clearable(VatNumber),
    taxExempt: Clearable(TaxExemptBody),
    paymentTermsDays: Type.Optional(PaymentTermsDays),
    documentDesign: Clearable(DocumentDesign),
    eInvoiceFormat: Type.Optional(EInvoiceFormatSchema),
    buyerReference: Clearable(BuyerReference),
    peppolEndpoint: Clearable(PeppolEndpointBody),
    currency: Type.Optional(
      Type.String({
        description:
          'Fixed for the customer’s life (their plans, invoices and credit are in it): sending ' +
          'another currency is refused (422); sending the current one changes nothing.',
      }),
    ),
    testClockId: Clearable(
      Type.String({
        description:
          'Fixed for the customer’s life: sending another clock (or null for a clocked ' +
          'customer) is refused (422); sending the current one changes nothing.',
      }),
    ),
  },
  {
    additionalProperties: false,
    // A patch that names nothing is a mistake (a lost body), not a request to change nothing.
    minProperties: 1,
    description:
      'A merge patch: only the fields sent change (at least one), null clears an optional ' +
      'field. Checked as a new customer is, on the customer as it would be after the change.',
  },
);

export const ListCustomersQuery = Type.Object(
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
    documentDesign: row.document_design,
    eInvoiceFormat: row.e_invoice_format,
    buyerReference: row.buyer_reference,
    peppolEndpoint:
      row.peppol_endpoint_scheme !== null && row.peppol_endpoint_id !== null
        ? { scheme: row.peppol_endpoint_scheme, id: row.peppol_endpoint_id }
        : null,
    createdAt: iso(row.created_at),
  };
}
