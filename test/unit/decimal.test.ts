import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ceilQuotient,
  decimal,
  isDecimalString,
  roundToMinorUnits,
  toDecimalString,
} from '../../domain/core/decimal.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('decimal');

describe('decimal strings', () => {
  it('accepts plain decimals only', () => {
    for (const ok of ['0', '12', '-3.5', '0.0006', '1000000000000'])
      expect(isDecimalString(ok)).toBe(true);
    for (const bad of ['', '1e3', '.5', '5.', '+1', ' 1', 'NaN', '1,5', 12, null]) {
      expect(isDecimalString(bad)).toBe(false);
    }
    expect(() => decimal('1e3')).toThrow(/decimal string/);
    expect(() => decimal(0.1)).toThrow(/exact integer/);
  });

  it('computes exactly where floats do not', () => {
    expect(toDecimalString(decimal('0.1').plus('0.2'))).toBe('0.3');
    expect(toDecimalString(decimal('1000000000000').times('0.06'))).toBe('60000000000');
    expect(toDecimalString(decimal('0.0000001'))).toBe('0.0000001');
  });
});

describe('roundToMinorUnits', () => {
  it('rounds .5 away from zero (half-up) or to even (half-even)', () => {
    expect(roundToMinorUnits('2.5')).toBe(3);
    expect(roundToMinorUnits('2.5', 'half_even')).toBe(2);
    expect(roundToMinorUnits('3.5', 'half_even')).toBe(4);
    expect(roundToMinorUnits('-2.5')).toBe(-3);
    expect(roundToMinorUnits('-2.5', 'half_even')).toBe(-2);
    expect(roundToMinorUnits('2.4999999')).toBe(2);
    expect(roundToMinorUnits('2.5000001', 'half_even')).toBe(3);
  });

  it('rounds exact ratios without an intermediate decimal', () => {
    // 19/28 × 3000 = 2035.714… ; 15/30 × 3001 = 1500.5 exactly.
    expect(roundToMinorUnits({ numerator: 3000 * 19, denominator: 28 })).toBe(2036);
    expect(roundToMinorUnits({ numerator: 3001 * 15, denominator: 30 })).toBe(1501);
    expect(roundToMinorUnits({ numerator: 3001 * 15, denominator: 30 }, 'half_even')).toBe(1500);
    expect(roundToMinorUnits({ numerator: '1', denominator: '3' })).toBe(0);
  });

  it('refuses amounts beyond safe integers', () => {
    expect(() => roundToMinorUnits('9007199254740993')).toThrow(/safe integer/);
  });

  it('agrees with integer arithmetic on ratios (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: 1, max: 1000 }),
        (n, d) => {
          const r = roundToMinorUnits({ numerator: n, denominator: d });
          // |n/d − r| ≤ 1/2, and exactly 1/2 only when r is away from zero.
          const diff = Math.abs(n - r * d) * 2;
          return (
            Number.isSafeInteger(r) && diff <= d && (diff < d || Math.abs(r * d) > Math.abs(n))
          );
        },
      ),
    );
  });

  it('counts started packages', () => {
    expect(ceilQuotient(decimal('2001'), decimal('1000')).toFixed()).toBe('3');
    expect(ceilQuotient(decimal('2000'), decimal('1000')).toFixed()).toBe('2');
    expect(ceilQuotient(decimal('0'), decimal('1000')).toFixed()).toBe('0');
    expect(ceilQuotient(decimal('1'), decimal('0.3')).toFixed()).toBe('4');
  });
});
