// What invoice templates render: plain, serialisable data with no behaviour. Amounts are integer
// minor units of the invoice currency and instants are ISO 8601; formatting for people happens
// in the templates (money, date and period helpers), in the customer's locale and time zone.
import type { DecimalString } from '../domain/core/decimal.ts';
import type { LineArithmetic } from '../domain/invoicing/line-arithmetic.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';

/** How documents look: the product customers know, not the legal entity. */
export interface Brand {
  productName: string;
  /** https: URL or data: URI of an image; a data URI keeps PDF rendering offline. */
  logoUrl?: string;
  /** CSS hex colour, e.g. "#4f46e5". */
  accentColor: string;
  /** The design documents are rendered in unless the customer chose one (documents/designs.ts). */
  documentDesign?: string;
}

/** How a line is taxed, shown in its own column: "20 %", or its treatment when untaxed. */
export interface LineTaxView {
  /** The tax engine's treatment: "taxable", "reverse_charge", "exempt_customer", … */
  treatment: string;
  /** The rate in percent as an exact decimal string ("20", "9.975"); "0" when untaxed. */
  ratePercent: string;
}

export interface InvoiceCustomerView {
  name: string;
  email: string;
  /** BCP 47 tag that formats amounts and dates, e.g. "fr-FR". */
  locale: string;
  /** IANA zone dates are shown in, e.g. "Europe/Paris". */
  timezone: string;
  /** Postal address without the country, one line per entry, printed under the name. */
  addressLines?: string[];
  /** ISO 3166-1 alpha-2 code, written out in the document's language ("Deutschland"). */
  country?: string;
  /** The customer's VAT / GST number, printed when known (required for a reverse charge). */
  vatNumber?: string;
  /** Reference of the customer's tax exemption (certificate number), printed when exempt. */
  taxExemptReference?: string;
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
  /** Discounts taken off the subtotal before tax (positive minor units), when any. */
  discount?: number;
  /** The part of `discount` that is promotional wallet credit, shown on its own row. */
  promotionalCredit?: number;
  /** `discount` less the promotional credit (coupons), when promotional credit is shown. */
  otherDiscount?: number;
  /** What purchased wallet credit paid of the total, after tax (part of amountPaid). */
  prepaidCreditPaid?: number;
  /** Paid so far, when a payment has been recorded. */
  amountPaid?: number;
  /** What is still owed (total less payments and credit notes), once finalized. */
  amountDue?: number;
  /** True on an interim invoice: the period's usage reached its billing threshold. */
  interim?: boolean;
}

export interface InvoiceLineView {
  description: string;
  /** Units billed, an exact decimal string: "1", "1200", "12.5". */
  quantity: DecimalString;
  /**
   * Exact minor units per unit, possibly finer than the currency ("0.06" is €0.0006); absent
   * when no single price makes the line (tiers: see arithmetic.components).
   */
  unitAmount?: DecimalString;
  /** The line's amount, rounded once (integer minor units). */
  amount: number;
  periodStart?: string;
  periodEnd?: string;
  /**
   * How the amount was reached, for rated lines: used quantity and free units, the priced parts
   * (exact minor units, before proration and cap), the proration and the cap.
   */
  arithmetic?: LineArithmetic;
  /** The line's tax rate or treatment, once the invoice is taxed. */
  tax?: LineTaxView;
}

/** The design a document was issued with (the customer's choice); else the brand's default. */
interface Designed {
  documentDesign?: string;
}

export interface InvoiceView extends Designed {
  seller: SellerDetails;
  brand: Brand;
  customer: InvoiceCustomerView;
  invoice: InvoiceSummaryView;
  lines: InvoiceLineView[];
  /** Where the customer can view and pay the invoice online. */
  hostedUrl?: string;
  /** Tax per (jurisdiction, tax, rate), printed under the subtotal instead of the single tax line. */
  taxBreakdown?: TaxBreakdownLineView[];
  /** Legal mentions printed under the totals, e.g. the reverse-charge wording. */
  taxNotes?: string[];
}

/** One row of a document's tax summary: "VAT 20 % (FR) on €49.00: €9.80". */
export interface TaxBreakdownLineView {
  /** Printed tax name: "VAT", "GST", "Sales tax"; absent on untaxed rows (reverse charge, exempt). */
  name?: string;
  /** Where the tax is levied: "FR", "CA-QC", "US-NY". */
  jurisdiction: string;
  /** The rate in percent as an exact decimal string, as the tax engine gives it: "20", "9.975". */
  ratePercent: string;
  taxableAmount: number;
  taxAmount: number;
}

