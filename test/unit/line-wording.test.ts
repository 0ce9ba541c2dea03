// The lines the system writes, worded in the customer's locale by activities/line-wording.ts:
// the words from the `lines` catalogue and the figures inside them (quantities, amounts, a
// change's segment dates) formatted in the full locale, never the English way or ISO.
import { describe, expect, it } from 'vitest';
import { wordLines, wordPeriodInvoice } from '../../activities/line-wording.ts';
import type { Charge, PlanVersion } from '../../domain/catalog/types.ts';
import { ratePeriodInvoice, storedLines } from '../../domain/invoicing/period-invoice.ts';

const calls: Charge = {
  key: 'calls',
  description: 'API calls',
  billing: 'arrears',
  type: 'usage',
  metricCode: 'api_calls',
  pricing: {
    model: 'graduated',
    tiers: [
      { upTo: '1000', unitPrice: '1' },
      { upTo: null, unitPrice: '0.5' },
    ],
  },
};

const flatBase: Charge = {
  key: 'base',
  description: 'Platform',
  billing: 'advance',
  type: 'flat',
  amount: '1000',
};

const plan = (version: number): PlanVersion => ({
  planCode: 'pro',
  version,
  currency: 'EUR',
  billingCycle: { interval: 'month', intervalCount: 1 },
  taxBehavior: 'exclusive',
  charges: [calls],
});

/** March 2027 in Berlin, changed from v1 to v2 on the 15th: two segments in arrears. */
const changed = () =>
  ratePeriodInvoice({
    timezone: 'Europe/Berlin',
    roundingMode: 'half_up',
    arrears: {
      period: { start: '2027-02-28T23:00:00.000Z', end: '2027-03-31T22:00:00.000Z' },
      segments: [
        {
          plan: plan(1),
          quantity: 1,
          from: '2027-02-28T23:00:00.000Z',
          to: '2027-03-14T23:00:00.000Z',
          usage: { api_calls: '1500' },
          transactions: {},
        },
        {
          plan: plan(2),
          quantity: 1,
          from: '2027-03-14T23:00:00.000Z',
          to: '2027-03-31T22:00:00.000Z',
          usage: { api_calls: '200' },
          transactions: {},
        },
      ],
    },
  });

const nbsp = (text: string) => text.replace(/\u00a0/g, ' ');

describe('lines worded in the customer’s locale', () => {
  it('dates a change’s segments in the locale’s own date format', () => {
    const [first, second] = wordLines('de-DE', storedLines(changed()));
    expect(first!.description).toBe(
      'API calls (nachträglich, pro v1 vom 1. März 2027 bis 15. März 2027)',
    );
    expect(second!.description).toBe(
      'API calls (nachträglich, pro v2 vom 15. März 2027 bis 1. April 2027)',
    );
    const [french] = wordLines('fr-FR', storedLines(changed()));
    expect(french!.description).toBe(
      'API calls (à terme échu, pro v1 du 1 mars 2027 au 15 mars 2027)',
    );
    // English keeps its words, its dates now written out as on the rest of the document.
    const [english] = wordLines('en-US', storedLines(changed()));
    expect(english!.description).toBe(
      'API calls (in arrears, pro v1 from March 1, 2027 to March 15, 2027)',
    );
  });

  it('formats tier bounds and every step of the arithmetic the locale’s way', () => {
    const [first] = wordLines('de-DE', storedLines(changed()));
    expect(first!.arithmetic!.components.map((c) => c.label)).toEqual([
      'erste 1.000',
      'über 1.000',
    ]);
    expect(first!.arithmetic!.explanation.map(nbsp)).toEqual([
      'erste 1.000: 1.000 × 0,01 € = 10,00 €',
      'über 1.000: 500 × 0,005 € = 2,50 €',
      'Summe 12,50 €',
    ]);
    // The messages are worded once and not stored.
    expect(first!.arithmetic).not.toHaveProperty('explanationWording');
    expect(first!.arithmetic!.components.every((c) => !('wording' in c))).toBe(true);
  });

  it('words a discount’s step in the estimate’s language', () => {
    const invoice = ratePeriodInvoice({
      timezone: 'Europe/Rome',
      roundingMode: 'half_up',
      advance: {
        period: { start: '2027-02-28T23:00:00.000Z', end: '2027-03-31T22:00:00.000Z' },
        terms: {
          quantity: 1,
          plan: { ...plan(1), charges: [{ ...flatBase, amount: '1400000' }] },
        },
      },
      coupons: [
        {
          periodsApplied: 0,
          coupon: {
            code: 'LAUNCH',
            description: 'Launch offer −20 %',
            value: { type: 'percentage', percent: '20' },
            duration: { type: 'once' },
            appliesTo: { type: 'subtotal' },
          },
        },
      ],
    });
    const italian = wordPeriodInvoice('it-IT', invoice);
    // Italian groups thousands from five digits on (CLDR): "14.000,00 €" but "2800,00 €".
    expect(italian.discounts[0]!.explanation.map(nbsp)).toEqual([
      '20% di 14.000,00 € (subtotale) = 2800,00 €',
    ]);
    expect(italian.discounts[0]).not.toHaveProperty('explanationWording');
  });

  it('words a preview (or an estimate) through the same lines as the invoice', () => {
    const invoice = changed();
    const preview = wordPeriodInvoice('nl-NL', invoice);
    const issued = wordLines('nl-NL', storedLines(invoice));
    expect(preview.lines.map((l) => l.description)).toEqual(issued.map((l) => l.description));
    expect(preview.lines.map((l) => l.arithmetic)).toEqual(issued.map((l) => l.arithmetic));
    // The rated line keeps its own description (no segment suffix), worded too.
    expect(preview.lines[0]!.rated.description).toBe('API calls');
    expect(preview.lines[0]!.rated.explanation).toEqual(issued[0]!.arithmetic!.explanation);
  });
});
