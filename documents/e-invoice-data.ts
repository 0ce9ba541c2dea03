// An invoice or credit note as EN 16931 data, in the internal format of @e-invoice-eu/core (UBL
// element names as JSON keys, which the library writes out as UBL or CII). Pure: amounts come in
// as integer minor units and leave as the decimal strings the formats want, by the currency's
// ISO 4217 exponent, without ever being a float.
import { DateTime } from 'luxon';
import { translatorFor } from '../i18n/catalogue.ts';
import { minorUnitExponent } from '../domain/core/currency.ts';
import { decimal, shift, toDecimalString, type DecimalString } from '../domain/core/decimal.ts';
import { money, toMajorUnitString } from '../domain/core/money.ts';
import type { EInvoiceFormat } from '../domain/invoicing/e-invoices.ts';
import {
  buyerParty,
  sellerParty,
  type EInvoiceBuyer,
  type EInvoiceSeller,
} from './e-invoice-parties.ts';

export type { EInvoiceBuyer, EInvoiceSeller } from './e-invoice-parties.ts';

/** EN 16931's VAT categories (UNCL5305) that the tax engine's treatments map to. */
export type VatCategoryCode = 'S' | 'Z' | 'E' | 'AE' | 'K' | 'O';

export interface VatCategory {
  code: VatCategoryCode;
  /** Percent, an exact decimal string ("19", "5.5"); "0" for every category but S. */
  percent: DecimalString;
}

/**
 * The category of a line taxed with `treatment` at `ratePercent`: taxable at a positive rate is
 * S, at 0 % Z; the reverse charge is AE; exemptions E; everything outside VAT O. K (intra-EU
 * supply of goods) never arises: the tax engine sells services, whose EU B2B supply is AE.
 */
export function vatCategoryOf(treatment: string, ratePercent: string): VatCategory {
  switch (treatment) {
    case 'taxable':
      return decimal(ratePercent).gt(0)
        ? { code: 'S', percent: ratePercent }
        : { code: 'Z', percent: '0' };
    case 'reverse_charge':
      return { code: 'AE', percent: '0' };
    case 'exempt_customer':
    case 'exempt_product':
      return { code: 'E', percent: '0' };
    default:
      return { code: 'O', percent: '0' };
  }
}

export interface EInvoiceLine {
  name: string;
  /** Units, an exact decimal string. */
  quantity: DecimalString;
  /** Exact minor units per unit, when one price makes the line. */
  unitAmount?: DecimalString | undefined;
  /** The line's net amount before discounts, integer minor units. */
  amount: number;
  /** What discounts took off the line, integer minor units (positive). */
  discount: number;
  category: VatCategory;
  /** The billed period: inclusive start, exclusive end (ISO 8601 instants). */
  periodStart?: string | undefined;
  periodEnd?: string | undefined;
}

/** The tax of one VAT category, integer minor units. */
export interface EInvoiceTax {
  category: VatCategory;
  taxableAmount: number;
  taxAmount: number;
}

export interface EInvoiceSource {
  kind: 'invoice' | 'credit_note';
  format: Exclude<EInvoiceFormat, 'none'>;
  number: string;
  /** ISO 8601 instants; dates are taken in `timezone`. */
  issuedAt: string;
  dueAt?: string | undefined;
  timezone: string;
  /** The customer's locale: the texts in the XML (payment terms, exemption reasons) speak it. */
  locale: string;
  currency: string;
  buyerReference: string;
  paymentTermsDays?: number | undefined;
  /** What happens to a credit note's money, written as its payment terms (BT-20). */
  settlement?: 'refund' | 'invoice' | 'balance' | undefined;
  /** A credit note's invoice (BG-3). */
  precedingInvoice?: { number: string; issuedAt: string } | undefined;
  note?: string | undefined;
  seller: EInvoiceSeller;
  buyer: EInvoiceBuyer;
  lines: EInvoiceLine[];
  taxes: EInvoiceTax[];
  /** Paid or credited already, integer minor units (BT-113). */
  prepaid: number;
}

/** The library's format name for each setting, and the XML's customization where it differs. */
export const LIBRARY_FORMATS: Record<EInvoiceSource['format'], string> = {
  'factur-x-en16931': 'Factur-X-EN16931',
  'xrechnung-cii': 'XRECHNUNG-CII',
  'xrechnung-ubl': 'XRECHNUNG-UBL',
  'peppol-ubl': 'UBL',
};
const PEPPOL_CUSTOMIZATION =
  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
const PEPPOL_PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

/** UN/ECE Recommendation 20 "one" (C62): the unit of a unit price. */
const UNIT_CODE = 'C62';

type Data = Record<string, unknown>;