/** What the estimate template renders: a priced period with the arithmetic shown. */
export interface EstimateView extends Designed {
  seller: SellerDetails;
  brand: Brand;
  /** Locale and zone the numbers and dates are shown in; name and country when known. */
  customer: { name?: string; country?: string; locale: string; timezone: string };
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
  lines: {
    description: string;
    quantity: string;
    amount: number;
    explanation: string[];
    /** The line's tax rate or treatment, when the customer is known and the estimate taxed. */
    tax?: LineTaxView;
  }[];
  discounts: { description: string; amount: number; explanation: string[] }[];
  /** Present when the customer was known: tax by rate, and the legal mentions. */
  tax: { lines: { label: string; amount: number }[]; inclusive: boolean; notes: string[] } | null;
  /** Present when the estimate was issued as a quote: the document is then that quote. */
  quote?: QuoteDocumentView;
}

/** A quote's own facts on its document: number, validity, terms and where it stands. */
export interface QuoteDocumentView {
  number: string;
  issuedAt: string;
  validUntil: string;
  terms: string | null;
  status: 'open' | 'accepted' | 'declined' | 'expired';
  accepted?: { at: string; name: string; title: string | null };
  declined?: { at: string; reason: string };
  expiredAt?: string;
  /** The signed acceptance page, in the quote's email. */
  hostedUrl?: string;
}

/** A credit note: what was credited against an invoice, and why. */
export interface CreditNoteView extends Designed {
  seller: SellerDetails;
  brand: Brand;
  customer: InvoiceCustomerView;
  creditNote: {
    id: string;
    number: string;
    /** ISO 4217 code; every amount on the credit note is in this currency. */
    currency: string;
    issuedAt: string;
    /** Why, in words the customer understands ("Duplicate charge for March"). */
    reason: string;
    /** Number of the invoice it credits. */
    invoiceNumber: string;
    subtotal: number;
    tax: number;
    total: number;
    /**
     * What happens to the money: refunded to the payment method, taken off what the invoice
     * still owes, or kept as a balance for the next invoices.
     */
    settlement: 'refund' | 'invoice' | 'balance';
  };
  lines: InvoiceLineView[];
  taxBreakdown?: TaxBreakdownLineView[];
  taxNotes?: string[];
  /** The credit note's own page (a signed link; its PDF at …/pdf). */
  hostedUrl?: string;
}

/** A payment received against an invoice. */
export interface ReceiptView extends Designed {
  seller: SellerDetails;
  brand: Brand;
  customer: InvoiceCustomerView;
  /** The invoice paid; amounts in its currency. */
  invoice: InvoiceSummaryView;
  lines: InvoiceLineView[];
  payment: {
    id: string;
    amount: number;
    paidAt: string;
    /** How it was paid, as the customer recognises it: "Visa ending 4242", "Bank transfer". */
    method?: string;
  };
  /** All payments on the invoice so far, this one included. */
  amountPaid: number;
  /** What the invoice still owes after this payment (0 when paid in full). */
  remainingBalance: number;
  /** The part of this payment above what was owed, kept as credit for the next invoice. */
  creditCarried?: number;
  /** The invoice's page, where the rest can be paid. */
  hostedUrl?: string;
  /** The receipt's own page (a signed link; its PDF at …/pdf). */
  receiptUrl?: string;
}

/**
 * How a payment reminder speaks, step by step of dunning: a friendly heads-up before the due
 * date, a warm nudge just after, a clearer one later, a final notice last.
 */
export const REMINDER_TONES = ['before_due', 'gentle', 'firm', 'final_notice'] as const;
export type ReminderTone = (typeof REMINDER_TONES)[number];

/** A reminder that an invoice is (soon) due. */
export interface ReminderView {
  seller: SellerDetails;
  brand: Brand;
  customer: InvoiceCustomerView;
  invoice: InvoiceSummaryView;
  tone: ReminderTone;
  /** What is still owed (may be less than the total after a partial payment). */
  amountDue: number;
  /** Received so far (a partial payment); the reminder thanks for it. */
  amountPaid?: number;
  /** Overdue reminders: this one's number and how many the policy sends. */
  reminderNumber?: number;
  reminderCount?: number;
  /** Whole days since the due date. */
  daysOverdue?: number;
  /** Where the customer pays online; reminders fall back on the payment instructions. */
  hostedUrl?: string;
  /** Final notice only: what happens next and when, e.g. "your workspace is suspended on 12 March". */
  consequence?: string;
}

/** The customer portal's magic-link email: who it is for and the link, valid for some minutes. */
export interface PortalLinkView {
  seller: SellerDetails;
  brand: Brand;
  customer: { name: string; locale: string; timezone: string };
  /** The signed, single-use sign-in link. */
  portalUrl: string;
  /** Minutes until the link expires. */
  validMinutes: number;
}
