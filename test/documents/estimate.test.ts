// The estimate document: the same look as the invoice, with every line's arithmetic shown.
import { describe, expect, it } from 'vitest';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import type { EstimateView } from '../../documents/views.ts';

const view: EstimateView = {
  seller: {
    legalName: 'Billwright Demo Ltd',
    addressLines: ['1 Example Street'],
    email: 'billing@billwright.test',
  },
  brand: { productName: 'Billwright Demo', accentColor: '#4f46e5' },
  customer: { name: 'Ciné <Lumière>', locale: 'fr-FR', timezone: 'Europe/Paris' },
  estimate: {
    id: 'est_abc',
    planName: 'API (usage)',
    currency: 'EUR',
    createdAt: '2027-01-15T10:00:00Z',
    periodStart: '2026-12-31T23:00:00Z',
    periodEnd: '2027-01-31T23:00:00Z',
    subtotal: 1_400,
    discountTotal: 280,
    totalBeforeTax: 1_120,
    total: 1_333,
  },
  lines: [
    {
      description: 'API calls',
      quantity: '12500.5',
      amount: 1_400,
      explanation: ['0 – 10,000 × €0.0000 = €0.00', 'above 10,000: 2,500.5 × €0.0056 = €14.0028'],
    },
  ],
  discounts: [
    { description: 'Launch offer −20 %', amount: 280, explanation: ['20 % of €14.00 = €2.80'] },
  ],
  tax: { lines: [{ label: 'VAT 19 % (DE)', amount: 213 }], inclusive: false, notes: [] },
};

describe('estimate document', () => {
  const html = createDocumentRenderer().renderEstimateHtml(view);

  it('shows the lines, quantities and totals in the customer locale, in their language', () => {
    // fr-FR: every word from the quote catalogue's French (i18n/messages/fr/quote.json).
    expect(html).toContain('Estimation');
    expect(html).toContain('Sous-total');
    expect(html).toContain('Total estimé');
    expect(html).toContain('est_abc');
    expect(html).toContain('12\u202f500,5'); // fr-FR groups with a narrow no-break space
    expect(html).toContain('14,00\u00a0€');
    expect(html).toContain('−2,80\u00a0€');
    expect(html).toContain('11,20\u00a0€');
    expect(html).toContain('VAT 19 % (DE)');
    expect(html).toContain('13,33\u00a0€');
    expect(html).toContain('janvier 2027');
  });

  it('shows the arithmetic of each line and escapes what people typed', () => {
    // Handlebars escapes "=" as &#x3D;, which a browser shows as "=".
    expect(html).toContain('above 10,000: 2,500.5 × €0.0056 &#x3D; €14.0028');
    expect(html).toContain('20 % of €14.00 &#x3D; €2.80');
    expect(html).toContain('Ciné &lt;Lumière&gt;');
    expect(html).not.toContain('<Lumière>');
  });
});
