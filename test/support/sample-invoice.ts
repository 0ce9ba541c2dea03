// A realistic multi-line invoice (plan, seats, usage tiers, add-ons, two tax rates) that the
// document tests print and the rendering benchmark (bench/render.ts) measures. A fixture: no
// product code uses it.
import type { LineArithmetic } from '../../domain/invoicing/line-arithmetic.ts';
import type { InvoiceLineView, InvoiceView } from '../../documents/views.ts';

type SampleLine = Omit<InvoiceLineView, 'periodStart' | 'periodEnd'>;

/**
 * A rated line's arithmetic as rating keeps it, for samples and fixtures: a charge billed in
 * arrears, with every field not given empty.
 */
export function sampleArithmetic(fields: Partial<LineArithmetic>): LineArithmetic {
  return {
    kind: 'charge',
    chargeKey: 'charge',
    billing: 'arrears',
    usedQuantity: null,
    freeUnits: null,
    components: [],
    proration: null,
    cappedAt: null,
    explanation: [],
    ...fields,
  };
}

const CATALOGUE: SampleLine[] = [
  { description: 'Pro plan', quantity: '1', unitAmount: '4900', amount: 49_00 },
  { description: 'Additional seats', quantity: '7', unitAmount: '1200', amount: 84_00 },
  {
    // Graduated tiers after 1,000,000 free requests: no single unit price, the tiers say it.
    description: 'API requests',
    quantity: '2350000',
    amount: 104_00,
    arithmetic: sampleArithmetic({
      chargeKey: 'api-requests',
      usedQuantity: '3350000',
      freeUnits: '1000000',
      components: [
        { label: 'first 1,000,000', quantity: '1000000', unitPrice: '0.005', amount: '5000' },
        { label: 'above 1,000,000', quantity: '1350000', unitPrice: '0.004', amount: '5400' },
      ],
    }),
  },
  { description: 'Storage, GB-month', quantity: '412.5', unitAmount: '2', amount: 8_25 },
  {
    description: 'Search queries',
    quantity: '1200',
    unitAmount: '1',
    amount: 8_00,
    arithmetic: sampleArithmetic({
      chargeKey: 'search',
      usedQuantity: '1200',
      components: [{ label: 'per unit', quantity: '1200', unitPrice: '1', amount: '1200' }],
      cappedAt: '800',
    }),
  },
  {
    description: 'SMS notifications',
    quantity: '210',
    unitAmount: '6',
    amount: 12_60,
    arithmetic: sampleArithmetic({
      chargeKey: 'sms',
      usedQuantity: '260',
      freeUnits: '50',
      components: [{ label: 'per unit', quantity: '210', unitPrice: '6', amount: '1260' }],
    }),
  },
  { description: 'Priority support', quantity: '1', unitAmount: '15000', amount: 150_00 },
  { description: 'Data export add-on', quantity: '1', unitAmount: '2500', amount: 25_00 },
  { description: 'Single sign-on (SAML)', quantity: '1', unitAmount: '4000', amount: 40_00 },
];

/**
 * `lines` line items (default 12); amounts and the tax breakdown add up. The usage lines show a
 * line's arithmetic: tiers after free units, a capped line, free units taken off.
 */
export function sampleInvoiceView(
  options: { lines?: number; number?: string; status?: string } = {},
): InvoiceView {
  const count = options.lines ?? 12;
  const lines = Array.from({ length: count }, (_, i) => {
    const item = CATALOGUE[i % CATALOGUE.length]!;
    const round = Math.floor(i / CATALOGUE.length);
    return {
      ...item,
      description: round === 0 ? item.description : `${item.description} (workspace ${round + 1})`,
      periodStart: '2026-11-30T23:00:00Z',
      periodEnd: '2026-12-31T23:00:00Z',
    };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  // Support is taxed at the reduced rate in this example; everything else at the standard one.
  const reducedBase = lines
    .filter((line) => line.description.startsWith('Priority support'))
    .reduce((sum, line) => sum + line.amount, 0);
  const standardBase = subtotal - reducedBase;
  const standardTax = Math.round(standardBase * 0.2);
  const reducedTax = Math.round(reducedBase * 0.1);
  const tax = standardTax + reducedTax;
  const number = options.number ?? 'INV-2027-000042';
  return {
    seller: {
      legalName: 'Billwright SAS',
      addressLines: ['12 rue de la Paix', '75002 Paris', 'France'],
      taxId: 'FR12345678901',
      email: 'billing@billwright.example',
      paymentInstructions:
        'Bank transfer to IBAN FR76 3000 6000 0112 3456 7890 189 (BIC AGRIFRPP), quoting the invoice number.',
    },
    brand: { productName: 'Billwright Cloud', accentColor: '#4f46e5' },
    customer: {
      name: 'Northwind Traders GmbH',
      email: 'accounts@northwind.example',
      locale: 'en-IE',
      timezone: 'Europe/Paris',
      addressLines: ['Friedrichstraße 123', '10117 Berlin', 'Germany'],
      vatNumber: 'DE123456789',
    },
    invoice: {
      id: 'inv_sample',
      number,
      status: options.status ?? 'open',
      currency: 'EUR',
      issuedAt: '2026-12-31T23:30:00Z',
      dueAt: '2027-01-30T23:00:00Z',
      periodStart: '2026-11-30T23:00:00Z',
      periodEnd: '2026-12-31T23:00:00Z',
      subtotal,
      tax,
      total: subtotal + tax,
    },
    lines,
    taxBreakdown: [
      {
        name: 'VAT',
        jurisdiction: 'FR',
        ratePercent: '20',
        taxableAmount: standardBase,
        taxAmount: standardTax,
      },
      ...(reducedBase > 0
        ? [
            {
              name: 'VAT',
              jurisdiction: 'FR',
              ratePercent: '10',
              taxableAmount: reducedBase,
              taxAmount: reducedTax,
            },
          ]
        : []),
    ],
  };
}
