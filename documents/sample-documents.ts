// Sample data every design is previewed with (GET /v1/document-designs/…/preview): one invoice
// and the estimate, credit note and receipt that go with it, issued by the operator's own seller
// and brand so a preview shows what their customers would see. Fixed dates and amounts, so a
// preview reads the same every time. The amounts add up: 19 % and 7 % German VAT, as a seller
// registered for the EU's OSS charges a consumer in Germany.
import type { DocumentDesign, DocumentType } from './designs.ts';
import type { DocumentRenderer } from './renderer.ts';
import type {
  Brand,
  CreditNoteView,
  EstimateView,
  InvoiceCustomerView,
  InvoiceLineView,
  InvoiceView,
  ReceiptView,
} from './views.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';

/** Who issues the samples: the operator's seller and brand. */
export interface SampleIssuer {
  seller: SellerDetails;
  brand: Brand;
}

export interface SampleOptions {
  /** The customer's language, which formats amounts, dates and country names (default en-GB). */
  locale?: string | undefined;
}

const PERIOD = { periodStart: '2026-11-30T23:00:00Z', periodEnd: '2026-12-31T23:00:00Z' };
const STANDARD = { treatment: 'taxable', ratePercent: '19' };
const REDUCED = { treatment: 'taxable', ratePercent: '7' };

const ITEMS: InvoiceLineView[] = [
  { description: 'Pro plan', quantity: '1', unitAmount: '4900', amount: 49_00, tax: STANDARD },
  {
    description: 'Additional seats',
    quantity: '7',
    unitAmount: '1200',
    amount: 84_00,
    tax: STANDARD,
  },
  {
    // Graduated tiers after free units: no single unit price, the tiers say it.
    description: 'API requests',
    quantity: '2350000',
    amount: 104_00,
    tax: STANDARD,
    arithmetic: {
      kind: 'charge',
      chargeKey: 'api-requests',
      billing: 'arrears',
      usedQuantity: '3350000',
      freeUnits: '1000000',
      components: [
        { label: 'first 1,000,000', quantity: '1000000', unitPrice: '0.005', amount: '5000' },
        { label: 'above 1,000,000', quantity: '1350000', unitPrice: '0.004', amount: '5400' },
      ],
      proration: null,
      cappedAt: null,
      explanation: [],
    },
  },
  {
    description: 'Administrator handbook (e-book)',
    quantity: '1',
    unitAmount: '2500',
    amount: 25_00,
    tax: REDUCED,
  },
];
const LINES: InvoiceLineView[] = ITEMS.map((line) => ({ ...line, ...PERIOD }));

const SUBTOTAL = 262_00;
const STANDARD_BASE = 237_00;
const STANDARD_TAX = 45_03; // 19 % of 237.00
const REDUCED_BASE = 25_00;
const REDUCED_TAX = 1_75; // 7 % of 25.00
const TAX = STANDARD_TAX + REDUCED_TAX;

function customerOf(options: SampleOptions): InvoiceCustomerView {
  return {
    name: 'Northwind Traders GmbH',
    email: 'accounts@northwind.example',
    locale: options.locale ?? 'en-GB',
    timezone: 'Europe/Berlin',
    addressLines: ['Friedrichstraße 123', '10117 Berlin'],
    country: 'DE',
  };
}

const TAX_BREAKDOWN = [
  {
    name: 'VAT',
    jurisdiction: 'DE',
    ratePercent: '19',
    taxableAmount: STANDARD_BASE,
    taxAmount: STANDARD_TAX,
  },
  {
    name: 'VAT',
    jurisdiction: 'DE',
    ratePercent: '7',
    taxableAmount: REDUCED_BASE,
    taxAmount: REDUCED_TAX,
  },
];

