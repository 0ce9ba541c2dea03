import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCurrencyCode, minorUnitExponent } from '../../domain/core/currency.ts';
import {
  add,
  formatMoney,
  money,
  subtract,
  sum,
  times,
  toMajorUnitString,
} from '../../domain/core/money.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('money');

describe('currency exponents (ISO 4217)', () => {
  it('knows zero-, two- and three-decimal currencies', () => {
    expect(minorUnitExponent('JPY')).toBe(0);
    expect(minorUnitExponent('EUR')).toBe(2);
    expect(minorUnitExponent('BHD')).toBe(3);
    expect(minorUnitExponent('KWD')).toBe(3);
  });

  it('rejects codes nobody is billed in', () => {
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('eur')).toBe(false);
    expect(isCurrencyCode('XXX')).toBe(false);
    expect(isCurrencyCode('ABC')).toBe(false);
    expect(() => money(1, 'ABC')).toThrow(/unknown currency/);
  });
});

describe('money', () => {
  it('refuses fractions and unsafe integers', () => {
    expect(() => money(10.5, 'EUR')).toThrow(/safe integer/);
    expect(() => money(2 ** 53, 'EUR')).toThrow(/safe integer/);
    expect(() => times(money(100, 'EUR'), 1.5)).toThrow(/integer/);
  });

  it('never mixes currencies', () => {
    expect(() => add(money(1, 'EUR'), money(1, 'USD'))).toThrow(/currency mismatch/);
  });

  it('adds, subtracts and multiplies exactly', () => {
    expect(sum([money(4900, 'EUR'), money(1, 'EUR'), money(99, 'EUR')], 'EUR')).toEqual(
      money(5000, 'EUR'),
    );
    expect(subtract(money(1000, 'JPY'), money(1001, 'JPY'))).toEqual(money(-1, 'JPY'));
    expect(times(money(1250, 'BHD'), 3)).toEqual(money(3750, 'BHD'));
  });

  it('writes exact decimal strings by exponent', () => {
    expect(toMajorUnitString(money(4900, 'EUR'))).toBe('49.00');
    expect(toMajorUnitString(money(5, 'EUR'))).toBe('0.05');
    expect(toMajorUnitString(money(-5, 'EUR'))).toBe('-0.05');
    expect(toMajorUnitString(money(4900, 'JPY'))).toBe('4900');
    expect(toMajorUnitString(money(1234567, 'BHD'))).toBe('1234.567');
  });

  it('formats for people in their locale without float rounding', () => {
    expect(formatMoney(money(4900, 'EUR'), 'fr-FR')).toBe('49,00\u00a0€');
    expect(formatMoney(money(1234567, 'BHD'), 'en-US')).toBe('BHD\u00a01,234.567');
    expect(formatMoney(money(900719925474099, 'USD'), 'en-US')).toBe('$9,007,199,254,740.99');
  });

  it('keeps addition associative and integral (property)', () => {
    const amount = fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
    fc.assert(
      fc.property(amount, amount, amount, (a, b, c) => {
        const left = add(add(money(a, 'EUR'), money(b, 'EUR')), money(c, 'EUR'));
        const right = add(money(a, 'EUR'), add(money(b, 'EUR'), money(c, 'EUR')));
        return left.amount === right.amount && Number.isInteger(left.amount);
      }),
    );
  });
});
