// The registers' CSV fields: RFC 4180 quoting, and OWASP's defence against formula injection
// (a cell that starts with = + - @, a tab or a carriage return is prefixed with an apostrophe),
// which leaves the plain numbers we write (-12.50) alone.
import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../api/schemas/registers.ts';
import { isCalendarDate, isCalendarMonth } from '../../domain/revenue/calendar.ts';

describe('csvField', () => {
  it('writes plain text and numbers as they are, and null as nothing', () => {
    expect(csvField('INV-2027-000001')).toBe('INV-2027-000001');
    expect(csvField(4900)).toBe('4900');
    expect(csvField('49.00')).toBe('49.00');
    expect(csvField('-12.50')).toBe('-12.50');
    expect(csvField(-1250)).toBe('-1250');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('');
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('Acme, Inc.')).toBe('"Acme, Inc."');
    expect(csvField('the "best"')).toBe('"the ""best"""');
    expect(csvField('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
  });

  it('defuses every start a spreadsheet reads as a formula', () => {
    expect(csvField('=1+1')).toBe(`"'=1+1"`);
    expect(csvField('+33 1 23 45 67 89')).toBe(`"'+33 1 23 45 67 89"`);
    expect(csvField("-2+3+cmd|' /C calc'!A0")).toBe(`"'-2+3+cmd|' /C calc'!A0"`);
    expect(csvField('@SUM(A1:A9)')).toBe(`"'@SUM(A1:A9)"`);
    expect(csvField('\t=1')).toBe(`"'\t=1"`);
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('-')).toBe(`"'-"`);
    expect(csvField('a=1')).toBe('a=1');
  });

  it('writes a header and rows, every line ending CRLF', () => {
    const columns: [string, (row: { a: string; b: number }) => string | number][] = [
      ['a', (r) => r.a],
      ['b', (r) => r.b],
    ];
    expect(toCsv(columns, [{ a: 'x,y', b: 1 }])).toBe('a,b\r\n"x,y",1\r\n');
    expect(toCsv(columns, [])).toBe('a,b\r\n');
  });
});

describe('calendar dates and months', () => {
  it('knows the calendar, in four-digit years', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('0099-01-01')).toBe(false);
    expect(isCalendarDate('9999-12-31')).toBe(false);
    expect(isCalendarMonth('2027-12')).toBe(true);
    expect(isCalendarMonth('2027-00')).toBe(false);
    expect(isCalendarMonth('0000-01')).toBe(false);
  });
});