export function sampleInvoice(issuer: SampleIssuer, options: SampleOptions = {}): InvoiceView {
  return {
    ...issuer,
    customer: customerOf(options),
    invoice: {
      id: 'inv_sample',
      number: 'INV-2027-000042',
      status: 'open',
      currency: 'EUR',
      issuedAt: '2027-01-01T08:00:00Z',
      dueAt: '2027-01-31T08:00:00Z',
      ...PERIOD,
      subtotal: SUBTOTAL,
      tax: TAX,
      total: SUBTOTAL + TAX,
      amountDue: SUBTOTAL + TAX,
    },
    lines: LINES,
    taxBreakdown: TAX_BREAKDOWN,
  };
}

export function sampleCreditNote(
  issuer: SampleIssuer,
  options: SampleOptions = {},
): CreditNoteView {
  const handbook = LINES[3]!;
  return {
    ...issuer,
    customer: customerOf(options),
    creditNote: {
      id: 'cn_sample',
      number: 'CN-2027-000007',
      currency: 'EUR',
      issuedAt: '2027-01-05T10:00:00Z',
      reason: 'The administrator handbook was billed twice.',
      invoiceNumber: 'INV-2027-000042',
      subtotal: REDUCED_BASE,
      tax: REDUCED_TAX,
      total: REDUCED_BASE + REDUCED_TAX,
      settlement: 'balance',
    },
    lines: [handbook],
    taxBreakdown: [TAX_BREAKDOWN[1]!],
  };
}

export function sampleReceipt(issuer: SampleIssuer, options: SampleOptions = {}): ReceiptView {
  const invoice = sampleInvoice(issuer, options);
  const total = invoice.invoice.total;
  return {
    ...issuer,
    customer: invoice.customer,
    invoice: { ...invoice.invoice, status: 'paid', amountPaid: total, amountDue: 0 },
    lines: invoice.lines,
    payment: {
      id: 'pay_sample',
      amount: total,
      paidAt: '2027-01-12T14:20:00Z',
      method: 'Visa ending 4242',
    },
    amountPaid: total,
    remainingBalance: 0,
  };
}

export function sampleEstimate(issuer: SampleIssuer, options: SampleOptions = {}): EstimateView {
  const customer = customerOf(options);
  return {
    ...issuer,
    customer: {
      name: customer.name,
      country: customer.country!,
      locale: customer.locale,
      timezone: customer.timezone,
    },
    estimate: {
      id: 'est_sample',
      planName: 'Pro (monthly)',
      currency: 'EUR',
      createdAt: '2026-11-20T09:00:00Z',
      ...PERIOD,
      subtotal: SUBTOTAL,
      discountTotal: 0,
      totalBeforeTax: SUBTOTAL,
      total: SUBTOTAL + TAX,
    },
    lines: LINES.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      amount: line.amount,
      explanation: line.arithmetic
        ? ['3,350,000 used, 1,000,000 free', '1,000,000 × €0.00005 + 1,350,000 × €0.00004']
        : [],
      tax: line.tax!,
    })),
    discounts: [],
    tax: {
      lines: TAX_BREAKDOWN.map((b) => ({
        label: `${b.name} ${b.ratePercent} % (${b.jurisdiction})`,
        amount: b.taxAmount,
      })),
      inclusive: false,
      notes: [],
    },
  };
}

/** The sample of `type` rendered in `design`: what a customer with that design would see. */
export function renderSampleDocument(
  renderer: DocumentRenderer,
  issuer: SampleIssuer,
  type: DocumentType,
  design: DocumentDesign,
  options: SampleOptions = {},
): string {
  const designed = { documentDesign: design };
  switch (type) {
    case 'invoice':
      return renderer.renderInvoiceHtml({ ...sampleInvoice(issuer, options), ...designed });
    case 'credit-note':
      return renderer.renderCreditNoteHtml({ ...sampleCreditNote(issuer, options), ...designed });
    case 'receipt':
      return renderer.renderReceiptHtml({ ...sampleReceipt(issuer, options), ...designed });
    case 'estimate':
      return renderer.renderEstimateHtml({ ...sampleEstimate(issuer, options), ...designed });
  }
}