/** The invoice data @e-invoice-eu/core generates the XML (and Factur-X) from. */
export function eInvoiceData(source: EInvoiceSource): { 'ubl:Invoice': Data } {
  const t = translatorFor(source.locale);
  const { currency } = source;
  const amount = (minor: number) => toMajorUnitString(money(minor, currency));
  const date = (iso: string) => DateTime.fromISO(iso, { zone: source.timezone }).toISODate()!;
  const lineTotal = source.lines.reduce((sum, line) => sum + line.amount, 0);
  const allowances = allowancesByCategory(source.lines);
  const allowanceTotal = allowances.reduce((sum, a) => sum + a.amount, 0);
  const taxExclusive = lineTotal - allowanceTotal;
  const taxTotal = source.taxes.reduce((sum, tax) => sum + tax.taxAmount, 0);
  const taxInclusive = taxExclusive + taxTotal;
  const outsideVat = source.taxes.some((tax) => tax.category.code === 'O');
  const taxCategory = (category: VatCategory, withReason: boolean): Data => ({
    'cbc:ID': category.code,
    ...(category.code === 'O' ? {} : { 'cbc:Percent': category.percent }),
    ...(withReason ? exemption(category.code, t) : {}),
    'cac:TaxScheme': { 'cbc:ID': 'VAT' },
  });
  const peppol = source.format === 'peppol-ubl';
  return {
    'ubl:Invoice': {
      ...(peppol
        ? { 'cbc:CustomizationID': PEPPOL_CUSTOMIZATION, 'cbc:ProfileID': PEPPOL_PROFILE }
        : {}),
      'cbc:ID': source.number,
      'cbc:IssueDate': date(source.issuedAt),
      ...(source.kind === 'invoice' && source.dueAt ? { 'cbc:DueDate': date(source.dueAt) } : {}),
      'cbc:InvoiceTypeCode': source.kind === 'invoice' ? '380' : '381',
      ...(source.note ? { 'cbc:Note': [source.note] } : {}),
      'cbc:DocumentCurrencyCode': currency,
      'cbc:BuyerReference': source.buyerReference,
      ...(source.precedingInvoice
        ? {
            'cac:BillingReference': [
              {
                'cac:InvoiceDocumentReference': {
                  'cbc:ID': source.precedingInvoice.number,
                  'cbc:IssueDate': date(source.precedingInvoice.issuedAt),
                },
              },
            ],
          }
        : {}),
      'cac:AccountingSupplierParty': { 'cac:Party': sellerParty(source.seller, outsideVat) },
      'cac:AccountingCustomerParty': { 'cac:Party': buyerParty(source.buyer, outsideVat) },
      // The supply date (BT-72): CII's schema requires the delivery block in any case.
      'cac:Delivery': { 'cbc:ActualDeliveryDate': date(source.issuedAt) },
      ...(source.seller.iban
        ? {
            'cac:PaymentMeans': [
              {
                'cbc:PaymentMeansCode': '58',
                'cbc:PaymentID': source.number,
                'cac:PayeeFinancialAccount': {
                  'cbc:ID': source.seller.iban,
                  'cbc:Name': source.seller.legalName,
                  ...(source.seller.bic
                    ? { 'cac:FinancialInstitutionBranch': { 'cbc:ID': source.seller.bic } }
                    : {}),
                },
              },
            ],
          }
        : {}),
      ...paymentTerms(source, t),
      ...(allowances.length > 0
        ? {
            'cac:AllowanceCharge': allowances.map((allowance) => ({
              'cbc:ChargeIndicator': 'false',
              'cbc:AllowanceChargeReasonCode': '95',
              'cbc:AllowanceChargeReason': t('e-invoices.discount'),
              'cbc:Amount': amount(allowance.amount),
              'cbc:Amount@currencyID': currency,
              'cac:TaxCategory': taxCategory(allowance.category, false),
            })),
          }
        : {}),
      'cac:TaxTotal': [
        {
          'cbc:TaxAmount': amount(taxTotal),
          'cbc:TaxAmount@currencyID': currency,
          'cac:TaxSubtotal': source.taxes.map((tax) => ({
            'cbc:TaxableAmount': amount(tax.taxableAmount),
            'cbc:TaxableAmount@currencyID': currency,
            'cbc:TaxAmount': amount(tax.taxAmount),
            'cbc:TaxAmount@currencyID': currency,
            'cac:TaxCategory': taxCategory(tax.category, true),
          })),
        },
      ],
      'cac:LegalMonetaryTotal': {
        'cbc:LineExtensionAmount': amount(lineTotal),
        'cbc:LineExtensionAmount@currencyID': currency,
        'cbc:TaxExclusiveAmount': amount(taxExclusive),
        'cbc:TaxExclusiveAmount@currencyID': currency,
        'cbc:TaxInclusiveAmount': amount(taxInclusive),
        'cbc:TaxInclusiveAmount@currencyID': currency,
        ...(allowanceTotal > 0
          ? {
              'cbc:AllowanceTotalAmount': amount(allowanceTotal),
              'cbc:AllowanceTotalAmount@currencyID': currency,
            }
          : {}),
        ...(source.prepaid > 0
          ? {
              'cbc:PrepaidAmount': amount(source.prepaid),
              'cbc:PrepaidAmount@currencyID': currency,
            }
          : {}),
        'cbc:PayableAmount': amount(taxInclusive - source.prepaid),
        'cbc:PayableAmount@currencyID': currency,
      },
      'cac:InvoiceLine': source.lines.map((line, index) => ({
        'cbc:ID': String(index + 1),
        'cbc:InvoicedQuantity': line.quantity,
        'cbc:InvoicedQuantity@unitCode': UNIT_CODE,
        'cbc:LineExtensionAmount': amount(line.amount),
        'cbc:LineExtensionAmount@currencyID': currency,
        ...(line.periodStart && line.periodEnd
          ? {
              'cac:InvoicePeriod': {
                'cbc:StartDate': date(line.periodStart),
                // EN 16931 periods end on their last day; ours end at the next period's start.
                'cbc:EndDate': DateTime.fromISO(line.periodEnd, { zone: source.timezone })
                  .minus({ milliseconds: 1 })
                  .toISODate()!,
              },
            }
          : {}),
        'cac:Item': {
          'cbc:Name': line.name,
          'cac:ClassifiedTaxCategory': taxCategory(line.category, false),
        },
        'cac:Price': linePrice(line, currency),
      })),
    },
  };
}

