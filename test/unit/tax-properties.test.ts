// Invariants of the tax stage over generated amounts, rates and invoices.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaxBehavior } from '../../domain/catalog/types.ts';
import { decimal, ROUNDING_MODES, type RoundingMode } from '../../domain/core/decimal.ts';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
import { checkTaxResult } from '../../domain/tax/provider.ts';
import { BUILT_IN_RATES } from '../../domain/tax/rate-table/table.ts';
import type {
  RoundingLevel,
  TaxCategory,
  TaxRate,
  TaxRateTable,
  TaxRequest,
  TaxResult,
  TaxSeller,
} from '../../domain/tax/types.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('tax-properties');

/** A percent with up to 3 decimals, 0 to 99.999: "19", "9.975", "0.5". */
const rateArb = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 999 }))
  .map(([whole, frac]) => decimal(`${whole}.${String(frac).padStart(3, '0')}`).toFixed());

const amountArb = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }),
  fc.integer({ min: 0, max: 1_000_000_000_000 }),
);

const table = (
  entries: Omit<TaxRate, 'category' | 'effectiveFrom' | 'source'>[],
): TaxRateTable => ({
  rates: entries.map((e) => ({
    ...e,
    category: 'standard',
    effectiveFrom: '2024-01-01',
    source: 'generated',
  })),
  usTaxability: [],
});

const CA_SELLER: TaxSeller = {
  country: 'CA',
  registrations: { ca: { gstHstNumber: '123456789RT0001', qstNumber: '1234567890TQ0001' } },
};
const DE_SELLER: TaxSeller = {
  country: 'DE',
  registrations: { eu: { vatNumber: 'DE123456789', oss: true } },
};

interface Generated {
  amounts: number[];
  taxBehavior: TaxBehavior;
  level: RoundingLevel;
  mode: RoundingMode;
}

const requestArb: fc.Arbitrary<Generated> = fc.record({
  amounts: fc.array(amountArb, { minLength: 1, maxLength: 6 }),
  taxBehavior: fc.constantFrom('exclusive' as const, 'inclusive' as const),
  level: fc.constantFrom('per_line' as const, 'per_rate' as const),
  mode: fc.constantFrom(...ROUNDING_MODES),
});

function build(
  seller: TaxSeller,
  country: string,
  region: string | undefined,
  r: Generated,
  categories: TaxCategory[] = [],
): TaxRequest {
  return {
    seller,
    customer: {
      address: region ? { country, region } : { country },
      customerType: 'individual',
    },
    currency: 'EUR',
    lines: r.amounts.map((amount, i) => ({
      lineId: `l${i}`,
      amount: { amount, currency: 'EUR' },
      category: categories[i % Math.max(categories.length, 1)] ?? 'standard',
    })),
    supplyDate: '2026-06-01',
    taxBehavior: r.taxBehavior,
    rounding: { level: r.level, mode: r.mode },
  };
}

function expectConsistent(request: TaxRequest, result: TaxResult) {
  expect(checkTaxResult(request, result)).toEqual([]);
  for (const line of result.lines) {
    expect(line.taxAmount.amount).toBeGreaterThanOrEqual(0);
    expect(line.netAmount.amount).toBeGreaterThanOrEqual(0);
    expect(line.netAmount.amount + line.taxAmount.amount).toBe(line.grossAmount.amount);
  }
  // Each breakdown row is the sum of the line components (or untaxed lines) it stands for.
  for (const row of result.breakdown) {
    const parts =
      row.treatment === 'taxable'
        ? result.lines.flatMap((l) =>
            l.components
              .filter(
                (c) =>
                  c.jurisdiction === row.jurisdiction &&
                  c.taxName === row.taxName &&
                  c.rate === row.rate,
              )
              .map((c) => [c.taxableAmount.amount, c.taxAmount.amount]),
          )
        : result.lines
            .filter((l) => l.treatment === row.treatment && l.jurisdiction === row.jurisdiction)
            .map((l) => [l.netAmount.amount, 0]);
    expect(row.taxableAmount.amount).toBe(parts.reduce((t, [b]) => t + b!, 0));
    expect(row.taxAmount.amount).toBe(parts.reduce((t, [, x]) => t + x!, 0));
  }
  expect(result.breakdown.reduce((t, b) => t + b.taxAmount.amount, 0)).toBe(
    result.totals.tax.amount,
  );
}

describe('tax properties', () => {
  it('inclusive: net + tax = gross exactly, for any amount and rate', () => {
    fc.assert(
      fc.property(amountArb, rateArb, fc.constantFrom(...ROUNDING_MODES), (gross, rate, mode) => {
        const provider = createBuiltInTaxProvider(
          table([{ jurisdiction: 'DE', taxName: 'VAT', rate }]),
        );
        const request = build(DE_SELLER, 'DE', undefined, {
          amounts: [gross],
          taxBehavior: 'inclusive',
          level: 'per_line',
          mode,
        });
        const [line] = provider.calculate(request).lines;
        expect(line!.grossAmount.amount).toBe(gross);
        expect(line!.netAmount.amount + line!.taxAmount.amount).toBe(gross);
        // The tax is the exact fraction gross × r / (100 + r), rounded: within half a unit.
        const exact = decimal(gross).times(rate).div(decimal(rate).plus(100));
        expect(exact.minus(line!.taxAmount.amount).abs().lte('0.5')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('two taxes on a line (GST + QST), any rates, either basis and rounding: consistent', () => {
    fc.assert(
      fc.property(rateArb, rateArb, requestArb, (gst, qst, r) => {
        const provider = createBuiltInTaxProvider(
          table([
            { jurisdiction: 'CA', taxName: 'GST', rate: gst },
            { jurisdiction: 'CA-QC', taxName: 'QST', rate: qst },
          ]),
        );
        const request = build(CA_SELLER, 'CA', 'QC', r);
        expectConsistent(request, provider.calculate(request));
      }),
      { numRuns: 200 },
    );
  });

  it('real rates, mixed categories: per-rate breakdown sums equal the line totals', () => {
    const provider = createBuiltInTaxProvider(BUILT_IN_RATES);
    fc.assert(
      fc.property(
        requestArb,
        fc.constantFrom('DE', 'FR', 'IT', 'NL', 'SE', 'JP'),
        fc.array(fc.constantFrom<TaxCategory>('standard', 'ebook', 'exempt'), {
          minLength: 1,
          maxLength: 3,
        }),
        (r, country, categories) => {
          const request = build(DE_SELLER, country, undefined, r, categories);
          expectConsistent(request, provider.calculate(request));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('per rate rounds each rate once: its total is the rounded sum of exact taxes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 8 }),
        rateArb,
        (amounts, rate) => {
          const provider = createBuiltInTaxProvider(
            table([{ jurisdiction: 'DE', taxName: 'VAT', rate }]),
          );
          const request = build(DE_SELLER, 'DE', undefined, {
            amounts,
            taxBehavior: 'exclusive',
            level: 'per_rate',
            mode: 'half_up',
          });
          const result = provider.calculate(request);
          const exact = decimal(amounts.reduce((a, b) => a + b, 0))
            .times(rate)
            .div(100);
          expect(result.totals.tax.amount).toBe(Number(exact.round(0, 1).toFixed()));
          // No line gets more than one unit above its own exact tax.
          for (const line of result.lines) {
            const own = decimal(line.netAmount.amount).times(rate).div(100);
            expect(decimal(line.taxAmount.amount).minus(own).lt(1)).toBe(true);
            expect(own.minus(line.taxAmount.amount).lt(1)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
