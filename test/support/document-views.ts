// A multi-line, multi-rate invoice in three currencies (0, 2 and 3 decimals) and the credit
// note, receipt and reminders that follow it, for the document and email tests; and an invoice
// of rated lines that shows their arithmetic (tiers, free units, proration, a cap).
import { sampleArithmetic } from './sample-invoice.ts';
import type {
  CreditNoteView,
  InvoiceCustomerView,
  InvoiceView,
  ReceiptView,
  ReminderTone,
  ReminderView,
} from '../../documents/views.ts';
import type { SellerDetails } from '../../domain/invoicing/seller.ts';

export const seller: SellerDetails = {
  legalName: 'Billwright SAS',
  addressLines: ['12 rue de la Paix', '75002 Paris', 'France'],
  taxId: 'FR12345678901',
  email: 'billing@billwright.example',
  paymentInstructions: 'IBAN FR76 3000 6000 0112 3456 7890 189\nBIC AGRIFRPP',
};

const brand = { productName: 'Billwright Cloud', accentColor: '#4f46e5' };

export type Currency = 'EUR' | 'JPY' | 'BHD';

/** Per currency: the amounts of three lines (two at 20 %, one at 5.5 %), in minor units. */
const AMOUNTS: Record<Currency, { plan: number; seats: number; ebook: number; unit: number }> = {
  EUR: { plan: 4900, seats: 3000, ebook: 1000, unit: 1000 },
  JPY: { plan: 4900, seats: 3000, ebook: 1000, unit: 1000 },
  BHD: { plan: 12345, seats: 1500, ebook: 1000, unit: 500 },
};

export function customer(locale: string, timezone = 'Europe/Paris'): InvoiceCustomerView {
  return {
    name: 'Amélie Durand',
    email: 'amelie@example.fr',
    locale,
    timezone,
    addressLines: ['8 quai des Chartrons', '33000 Bordeaux', 'France'],
    vatNumber: 'FR98765432109',
  };
}

/**
 * Rated EUR lines, one of each kind of arithmetic: a plan started on day 10 of a 28-day month
 * (19/28 of €49.00), calls capped at €8.00, SMS at €0.045 after 50 free, graduated storage.
 */
export function usageInvoice(locale: string): InvoiceView {
  const lines: InvoiceView['lines'] = [
    {
      description: 'Pro plan',
      quantity: '1',
      unitAmount: '4900',
      amount: 3325, // 4900 × 19/28
      arithmetic: sampleArithmetic({
        billing: 'advance',
        components: [{ label: 'flat', quantity: null, unitPrice: null, amount: '4900' }],
        proration: { numerator: 19, denominator: 28 },
      }),
    },
    {
      description: 'API calls',
      quantity: '1200',
      unitAmount: '1',
      amount: 800,
      arithmetic: sampleArithmetic({
        usedQuantity: '1200',
        components: [{ label: 'per unit', quantity: '1200', unitPrice: '1', amount: '1200' }],
        cappedAt: '800',
      }),
    },
    {
      description: 'SMS',
      quantity: '210',
      unitAmount: '4.5',
      amount: 945,
      arithmetic: sampleArithmetic({
        usedQuantity: '260',
        freeUnits: '50',
        components: [{ label: 'per unit', quantity: '210', unitPrice: '4.5', amount: '945' }],
      }),
    },
    {
      description: 'Storage',
      quantity: '12.5',
      amount: 1350,
      arithmetic: sampleArithmetic({
        usedQuantity: '12.5',
        components: [
          { label: 'first 10 GB', quantity: '10', unitPrice: '100', amount: '1000' },
          { label: 'above 10 GB', quantity: '2.5', unitPrice: '80', amount: '200' },
          { label: 'flat fee (tier 2)', quantity: null, unitPrice: null, amount: '150' },
        ],
      }),
    },
  ];
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const tax = Math.round(subtotal * 0.2);
  const view = multiRateInvoice('EUR', locale);
  return {
    ...view,
    invoice: { ...view.invoice, id: 'inv_usage', subtotal, tax, total: subtotal + tax },
    lines,
    taxBreakdown: [
      {
        name: 'VAT',
        jurisdiction: 'FR',
        ratePercent: '20',
        taxableAmount: subtotal,
        taxAmount: tax,
      },
    ],
    taxNotes: [],
  };
}

