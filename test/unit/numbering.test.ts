// Document number formats: series keys, printing and reading back, and the seller's calendar.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkNumberFormat,
  formatNumber,
  numberDateOf,
  parseNumber,
  seriesKey,
} from '../../domain/invoicing/numbering.ts';
import {
  amountDueOf,
  canApply,
  checkInvoiceAmounts,
  refusalOf,
  statusAfterPayment,
} from '../../domain/invoicing/lifecycle.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('numbering');

describe('number formats', () => {
  it('prints the default yearly format and its series key', () => {
    const date = { year: 2026, month: 3 };
    expect(formatNumber('INV-{YYYY}-{SEQ:6}', date, 123)).toBe('INV-2026-000123');
    expect(seriesKey('INV-{YYYY}-{SEQ:6}', date)).toBe('INV-2026-{SEQ}');
    expect(formatNumber('CN-{YYYY}-{SEQ:6}', date, 7)).toBe('CN-2026-000007');
  });

  it('makes a monthly series with {MM}, and a two-digit year with {YY}', () => {
    expect(seriesKey('INV-{YYYY}{MM}-{SEQ:4}', { year: 2027, month: 1 })).toBe('INV-202701-{SEQ}');
    expect(seriesKey('INV-{YYYY}{MM}-{SEQ:4}', { year: 2027, month: 2 })).toBe('INV-202702-{SEQ}');
    expect(formatNumber('F{YY}/{MM}/{SEQ}', { year: 2027, month: 11 }, 42)).toBe('F27/11/42');
  });

  it('widens the sequence past its width instead of wrapping', () => {
    expect(formatNumber('INV-{SEQ:3}', { year: 2026, month: 1 }, 1234)).toBe('INV-1234');
  });

  it('refuses formats that cannot number documents', () => {
    expect(checkNumberFormat('INV-{YYYY}-{SEQ:6}')).toBeNull();
    expect(checkNumberFormat('INV-{YYYY}')).toMatch(/SEQ/);
    expect(checkNumberFormat('{SEQ}-{SEQ}')).toMatch(/exactly once/);
    expect(checkNumberFormat('INV-{DD}-{SEQ}')).toMatch(/unknown placeholder/);
    expect(checkNumberFormat('INV-{MM}-{SEQ}')).toMatch(/needs \{YYYY\}/);
    expect(checkNumberFormat('INV-{SEQ:0}')).toMatch(/1 to 12/);
    expect(checkNumberFormat('')).toMatch(/1 to 64/);
    expect(() => formatNumber('INV', { year: 2026, month: 1 }, 1)).toThrow(RangeError);
    expect(() => formatNumber('INV-{SEQ}', { year: 2026, month: 1 }, 0)).toThrow(RangeError);
  });

  it('reads a number back, and nothing else', () => {
    expect(parseNumber('INV-{YYYY}-{SEQ:6}', 'INV-2026-000123')).toEqual({
      year: 2026,
      sequence: 123,
    });
    expect(parseNumber('INV-{YYYY}{MM}-{SEQ:4}', 'INV-202702-0009')).toEqual({
      year: 2027,
      month: 2,
      sequence: 9,
    });
    expect(parseNumber('INV-{YYYY}-{SEQ:6}', 'INV-2026-123')).toBeNull();
    expect(parseNumber('INV-{YYYY}-{SEQ:6}', 'CN-2026-000123')).toBeNull();
    expect(parseNumber('INV.{YYYY}.{SEQ}', 'INVx2026x1')).toBeNull();
  });

  it('format then parse is the identity (property)', () => {
    const formats = fc.constantFrom(
      'INV-{YYYY}-{SEQ:6}',
      'INV-{YYYY}{MM}-{SEQ:4}',
      'CN/{YY}/{MM}/{SEQ}',
      '{YYYY}.{SEQ:3}',
    );
    fc.assert(
      fc.property(
        formats,
        fc.integer({ min: 2000, max: 2099 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (format, year, month, sequence) => {
          const parsed = parseNumber(format, formatNumber(format, { year, month }, sequence))!;
          expect(parsed.sequence).toBe(sequence);
          expect(parsed.year).toBe(year);
          if (format.includes('{MM}')) expect(parsed.month).toBe(month);
        },
      ),
    );
  });

  it('picks the series by the date in the seller’s zone', () => {
    // New Year's Eve 23:30 UTC: still 2026 in Dublin (GMT), already 2027 in Berlin (CET).
    expect(numberDateOf('2026-12-31T23:30:00Z', 'Europe/Dublin')).toEqual({
      year: 2026,
      month: 12,
    });
    expect(numberDateOf('2026-12-31T23:30:00Z', 'Europe/Berlin')).toEqual({ year: 2027, month: 1 });
    expect(numberDateOf(new Date('2027-03-31T23:30:00Z'), 'Europe/Dublin')).toEqual({
      year: 2027,
      month: 4,
    });
  });
});

describe('invoice lifecycle rules', () => {
  it('allows each action only from its statuses', () => {
    expect(canApply('edit', 'draft')).toBe(true);
    expect(canApply('edit', 'open')).toBe(false);
    expect(canApply('void', 'open')).toBe(true);
    expect(canApply('void', 'paid')).toBe(false);
    expect(canApply('void', 'partially_paid')).toBe(false);
    expect(canApply('mark_uncollectible', 'partially_paid')).toBe(true);
    expect(canApply('mark_uncollectible', 'paid')).toBe(false);
    expect(canApply('credit', 'draft')).toBe(false);
    expect(canApply('credit', 'void')).toBe(false);
    expect(refusalOf('edit', 'open')).toMatch(/immutable/);
    expect(refusalOf('void', 'paid')).toMatch(/credit note/);
  });

  it('checks the totals invariant for both price bases', () => {
    const base = { subtotal: 4900, discountTotal: 900, tax: 800 };
    expect(checkInvoiceAmounts({ ...base, taxBehavior: 'exclusive', total: 4800 })).toEqual([]);
    expect(checkInvoiceAmounts({ ...base, taxBehavior: 'inclusive', total: 4000 })).toEqual([]);
    expect(checkInvoiceAmounts({ ...base, taxBehavior: 'exclusive', total: 4000 })).toHaveLength(1);
    expect(
      checkInvoiceAmounts({ ...base, discountTotal: 5000, taxBehavior: 'inclusive', total: -100 }),
    ).toContain('discount exceeds the subtotal');
  });

  it('derives paid and partially paid from amounts', () => {
    const amounts = { total: 5880, amountPaid: 0, amountCredited: 0 };
    expect(statusAfterPayment('open', amounts)).toBe('open');
    expect(statusAfterPayment('open', { ...amounts, amountPaid: 1 })).toBe('partially_paid');
    expect(statusAfterPayment('open', { ...amounts, amountPaid: 5880 })).toBe('paid');
    expect(statusAfterPayment('open', { ...amounts, amountPaid: 880, amountCredited: 5000 })).toBe(
      'paid',
    );
    expect(statusAfterPayment('uncollectible', amounts)).toBe('uncollectible');
    expect(amountDueOf(5880, 5000, 1000)).toBe(0);
  });
});
