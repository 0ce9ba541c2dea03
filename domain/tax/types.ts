// The shapes of the tax stage: who sells, who buys, what is taxed, and what comes back. Pure
// JSON-serialisable data, so a request and its result can travel through workflow history.
// Order of operations: charges → discounts → TAX (here, on RatedPeriod.netLines) → credits.
import type { TaxBehavior } from '../catalog/types.ts';
import type { DecimalString, RoundingMode } from '../core/decimal.ts';
import type { Money } from '../core/money.ts';

export const CUSTOMER_TYPES = ['business', 'individual'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

export interface TaxAddress {
  /** ISO 3166-1 alpha-2, upper case: "DE", "GR" (not "EL"), "GB", "US". */
  country: string;
  /**
   * Subdivision code without the country prefix, required where it decides the tax: a US state
   * ("NY"), a Canadian province or territory ("QC"), an Indian state or union territory ("KA",
   * ISO 3166-2:IN). Ignored elsewhere.
   */
  region?: string;
  postalCode?: string;
}

/** The taxable party: the customer the invoice is addressed to. */
export interface TaxCustomer {
  address: TaxAddress;
  /**
   * The customer's tax registration number: an EU or UK VAT number WITH its country prefix
   * ("DE123456789", "EL…" for Greece, "GB…"), an Australian ABN, a New Zealand GST number, a
   * Canadian business number, an Indian GSTIN. Its presence (well formed) on a business customer
   * is what makes a cross-border supply reverse charged.
   */
  vatNumber?: string;
  customerType: CustomerType;
  /** A customer exempt from tax (exemption certificate, diplomatic status, …). */
  exempt?: { reference: string };
}

/**
 * The seller's tax registrations: where it collects tax. A regime without a registration is
 * one where the seller does not collect (the line says so), never one where tax is guessed.
 */
export interface TaxRegistrations {
  /**
   * EU VAT. For a seller established in the EU: its VAT number there; `oss: true` when it
   * declares B2C supplies to other member states through the One-Stop Shop (destination VAT),
   * `false` while under the €10,000 EU-wide threshold (its own country's VAT, Art. 59c).
   * For a seller outside the EU: its non-Union OSS number ("EU" + 9 digits); `oss` is ignored.
   */
  eu?: { vatNumber: string; oss: boolean };
  /** UK VAT ("GB" + 9 or 12 digits). */
  gb?: { vatNumber: string };
  /**
   * Canada: GST/HST registration (business number, "123456789RT0001"); QST registration
   * (Quebec); the provinces where the seller is registered for PST/RST (BC, MB, SK).
   */
  ca?: { gstHstNumber: string; qstNumber?: string; pstProvinces?: string[] };
  /** Australia GST (ABN, or ARN under the simplified regime). */
  au?: { gstNumber: string };
  /** New Zealand GST. */
  nz?: { gstNumber: string };
  /**
   * India GST: a seller in India gives its GSTIN and the state (ISO 3166-2:IN) it is registered
   * in; a seller outside India its OIDAR registration (state not needed).
   */
  in?: { gstin: string; state?: string };
  /** United States: the states (two-letter codes, "DC" included) where the seller has nexus. */
  us?: { nexusStates: string[] };
}

export interface TaxSeller {
  /** Where the seller is established: ISO 3166-1 alpha-2. */
  country: string;
  /** Subdivision, same convention as the customer's address.region. */
  region?: string;
  registrations: TaxRegistrations;
}

export const TAX_CATEGORIES = ['standard', 'ebook', 'exempt'] as const;
/**
 * What is sold, for tax. Deliberately small:
 * - standard: electronically supplied services, SaaS, subscriptions (the default);
 * - ebook: electronically supplied books (reduced rates in many EU states, 0 % in the UK);
 * - exempt: a supply exempt by law that the seller has qualified itself (no tax anywhere).
 */
export type TaxCategory = (typeof TAX_CATEGORIES)[number];

export const TAX_NAMES = [
  'VAT',
  'GST',
  'HST',
  'PST',
  'QST',
  'CGST',
  'SGST',
  'UTGST',
  'IGST',
  'Sales tax',
] as const;
export type TaxName = (typeof TAX_NAMES)[number];

export const ROUNDING_LEVELS = ['per_line', 'per_rate'] as const;
/**
 * per_line: each line's tax is rounded on its own. per_rate: the tax of each rate is rounded
 * once over the whole invoice, then allocated back to the lines (largest remainder).
 */
export type RoundingLevel = (typeof ROUNDING_LEVELS)[number];

export interface TaxRounding {
  level: RoundingLevel;
  mode: RoundingMode;
}

/** A line to tax: RatedPeriod.netLines plus the product's tax category. */
export interface TaxLine {
  lineId: string;
  /**
   * The line's amount after discounts, never negative: net of tax when the price basis is
   * `exclusive`, tax included (gross) when it is `inclusive`.
   */
  amount: Money;
  category: TaxCategory;
}

export interface TaxRequest {
  seller: TaxSeller;
  customer: TaxCustomer;
  currency: string;
  lines: TaxLine[];
  /**
   * When the supply takes place, which decides the rate: an ISO date ("2025-07-01") or an
   * instant with its offset ("2025-07-01T00:00:00+03:00"). The calendar date AS WRITTEN is the
   * tax date, so pass the instant in the zone whose date counts (the customer's).
   */
  supplyDate: string;
  /** The plan's price basis. */
  taxBehavior: TaxBehavior;
  rounding: TaxRounding;
}

export const TAX_TREATMENTS = [
  'taxable',
  'reverse_charge',
  'exempt_customer',
  'exempt_product',
  'outside_scope',
  'not_registered',
  'no_nexus',
  'not_taxable',
] as const;
/**
 * Why a line carries the tax it does:
 * - taxable: the components apply (a 0 % component is a zero-rated supply, e.g. UK e-books);
 * - reverse_charge: cross-border B2B, the customer accounts for the tax;
 * - exempt_customer / exempt_product: exempt (reference / supply);
 * - outside_scope: the place of supply is outside every regime the seller belongs to;
 * - not_registered: the seller does not collect in the customer's regime;
 * - no_nexus: US, no nexus in the customer's state;
 * - not_taxable: US, the state does not tax this (or has no sales tax).
 */
export type TaxTreatment = (typeof TAX_TREATMENTS)[number];

/** One tax on one line. */
export interface TaxComponent {
  /** "DE", "GB", "CA" (GST), "CA-ON" (HST), "CA-QC" (QST), "IN", "IN-KA" (SGST), "US-NY". */
  jurisdiction: string;
  taxName: TaxName;
  /** Percent, exact decimal string: "19", "9.975", "25.5". */
  rate: DecimalString;
  /** The line's net amount. */
  taxableAmount: Money;
  taxAmount: Money;
}

export interface TaxedLine {
  lineId: string;
  category: TaxCategory;
  treatment: TaxTreatment;
  /** Where the line is taxed (or would be): the place of supply, e.g. "FR", "CA-QC", "US-TX". */
  jurisdiction: string;
  netAmount: Money;
  taxAmount: Money;
  grossAmount: Money;
  /** The taxes levied; empty unless treatment is 'taxable'. */
  components: TaxComponent[];
}

/**
 * One row of the invoice's tax summary. For treatment 'taxable': one per (jurisdiction, tax,
 * rate). For the other treatments: one per (treatment, jurisdiction), taxName null, rate "0".
 */
export interface TaxBreakdownEntry {
  treatment: TaxTreatment;
  jurisdiction: string;
  taxName: TaxName | null;
  rate: DecimalString;
  taxableAmount: Money;
  taxAmount: Money;
}

export const TAX_NOTE_CODES = [
  'reverse_charge',
  'exempt_customer',
  'exempt_product',
  'outside_scope',
  'not_registered',
  'no_nexus',
  'not_taxable',
] as const;
export type TaxNoteCode = (typeof TAX_NOTE_CODES)[number];

/**
 * The legal mentions, each worded by law or practice for its regime: the document layer prints
 * one in the document's language from the catalogue (i18n/messages/<lang>/tax.json, key
 * "tax.mention.<mention>"), so the tax engine stays free of words.
 */
export const TAX_MENTIONS = [
  'eu_reverse_charge',
  'gb_reverse_charge',
  'ca_reverse_charge',
  'au_reverse_charge',
  'nz_reverse_charge',
  'in_reverse_charge',
  'exempt_product',
  'exempt_customer',
  'eu_outside_scope',
  'gb_outside_scope',
  'outside_scope',
  'not_registered',
  'no_nexus',
  'not_taxable',
] as const;
export type TaxMention = (typeof TAX_MENTIONS)[number];

/**
 * What a mention names besides its wording: reference (exempt_customer), country and
 * sellerCountry (outside_scope), tax and place (not_registered), state (no_nexus), reason
 * (not_taxable, from the rates table).
 */
export type TaxMentionParams = Readonly<Record<string, string>>;

/** A mention the invoice must (or should) print, with the lines it concerns. */
export interface TaxNote {
  code: TaxNoteCode;
  mention: TaxMention;
  params: TaxMentionParams;
  lineIds: string[];
}

export interface TaxTotals {
  net: Money;
  tax: Money;
  gross: Money;
}

export interface TaxResult {
  /** The provider that calculated it, e.g. "built-in". */
  provider: string;
  currency: string;
  /** The date the rates were taken at (YYYY-MM-DD). */
  taxDate: string;
  taxBehavior: TaxBehavior;
  rounding: TaxRounding;
  lines: TaxedLine[];
  breakdown: TaxBreakdownEntry[];
  totals: TaxTotals;
  notes: TaxNote[];
}

/** A dated rate of the rates table. */
export interface TaxRate {
  /** "FI", "GB", "CA" (GST), "CA-ON" (HST), "CA-BC" (PST), "IN" (all Indian GST), "US-NY". */
  jurisdiction: string;
  taxName: TaxName;
  category: Exclude<TaxCategory, 'exempt'>;
  /** Percent, exact decimal string. */
  rate: DecimalString;
  /** First day in force (YYYY-MM-DD). */
  effectiveFrom: string;
  /** First day NO LONGER in force (exclusive); absent while in force. */
  effectiveTo?: string;
  /** The official page or legal reference. */
  source: string;
}

/** Whether a US state taxes a category at state level (dated like rates). */
export interface UsTaxability {
  /** Two-letter state code. */
  state: string;
  category: Exclude<TaxCategory, 'exempt'>;
  taxable: boolean;
  /** Why not, when not taxable: printed in the invoice note. */
  reason?: string;
  effectiveFrom: string;
  effectiveTo?: string;
  source: string;
}

export interface TaxRateTable {
  rates: readonly TaxRate[];
  usTaxability: readonly UsTaxability[];
}