/** BT-20: an invoice's terms ("due within 30 days"), a credit note's settlement. */
function paymentTerms(source: EInvoiceSource, t: ReturnType<typeof translatorFor>): Data {
  const note =
    source.kind === 'invoice'
      ? source.paymentTermsDays !== undefined &&
        t('e-invoices.paymentTerms', { days: source.paymentTermsDays })
      : source.settlement && t(`e-invoices.settlement.${source.settlement}`);
  return note ? { 'cac:PaymentTerms': { 'cbc:Note': note } } : {};
}

/** One document-level allowance per VAT category: what discounts took off its lines. */
function allowancesByCategory(lines: EInvoiceLine[]): { category: VatCategory; amount: number }[] {
  const byKey = new Map<string, { category: VatCategory; amount: number }>();
  for (const line of lines) {
    if (line.discount === 0) continue;
    const key = `${line.category.code}/${line.category.percent}`;
    const entry = byKey.get(key) ?? { category: line.category, amount: 0 };
    entry.amount += line.discount;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/**
 * The line's price (BT-146), exact: the unit price when quantity × price is the line's amount,
 * else the line's amount for its whole quantity as the base quantity (BT-149), so the price
 * times the quantity is always the amount (tiers, proration, caps).
 */
function linePrice(line: EInvoiceLine, currency: string): Data {
  const exponent = minorUnitExponent(currency);
  const major = (minor: DecimalString) => toDecimalString(shift(decimal(minor), -exponent));
  const quantity = decimal(line.quantity);
  if (line.unitAmount !== undefined && quantity.times(line.unitAmount).eq(line.amount)) {
    return { 'cbc:PriceAmount': major(line.unitAmount), 'cbc:PriceAmount@currencyID': currency };
  }
  if (quantity.eq(0)) {
    return {
      'cbc:PriceAmount': major(String(line.amount)),
      'cbc:PriceAmount@currencyID': currency,
    };
  }
  return {
    'cbc:PriceAmount': major(String(line.amount)),
    'cbc:PriceAmount@currencyID': currency,
    'cbc:BaseQuantity': line.quantity,
    'cbc:BaseQuantity@unitCode': UNIT_CODE,
  };
}

/** The exemption reason code (VATEX) and text EN 16931 asks of untaxed categories. */
function exemption(code: VatCategoryCode, t: ReturnType<typeof translatorFor>): Data {
  switch (code) {
    case 'AE':
      return {
        'cbc:TaxExemptionReasonCode': 'VATEX-EU-AE',
        'cbc:TaxExemptionReason': t('e-invoices.exemption.reverseCharge'),
      };
    case 'K':
      return { 'cbc:TaxExemptionReasonCode': 'VATEX-EU-IC' };
    case 'E':
      return { 'cbc:TaxExemptionReason': t('e-invoices.exemption.exempt') };
    case 'O':
      return {
        'cbc:TaxExemptionReasonCode': 'VATEX-EU-O',
        'cbc:TaxExemptionReason': t('e-invoices.exemption.outsideScope'),
      };
    default:
      return {};
  }
}
