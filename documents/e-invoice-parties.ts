// The seller and the buyer as EN 16931 parties (BG-4, BG-7), in the model of @e-invoice-eu/core.
import type { PeppolEndpoint } from '../domain/invoicing/e-invoices.ts';

type Data = Record<string, unknown>;

export interface EInvoiceSeller {
  legalName: string;
  street: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  vatId?: string | undefined;
  email: string;
  phone: string;
  /** BT-34, the seller's electronic address. */
  endpoint: PeppolEndpoint;
  /** Credit transfer to this account (BG-17), when set. */
  iban?: string | undefined;
  bic?: string | undefined;
}

export interface EInvoiceBuyer {
  name: string;
  email: string;
  street?: string | undefined;
  additionalStreet?: string | undefined;
  city?: string | undefined;
  postalCode?: string | undefined;
  region?: string | undefined;
  country: string;
  vatId?: string | undefined;
  /** BT-49; absent, the buyer's email stands for it (scheme EM). */
  endpoint?: PeppolEndpoint | undefined;
}

function endpointOf(endpoint: PeppolEndpoint): Data {
  return { 'cbc:EndpointID': endpoint.id, 'cbc:EndpointID@schemeID': endpoint.scheme };
}

/** Outside VAT (category O), no VAT identifier may be given (BR-O-2 to BR-O-4). */
export function sellerParty(seller: EInvoiceSeller, outsideVat: boolean): Data {
  return {
    ...endpointOf(seller.endpoint),
    'cac:PostalAddress': {
      'cbc:StreetName': seller.street,
      'cbc:CityName': seller.city,
      'cbc:PostalZone': seller.postalCode,
      'cac:Country': { 'cbc:IdentificationCode': seller.country },
    },
    ...(seller.vatId && !outsideVat
      ? {
          'cac:PartyTaxScheme': [
            { 'cbc:CompanyID': seller.vatId, 'cac:TaxScheme': { 'cbc:ID': 'VAT' } },
          ],
        }
      : {}),
    'cac:PartyLegalEntity': { 'cbc:RegistrationName': seller.legalName },
    'cac:Contact': {
      'cbc:Name': seller.legalName,
      'cbc:Telephone': seller.phone,
      'cbc:ElectronicMail': seller.email,
    },
  };
}

export function buyerParty(buyer: EInvoiceBuyer, outsideVat: boolean): Data {
  return {
    ...endpointOf(buyer.endpoint ?? { scheme: 'EM', id: buyer.email }),
    'cac:PostalAddress': {
      ...(buyer.street ? { 'cbc:StreetName': buyer.street } : {}),
      ...(buyer.additionalStreet ? { 'cbc:AdditionalStreetName': buyer.additionalStreet } : {}),
      ...(buyer.city ? { 'cbc:CityName': buyer.city } : {}),
      ...(buyer.postalCode ? { 'cbc:PostalZone': buyer.postalCode } : {}),
      ...(buyer.region ? { 'cbc:CountrySubentity': buyer.region } : {}),
      'cac:Country': { 'cbc:IdentificationCode': buyer.country },
    },
    ...(buyer.vatId && !outsideVat
      ? {
          'cac:PartyTaxScheme': {
            'cbc:CompanyID': buyer.vatId,
            'cac:TaxScheme': { 'cbc:ID': 'VAT' },
          },
        }
      : {}),
    'cac:PartyLegalEntity': { 'cbc:RegistrationName': buyer.name },
    'cac:Contact': { 'cbc:ElectronicMail': buyer.email },
  };
}
