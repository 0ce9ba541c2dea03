// The e-invoice mapping is exact: integer minor units become the decimal strings of each
// currency's exponent (EUR 2, JPY 0, BHD 3), prices stay exact when no unit price makes the
// line, VAT categories follow the tax engine's treatments, and discounts become one allowance
// per category that sums to the discount.
import { describe, expect, test } from 'vitest';
import {
  eInvoiceData,
  vatCategoryOf,
  type EInvoiceSource,
} from '../../documents/e-invoice-data.ts';

const SOURCE: EInvoiceSource = {
  kind: 'invoice',
  format: 'xrechnung-ubl',
  number: 'INV-1',
  issuedAt: '2026-12-01T23:30:00Z',
  dueAt: '2026-12-31T23:30:00Z',
  timezone: 'Europe/Berlin',
  locale: 'fr-FR',
  currency: 'EUR',
  buyerReference: 'REF',
  paymentTermsDays: 0,
  seller: {
    legalName: 'Seller',
    street: 'S 1',
    city: 'Dublin',
    postalCode: 'D1',
    country: 'IE',
    vatId: 'IE1234567T',
    email: 's@example.com',
    phone: '+1',
    endpoint: { scheme: 'EM', id: 's@example.com' },
  },
  buyer: { name: 'Buyer', email: 'b@example.com', country: 'DE' },
  lines: [],
  taxes: [],
  prepaid: 0,
};

const invoiceOf = (source: EInvoiceSource) => eInvoiceData(source)['ubl:Invoice'];

describe('VAT categories', () => {
  test.each([
    ['taxable', '19', { code: 'S', percent: '19' }],
    ['taxable', '0', { code: 'Z', percent: '0' }],
    ['reverse_charge', '0', { code: 'AE', percent: '0' }],
    ['exempt_customer', '0', { code: 'E', percent: '0' }],
    ['exempt_product', '0', { code: 'E', percent: '0' }],
    ['outside_scope', '0', { code: 'O', percent: '0' }],
    ['not_registered', '0', { code: 'O', percent: '0' }],
  ])('%s at %s %% is %o', (treatment, rate, category) => {
    expect(vatCategoryOf(treatment, rate)).toEqual(category);
  });
});

describe('amounts', () => {
  test.each([
    ['EUR', 123456, '1234.56'],
    ['JPY', 123456, '123456'],
    ['BHD', 123456, '123.456'],
  ])('%s %i minor units are %s', (currency, amount, expected) => {
    const data = invoiceOf({
      ...SOURCE,
      currency,
      lines: [
        {
          name: 'x',
          quantity: '1',
          unitAmount: String(amount),
          amount,
          discount: 0,
          category: { code: 'Z', percent: '0' },
        },
      ],
      taxes: [{ category: { code: 'Z', percent: '0' }, taxableAmount: amount, taxAmount: 0 }],
    });
    expect(data).toMatchObject({
      'cac:LegalMonetaryTotal': { 'cbc:PayableAmount': expected },
      'cac:InvoiceLine': [
        { 'cac:Price': { 'cbc:PriceAmount': expected, 'cbc:PriceAmount@currencyID': currency } },
      ],
    });
  });

  test('a fractional unit price stays exact; a line no single price makes gets a base quantity', () => {
    const data = invoiceOf({
      ...SOURCE,
      lines: [
        {
          name: 'API calls',
          quantity: '1200',
          unitAmount: '0.06',
          amount: 72,
          discount: 0,
          category: { code: 'S', percent: '19' },
        },
        {
          name: 'Tiered',
          quantity: '3',
          amount: 1000,
          discount: 0,
          category: { code: 'S', percent: '19' },
        },
      ],
    });
    expect(data['cac:InvoiceLine']).toEqual([
      expect.objectContaining({
        'cac:Price': { 'cbc:PriceAmount': '0.0006', 'cbc:PriceAmount@currencyID': 'EUR' },
      }),
      expect.objectContaining({
        'cac:Price': {
          'cbc:PriceAmount': '10',
          'cbc:PriceAmount@currencyID': 'EUR',
          'cbc:BaseQuantity': '3',
          'cbc:BaseQuantity@unitCode': 'C62',
        },
      }),
    ]);
  });

  test('discounts: one allowance per category; totals and what was paid', () => {
    const standard = { code: 'S', percent: '19' } as const;
    const reduced = { code: 'S', percent: '7' } as const;
    const data = invoiceOf({
      ...SOURCE,
      lines: [
        { name: 'a', quantity: '1', amount: 10000, discount: 1000, category: standard },
        { name: 'b', quantity: '1', amount: 5000, discount: 500, category: standard },
        { name: 'c', quantity: '1', amount: 2000, discount: 200, category: reduced },
      ],
      taxes: [
        { category: standard, taxableAmount: 13500, taxAmount: 2565 },
        { category: reduced, taxableAmount: 1800, taxAmount: 126 },
      ],
      prepaid: 5000,
    });
    expect(data).toMatchObject({
      'cac:AllowanceCharge': [
        { 'cbc:Amount': '15.00', 'cac:TaxCategory': { 'cbc:ID': 'S', 'cbc:Percent': '19' } },
        { 'cbc:Amount': '2.00', 'cac:TaxCategory': { 'cbc:ID': 'S', 'cbc:Percent': '7' } },
      ],
    });
    expect(data['cac:LegalMonetaryTotal']).toMatchObject({
      'cbc:LineExtensionAmount': '170.00',
      'cbc:AllowanceTotalAmount': '17.00',
      'cbc:TaxExclusiveAmount': '153.00',
      'cbc:TaxInclusiveAmount': '179.91',
      'cbc:PrepaidAmount': '50.00',
      'cbc:PayableAmount': '129.91',
    });
  });

  test('dates are the customer’s; texts speak their language', () => {
    const data = invoiceOf(SOURCE);
    expect(data['cbc:IssueDate']).toBe('2026-12-02');
    expect(data['cac:PaymentTerms']).toEqual({ 'cbc:Note': 'Payable à réception' });
  });
});
