// VAT number formats, customer and seller validation, and the rates table's own consistency.
import { describe, expect, it } from 'vitest';
import { decimal } from '../../domain/core/decimal.ts';
import { COUNTRY_CODES, EU_MEMBER_STATES } from '../../domain/tax/places.ts';
import { BUILT_IN_RATES } from '../../domain/tax/rate-table/table.ts';
import { COVERAGE_START } from '../../domain/tax/rate-table/coverage.ts';
import { findRate } from '../../domain/tax/rates.ts';
import { checkTaxId, checkVatNumber, isValidVatNumber } from '../../domain/tax/tax-ids.ts';
import type { TaxCustomer, TaxSeller } from '../../domain/tax/types.ts';
import { taxDateOf, validateTaxCustomer, validateTaxSeller } from '../../domain/tax/validation.ts';

describe('VAT number formats', () => {
  it.each([
    ['DE', 'DE123456789'],
    ['DE', 'de 123 456 789'], // normalised: spaces, case
    ['FR', 'FR40303265045'],
    ['FR', 'FRK7399859412'], // letters in the key
    ['NL', 'NL123456789B01'],
    ['AT', 'ATU12345678'],
    ['BE', 'BE0123456789'],
    ['GR', 'EL123456789'], // Greece uses EL
    ['ES', 'ESA1234567B'],
    ['ES', 'ES12345678Z'],
    ['IE', 'IE1234567T'],
    ['IE', 'IE1234567WA'],
    ['IE', 'IE1A23456B'],
    ['IT', 'IT12345678901'],
    ['PL', 'PL1234567890'],
    ['SE', 'SE123456789701'],
    ['CY', 'CY12345678L'],
    ['LT', 'LT123456789012'],
    ['RO', 'RO12'],
    ['GB', 'GB123456789'],
    ['GB', 'GB123456789012'],
    ['GB', 'GBGD001'],
    ['GB', 'GBHA599'],
    ['GB', 'XI123456789'],
  ])('%s %s is well formed', (country, number) => {
    expect(checkVatNumber(country, number)).toBeNull();
  });

  it.each([
    ['DE', 'DE12345678', 'must be DE + 9 digits'],
    ['DE', '123456789', 'must start with the country prefix DE'],
    ['DE', 'FR40303265045', 'must start with the country prefix DE'],
    ['GR', 'GR123456789', 'must start with the country prefix EL (not GR)'],
    ['NL', 'NL123456789B1', 'must be NL + 9 digits + B + 2 digits'],
    ['NL', 'NL123456789001', 'must be NL + 9 digits + B + 2 digits'],
    ['FR', 'FRIO123456789', 'must be FR + 2 characters + 9 digits'],
    ['FR', 'FR4030326504', 'must be FR + 2 characters + 9 digits'],
    ['AT', 'AT12345678', 'must be ATU + 8 digits'],
    ['BE', 'BE2123456789', 'must be BE + 10 digits starting with 0 or 1'],
    ['ES', 'ES123456789', 'must be ES + 9 characters, a letter first or last'],
    ['SE', 'SE123456789012', 'must be SE + 12 digits ending in 01'],
    ['RO', 'RO0123', 'must be RO + 2 to 10 digits'],
    ['GB', 'GB12345678', 'must be GB + 9 or 12 digits'],
    ['GB', 'GBHA499', 'must be GB + 9 or 12 digits'],
    ['GB', 'DE123456789', 'must start with GB (or XI), e.g. GB123456789'],
  ])('%s %s is rejected: %s', (country, number, message) => {
    expect(checkVatNumber(country, number)).toBe(message);
    expect(isValidVatNumber(country, number)).toBe(false);
  });

  it('has a format for every member state', () => {
    for (const state of EU_MEMBER_STATES) {
      expect(checkVatNumber(state, 'XX')).toMatch(/^must /);
    }
  });

  it('checks the other registration numbers customers give', () => {
    expect(checkTaxId('AU', '51 824 753 556')).toBeNull();
    expect(checkTaxId('AU', '5182475355')).toBe('must be an ABN: 11 digits');
    expect(checkTaxId('NZ', '123-456-789')).toBeNull();
    expect(checkTaxId('CA', '123456789RT0001')).toBeNull();
    expect(checkTaxId('IN', '29ABCDE1234F1Z5')).toBeNull();
    expect(checkTaxId('IN', '29ABCDE1234F1X5')).toMatch(/GSTIN/);
    expect(checkTaxId('JP', 'T1234567890123')).toBeNull(); // not checked
  });
});