/** Issued 1 January 2027 00:30 in Paris, due 31 January, for December 2026. */
export function multiRateInvoice(currency: Currency, locale: string): InvoiceView {
  const a = AMOUNTS[currency];
  const standard = a.plan + a.seats;
  const standardTax = Math.round(standard * 0.2);
  const reducedTax = Math.round(a.ebook * 0.055);
  const subtotal = standard + a.ebook;
  const tax = standardTax + reducedTax;
  return {
    seller,
    brand,
    customer: customer(locale),
    invoice: {
      id: `inv_${currency.toLowerCase()}`,
      number: 'INV-2027-000001',
      status: 'open',
      currency,
      issuedAt: '2026-12-31T23:30:00Z',
      dueAt: '2027-01-30T23:00:00Z',
      periodStart: '2026-11-30T23:00:00Z',
      periodEnd: '2026-12-31T23:00:00Z',
      subtotal,
      tax,
      total: subtotal + tax,
    },
    lines: [
      {
        description: 'Pro plan',
        quantity: '1',
        unitAmount: String(a.plan),
        amount: a.plan,
        periodStart: '2026-11-30T23:00:00Z',
        periodEnd: '2026-12-31T23:00:00Z',
      },
      { description: 'Extra seats', quantity: '3', unitAmount: String(a.unit), amount: a.seats },
      {
        description: 'Billing handbook (e-book)',
        quantity: '1',
        unitAmount: String(a.ebook),
        amount: a.ebook,
      },
    ],
    taxBreakdown: [
      {
        name: 'VAT',
        jurisdiction: 'FR',
        ratePercent: '20',
        taxableAmount: standard,
        taxAmount: standardTax,
      },
      {
        name: 'VAT',
        jurisdiction: 'FR',
        ratePercent: '5.5',
        taxableAmount: a.ebook,
        taxAmount: reducedTax,
      },
    ],
    taxNotes: ['E-books are taxed at the reduced rate (CGI art. 278-0 bis).'],
    hostedUrl: 'https://billing.billwright.example/i/inv_tok',
  };
}

export function creditNote(
  currency: Currency,
  locale: string,
  settlement: CreditNoteView['creditNote']['settlement'] = 'refund',
): CreditNoteView {
  const a = AMOUNTS[currency];
  const tax = Math.round(a.seats * 0.2);
  return {
    seller,
    brand,
    customer: customer(locale),
    creditNote: {
      id: `cn_${currency.toLowerCase()}`,
      number: 'CN-2027-000004',
      currency,
      issuedAt: '2027-01-10T10:00:00Z',
      reason: 'Three seats were billed twice in December.',
      invoiceNumber: 'INV-2027-000001',
      subtotal: a.seats,
      tax,
      total: a.seats + tax,
      settlement,
    },
    lines: [
      { description: 'Extra seats', quantity: '3', unitAmount: String(a.unit), amount: a.seats },
    ],
    taxBreakdown: [
      {
        name: 'VAT',
        jurisdiction: 'FR',
        ratePercent: '20',
        taxableAmount: a.seats,
        taxAmount: tax,
      },
    ],
  };
}

/** A payment of `paid` against the multi-rate invoice; partial when less than its total. */
export function receipt(currency: Currency, locale: string, paid?: number): ReceiptView {
  const invoice = multiRateInvoice(currency, locale);
  const amount = paid ?? invoice.invoice.total;
  return {
    seller,
    brand,
    customer: invoice.customer,
    invoice: invoice.invoice,
    lines: invoice.lines,
    payment: { id: 'pay_123', amount, paidAt: '2027-01-12T14:00:00Z', method: 'Visa ending 4242' },
    amountPaid: amount,
    remainingBalance: invoice.invoice.total - amount,
    hostedUrl: 'https://billing.billwright.example/i/inv_tok',
  };
}

export function reminder(currency: Currency, locale: string, tone: ReminderTone): ReminderView {
  const invoice = multiRateInvoice(currency, locale);
  return {
    seller,
    brand,
    customer: invoice.customer,
    invoice: invoice.invoice,
    tone,
    amountDue: invoice.invoice.total,
    hostedUrl: 'https://billing.billwright.example/i/inv_tok',
  };
}
