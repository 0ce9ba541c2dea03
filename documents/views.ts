// What invoice templates render: plain, serialisable data with no behaviour. Amounts are integer
// minor units of the invoice currency and instants are ISO 8601; formatting for people happens
// in the templates (money, date and period helpers), in the customer's locale and time zone.

/** Who issues the invoice: the legal entity, as it must appear on the document. */
export interface SellerDetails {
  legalName: string;
  /** Postal address, one line per entry, in display order. */
  addressLines: string[];
  /** VAT / GST / EIN number, when the seller has one. */
  taxId?: string;
  /** Where customers reach a person about billing. */
  email: string;
  /** How to pay by hand (bank transfer details, cheques); may span several lines. */
  paymentInstructions?: string;
}

/** How documents look: the product customers know, not the legal entity. */
export interface Brand {
  productName: string;
  /** https: URL or data: URI of an image; a data URI keeps PDF rendering offline. */
  logoUrl?: string;
  /** CSS hex colour, e.g. "#4f46e5". */
  accentColor: string;
}

export interface InvoiceCustomerView {
  name: string;
  email: string;
  /** BCP 47 tag that formats amounts and dates, e.g. "fr-FR". */
  locale: string;
  /** IANA zone dates are shown in, e.g. "Europe/Paris". */
  timezone: string;
}

export interface InvoiceSummaryView {
  id: string;
  number: string;
  /** e.g. "draft", "open", "paid", "void". */
  status: string;
  /** ISO 4217 code; every amount on the invoice is in this currency. */
  currency: string;
  issuedAt: string;
  dueAt: string;
  /** Inclusive start of the billed period. */
  periodStart?: string;
  /** Exclusive end of the billed period (the next period's start). */
  periodEnd?: string;
  subtotal: number;
  tax: number;
  total: number;
  /** Tax rate in basis points (2000 = 20 %), shown beside the tax line when known. */
  taxRateBasisPoints?: number;
}

export interface InvoiceLineView {
  description: string;
  quantity: number;
  unitAmount: number;
  amount: number;
  periodStart?: string;
  periodEnd?: string;
}

export interface InvoiceView {
  seller: SellerDetails;
  brand: Brand;
  customer: InvoiceCustomerView;
  invoice: InvoiceSummaryView;
  lines: InvoiceLineView[];
  /** Where the customer can view and pay the invoice online. */
  hostedUrl?: string;
}

/** What the estimate template renders: a priced period with the arithmetic shown. */
export interface EstimateView {
  seller: SellerDetails;
  brand: Brand;
  /** Locale and zone the numbers and dates are shown in; the name when the customer is known. */
  customer: { name?: string; locale: string; timezone: string };
  estimate: {
    id: string;
    planName: string;
    currency: string;
    createdAt: string;
    periodStart: string;
    periodEnd: string;
    subtotal: number;
    discountTotal: number;
    totalBeforeTax: number;
    /** Tax included when computed; otherwise the total before tax. */
    total: number;
  };
  lines: { description: string; quantity: string; amount: number; explanation: string[] }[];
  discounts: { description: string; amount: number; explanation: string[] }[];
  /** Present when the customer was known: tax by rate, and the legal mentions. */
  tax: { lines: { label: string; amount: number }[]; inclusive: boolean; notes: string[] } | null;
}