const SELLER: TaxSeller = {
  country: 'DE',
  registrations: { eu: { vatNumber: 'DE123456789', oss: true } },
};

describe('validateTaxCustomer', () => {
  const customer = (
    c: Partial<TaxCustomer> & { address: TaxCustomer['address'] },
  ): TaxCustomer => ({
    customerType: 'individual',
    ...c,
  });

  it('accepts a complete customer', () => {
    expect(
      validateTaxCustomer(
        customer({ address: { country: 'US', region: 'NY', postalCode: '10001' } }),
        SELLER,
      ),
    ).toEqual([]);
    expect(
      validateTaxCustomer(
        customer({
          address: { country: 'FR' },
          customerType: 'business',
          vatNumber: 'FR40303265045',
        }),
        SELLER,
      ),
    ).toEqual([]);
  });

  it('requires the region where it decides the tax', () => {
    expect(validateTaxCustomer(customer({ address: { country: 'US' } }), SELLER)).toEqual([
      { field: 'address.region', message: 'is required: a US state code (e.g. NY)' },
    ]);
    expect(validateTaxCustomer(customer({ address: { country: 'CA' } }), SELLER)).toEqual([
      {
        field: 'address.region',
        message: 'is required: a Canadian province or territory code (e.g. QC)',
      },
    ]);
    expect(
      validateTaxCustomer(customer({ address: { country: 'CA', region: 'XX' } }), SELLER),
    ).toEqual([
      {
        field: 'address.region',
        message: '"XX" is not a Canadian province or territory code (e.g. QC)',
      },
    ]);
  });

  it('requires an Indian state only when the seller collects Indian GST', () => {
    const indian: TaxSeller = {
      country: 'IN',
      registrations: { in: { gstin: '29ABCDE1234F1Z5', state: 'KA' } },
    };
    expect(validateTaxCustomer(customer({ address: { country: 'IN' } }), SELLER)).toEqual([]);
    expect(
      validateTaxCustomer(customer({ address: { country: 'IN' } }), indian).map((i) => i.field),
    ).toEqual(['address.region']);
  });

  it('rejects unknown countries, malformed VAT numbers, types and exemptions', () => {
    expect(validateTaxCustomer(customer({ address: { country: 'UK' } }), SELLER)).toEqual([
      {
        field: 'address.country',
        message: 'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. DE',
      },
    ]);
    expect(validateTaxCustomer(customer({ address: { country: 'de' } }), SELLER)).toHaveLength(1);
    expect(
      validateTaxCustomer(
        {
          address: { country: 'NL' },
          customerType: 'company' as never,
          vatNumber: 'NL123',
          exempt: { reference: ' ' },
        },
        SELLER,
      ),
    ).toEqual([
      { field: 'customerType', message: 'must be one of business, individual' },
      { field: 'vatNumber', message: 'must be NL + 9 digits + B + 2 digits' },
      {
        field: 'exempt.reference',
        message: 'is required for an exempt customer (certificate or legal basis)',
      },
    ]);
  });
});

describe('validateTaxSeller', () => {
  it('accepts well-formed registrations', () => {
    expect(validateTaxSeller(SELLER)).toEqual([]);
    expect(
      validateTaxSeller({
        country: 'US',
        registrations: {
          eu: { vatNumber: 'EU372000041', oss: true },
          gb: { vatNumber: 'GB123456789' },
          in: { gstin: '9917USA29001OSV' },
          us: { nexusStates: ['NY', 'DC'] },
        },
      }),
    ).toEqual([]);
  });

  it('names each malformed registration', () => {
    expect(
      validateTaxSeller({
        country: 'IN',
        registrations: {
          eu: { vatNumber: 'DE123456789', oss: true },
          ca: { gstHstNumber: '123456789RT0001', pstProvinces: ['ON'] },
          in: { gstin: 'nope', state: 'ZZ' },
          us: { nexusStates: ['PR'] },
        },
      }).map((i) => i.field),
    ).toEqual([
      'registrations.eu.vatNumber',
      'registrations.ca.pstProvinces[0]',
      'registrations.in.gstin',
      'registrations.in.state',
      'registrations.us.nexusStates[0]',
    ]);
  });
});

