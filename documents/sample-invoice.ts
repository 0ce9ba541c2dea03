// A realistic multi-line invoice (plan, seats, usage tiers, add-ons, two tax rates) to preview
// templates, print in tests and measure rendering in the benchmark. Not used in billing.
import type { InvoiceView } from './views.ts';

/** `lines` line items (default 12); amounts and the tax breakdown add up. */
export function sampleInvoiceView(
  options: { lines?: number; number?: string; status?: string } = {},
): InvoiceView {
  const count = options.lines ?? 12;
  const catalogue = [
    { description: 'Pro plan', quantity: 1, unitAmount: 49_00 },
    { description: 'Additional seats', quantity: 7, unitAmount: 12_00 },
    { description: 'API requests, first 1,000,000', quantity: 1, unitAmount: 0 },
    { description: 'API requests, next 4,000,000 (per 1,000)', quantity: 2_350, unitAmount: 4 },
    { description: 'Storage, GB-month', quantity: 412, unitAmount: 2 },
    { description: 'Priority support', quantity: 1, unitAmount: 150_00 },
    { description: 'Data export add-on', quantity: 1, unitAmount: 25_00 },
    { description: 'Single sign-on (SAML)', quantity: 1, unitAmount: 40_00 },
  ];
  const lines = Array.from({ length: count }, (_, i) => {
    const item = catalogue[i % catalogue.length]!;
    const round = Math.floor(i / catalogue.length);
    return {
      description: round === 0 ? item.description : `${item.description} (workspace ${round + 1})`,
      quantity: item.quantity,
      unitAmount: item.unitAmount,
      amount: item.quantity * item.unitAmount,
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