describe('tax date', () => {
  it('is the calendar date as written', () => {
    expect(taxDateOf('2025-07-01')).toBe('2025-07-01');
    expect(taxDateOf('2025-07-01T00:00:00+03:00')).toBe('2025-07-01');
    expect(taxDateOf('2025-06-30T21:00:00Z')).toBe('2025-06-30');
    expect(taxDateOf('2025-06-30T21:00:00.123456Z')).toBe('2025-06-30');
  });

  it('refuses what is not a date', () => {
    for (const bad of ['2025-02-29', '2025-13-01', '2025-07-01T00:00:00', '01/07/2025', '']) {
      expect(taxDateOf(bad)).toBeNull();
    }
  });
});

describe('the built-in rates table', () => {
  const { rates } = BUILT_IN_RATES;

  it('covers the 249 ISO countries list', () => {
    expect(COUNTRY_CODES.size).toBe(249);
  });

  it('has one standard VAT rate for each of the 27 member states, any day', () => {
    expect(EU_MEMBER_STATES.size).toBe(27);
    for (const date of [COVERAGE_START, '2024-09-01', '2025-07-01', '2026-11-23']) {
      for (const state of EU_MEMBER_STATES) {
        expect(
          findRate(BUILT_IN_RATES, state, 'VAT', 'standard', date),
          `${state} ${date}`,
        ).toBeDefined();
      }
    }
  });

  it('never overlaps, never leaves a gap between dated entries, and names a source', () => {
    const groups = new Map<string, typeof rates>();
    for (const r of rates) {
      const key = `${r.jurisdiction} ${r.taxName} ${r.category}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
      expect(decimal(r.rate).gte(0) && decimal(r.rate).lt(100), key).toBe(true);
      expect(r.effectiveFrom >= COVERAGE_START, key).toBe(true);
      expect(r.source.length, key).toBeGreaterThan(10);
      if (r.effectiveTo) expect(r.effectiveTo > r.effectiveFrom, key).toBe(true);
    }
    for (const [key, entries] of groups) {
      const sorted = [...entries].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
      sorted.slice(1).forEach((next, i) => {
        expect(sorted[i]!.effectiveTo, `${key} before ${next.effectiveFrom}`).toBe(
          next.effectiveFrom,
        );
      });
    }
  });

  it('keeps the dated changes it was built to prove', () => {
    const rate = (j: string, date: string) =>
      findRate(BUILT_IN_RATES, j, 'VAT', 'standard', date)?.rate;
    expect([rate('EE', '2025-06-30'), rate('EE', '2025-07-01')]).toEqual(['22', '24']);
    expect([rate('FI', '2024-08-31'), rate('FI', '2024-09-01')]).toEqual(['24', '25.5']);
    expect([rate('SK', '2024-12-31'), rate('SK', '2025-01-01')]).toEqual(['20', '23']);
    expect([rate('RO', '2025-07-31'), rate('RO', '2025-08-01')]).toEqual(['19', '21']);
    const ebook = (date: string) => findRate(BUILT_IN_RATES, 'FI', 'VAT', 'ebook', date)?.rate;
    expect([ebook('2024-12-31'), ebook('2025-01-01'), ebook('2026-01-01')]).toEqual([
      '10',
      '14',
      '13.5',
    ]);
    const ns = (date: string) => findRate(BUILT_IN_RATES, 'CA-NS', 'HST', 'standard', date)?.rate;
    expect([ns('2025-03-31'), ns('2025-04-01')]).toEqual(['15', '14']);
  });

  it('has a taxability entry for every US state it has a rate for', () => {
    for (const r of rates.filter((x) => x.jurisdiction.startsWith('US-'))) {
      const state = r.jurisdiction.slice(3);
      const entry = BUILT_IN_RATES.usTaxability.find((t) => t.state === state);
      expect(entry?.taxable, state).toBe(true);
    }
    for (const t of BUILT_IN_RATES.usTaxability.filter((x) => !x.taxable)) {
      expect(t.reason, t.state).toBeTruthy();
    }
  });
});
