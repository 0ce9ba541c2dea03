// Revenue recognition: a hand-computed waterfall (an annual plan invoiced mid-month, a refund,
// a void), and properties over generated lines, periods and credits: every day's part is whole
// minor units, the parts sum exactly to what was billed less what was credited, and what is
// recognized never runs ahead of what was billed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateOfDay, dayNumber } from '../../domain/revenue/calendar.ts';
import {
  dailyParts,
  recognitionSchedule,
  type LineCredit,
  type RevenueLine,
} from '../../domain/revenue/recognition.ts';
import { revenueWaterfall, type InvoicedLine } from '../../domain/revenue/waterfall.ts';
import {
  ANNUAL_PER_MONTH,
  asSchedule,
  REFUNDED_MONTHS,
  REFUNDED_SCHEDULE,
  waterfallRow,
} from '../support/annual-plan-revenue.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('revenue-recognition');

/** EUR 1,000.00 net for 2027-03-15 to 2028-03-15: 366 days (2028 is a leap year). */
const annual: InvoicedLine = {
  amount: 100_000,
  invoiceDate: '2027-03-15',
  service: { start: '2027-03-15', end: '2028-03-15' },
  credits: [],
  voidedOn: null,
};

const sumOf = (values: number[]) => values.reduce((t, v) => t + v, 0);

describe('an annual plan invoiced on 15 March 2027, by hand', () => {
  const perMonth = ANNUAL_PER_MONTH;

  it('recognizes it day by day, month by month, exactly', () => {
    const { months, deferred, schedule } = revenueWaterfall([annual], {
      from: '2027-02',
      to: '2028-04',
      asOf: '2027-03-31',
    });
    expect(months[0]).toEqual({
      month: '2027-02',
      openingDeferred: 0,
      billed: 0,
      credited: 0,
      recognized: 0,
      closingDeferred: 0,
    });
    expect(months.slice(1, -1).map((m) => [m.month, m.recognized])).toEqual(perMonth);
    expect(months[1]).toMatchObject({ billed: 100_000, closingDeferred: 95_355 });
    expect(months[2]).toMatchObject({ openingDeferred: 95_355, closingDeferred: 87_158 });
    expect(months.at(-2)).toMatchObject({ openingDeferred: 3825, closingDeferred: 0 });
    expect(months.at(-1)).toMatchObject({ month: '2028-04', recognized: 0, closingDeferred: 0 });
    // The deferred balance at the end of March, and when it will be recognized.
    expect(deferred).toBe(95_355);
    expect(schedule).toEqual(asSchedule(perMonth.slice(1)));
  });

  it('spreads what a refund leaves over the days after it', () => {
    // Net EUR 120.00 credited on 10 June: 87 days earned 23770 (100000 × 87 / 366 = 23770.5,
    // rounded half up from the cumulative 23770.49…); 76230 was left, 64230 after the credit,
    // spread over the 279 days from 10 June 2027 to 14 March 2028.
    const refunded = { ...annual, credits: [{ date: '2027-06-10', amount: 12_000 }] };
    const { months, deferred, schedule } = revenueWaterfall([refunded], {
      from: '2027-03',
      to: '2027-07',
      asOf: '2027-06-30',
    });
    expect(months).toEqual(REFUNDED_MONTHS);
    expect(deferred).toBe(59_395);
    expect(schedule).toEqual(asSchedule(REFUNDED_SCHEDULE));
    expect(sumOf(schedule.map((s) => s.amount))).toBe(deferred);
  });

  it('leaves out a credit note dated after the report’s date', () => {
    const refunded = { ...annual, credits: [{ date: '2027-06-10', amount: 12_000 }] };
    const early = revenueWaterfall([refunded], {
      from: '2027-06',
      to: '2027-06',
      asOf: '2027-06-09',
    });
    expect(early.months[0]).toMatchObject({ credited: 0, recognized: 8197 });
  });

  it('reverses on its date a credit that comes after the service period', () => {
    const late = { ...annual, credits: [{ date: '2028-05-02', amount: 5_000 }] };
    const { months } = revenueWaterfall([late], {
      from: '2028-05',
      to: '2028-05',
      asOf: '2028-05-31',
    });
    expect(months[0]).toEqual(row('2028-05', 0, 0, 5_000, -5_000, 0));
  });

  it('removes a voided invoice from every month, as of the void', () => {
    const voided = { ...annual, voidedOn: '2027-05-20' };
    const before = revenueWaterfall([voided], {
      from: '2027-03',
      to: '2027-04',
      asOf: '2027-05-19',
    });
    expect(before.months.map((m) => m.recognized)).toEqual([4645, 8197]);
    const after = revenueWaterfall([voided], {
      from: '2027-03',
      to: '2027-04',
      asOf: '2027-05-20',
    });
    expect(after.months.map((m) => [m.billed, m.recognized])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(after.deferred).toBe(0);
  });

  it('recognizes usage in the days it was used, though invoiced after them', () => {
    // March's API calls, EUR 310.00, invoiced on 1 April: 10.00 a day in March.
    const usage: InvoicedLine = {
      amount: 31_000,
      invoiceDate: '2027-04-01',
      service: { start: '2027-03-01', end: '2027-04-01' },
      credits: [],
      voidedOn: null,
    };
    const before = revenueWaterfall([usage], {
      from: '2027-03',
      to: '2027-04',
      asOf: '2027-03-31',
    });
    expect(before.months.map((m) => m.recognized)).toEqual([0, 0]); // not invoiced yet
    const { months, deferred } = revenueWaterfall([usage], {
      from: '2027-03',
      to: '2027-04',
      asOf: '2027-04-01',
    });
    // Earned in March, billed in April: March ends with 310.00 earned and not yet billed.
    expect(months).toEqual([
      row('2027-03', 0, 0, 0, 31_000, -31_000),
      row('2027-04', -31_000, 31_000, 0, 0, 0),
    ]);
    expect(deferred).toBe(0);
  });

  it('spreads a credit for unused time (a negative line) like any other', () => {
    // A downgrade on 11 March credits 21 unused days of a EUR 31.00 month: −21.00 over them.
    const unused: InvoicedLine = {
      amount: -2_100,
      invoiceDate: '2027-03-11',
      service: { start: '2027-03-11', end: '2027-04-01' },
      credits: [],
      voidedOn: null,
    };
    const parts = dailyParts(recognitionSchedule(unused));
    expect(parts).toHaveLength(21);
    expect(parts.every((p) => p.amount === -100)).toBe(true);
  });

  it('recognizes a line without a service period on its invoice date', () => {
    const fee: InvoicedLine = {
      amount: 25_000,
      invoiceDate: '2027-04-30',
      service: null,
      credits: [],
      voidedOn: null,
    };
    const { months, schedule } = revenueWaterfall([fee], {
      from: '2027-04',
      to: '2027-05',
      asOf: '2027-04-30',
    });
    expect(months).toEqual([
      row('2027-04', 0, 25_000, 0, 25_000, 0),
      row('2027-05', 0, 0, 0, 0, 0),
    ]);
    expect(schedule).toEqual([]);
  });
});

const row = waterfallRow;

// --- properties -----------------------------------------------------------------------------

const FIRST_DAY = dayNumber('2024-01-01');

const lineArb = fc
  .record({
    amount: fc.oneof(
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 1_000_000_000_000 }),
    ),
    issued: fc.integer({ min: 0, max: 1500 }),
    service: fc.option(
      fc.record({
        offset: fc.integer({ min: -60, max: 60 }),
        days: fc.integer({ min: 0, max: 800 }),
      }),
    ),
    credits: fc.array(
      fc.record({
        after: fc.integer({ min: 0, max: 900 }),
        share: fc.integer({ min: 0, max: 1000 }),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ amount, issued, service, credits }): RevenueLine => {
    // Credits take shares of what is left, so together they never exceed the line.
    let left = amount;
    const lineCredits: LineCredit[] = credits.map(({ after, share }) => {
      const credit = Math.floor((left * share) / 1000);
      left -= credit;
      return { date: dateOfDay(FIRST_DAY + issued + after), amount: credit };
    });
    const start = FIRST_DAY + issued + (service?.offset ?? 0);
    return {
      amount,
      invoiceDate: dateOfDay(FIRST_DAY + issued),
      service: service ? { start: dateOfDay(start), end: dateOfDay(start + service.days) } : null,
      credits: lineCredits,
    };
  });

describe('recognition properties', () => {
  it('numbers days as the calendar does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: dayNumber('1000-01-01'), max: dayNumber('9998-12-31') }),
        (day) => {
          const date = dateOfDay(day);
          expect(Date.parse(`${date}T00:00:00Z`) / 86_400_000).toBe(day);
          expect(dayNumber(date)).toBe(day);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('sums each line’s daily parts exactly to what was billed less what was credited', () => {
    fc.assert(
      fc.property(lineArb, (line) => {
        const parts = dailyParts(recognitionSchedule(line));
        const credited = sumOf(line.credits.map((c) => c.amount));
        expect(parts.every((p) => Number.isSafeInteger(p.amount))).toBe(true);
        expect(sumOf(parts.map((p) => p.amount))).toBe(line.amount - credited);
      }),
      { numRuns: 300 },
    );
  });

  it('never recognizes more than was billed, on any day', () => {
    fc.assert(
      fc.property(lineArb, (line) => {
        let recognized = 0;
        for (const part of dailyParts(recognitionSchedule(line))) {
          recognized += part.amount;
          expect(recognized).toBeLessThanOrEqual(line.amount);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('spreads a line without credits evenly: no day more than one minor unit off another', () => {
    fc.assert(
      fc.property(lineArb, (line) => {
        fc.pre(line.service !== null);
        const parts = dailyParts(recognitionSchedule({ ...line, credits: [] }));
        const amounts = parts.map((p) => p.amount);
        expect(amounts.every((a) => a >= 0)).toBe(true);
        if (amounts.length > 1) {
          expect(Math.max(...amounts) - Math.min(...amounts)).toBeLessThanOrEqual(1);
        }
        const days = dayNumber(line.service.end) - dayNumber(line.service.start);
        expect(parts.every((p) => p.day >= dayNumber(line.service!.start))).toBe(true);
        expect(parts.every((p) => p.day < dayNumber(line.service!.start) + Math.max(days, 1))).toBe(
          true,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('carries the deferred balance month to month, and schedules exactly that balance', () => {
    const invoicedArb = fc.array(
      fc.tuple(lineArb, fc.option(fc.integer({ min: 0, max: 1500 }))).map(([line, voided]) => ({
        ...line,
        voidedOn: voided === null ? null : dateOfDay(FIRST_DAY + voided),
      })),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(invoicedArb, fc.integer({ min: 0, max: 2000 }), (lines, asOfDay) => {
        const asOf = dateOfDay(FIRST_DAY + asOfDay);
        const everything = revenueWaterfall(lines, { from: '2023-01', to: '2031-12', asOf });
        const { months, deferred, schedule } = everything;
        for (const [i, m] of months.entries()) {
          expect(m.closingDeferred).toBe(m.openingDeferred + m.billed - m.credited - m.recognized);
          if (i > 0) expect(m.openingDeferred).toBe(months[i - 1]!.closingDeferred);
        }
        // Over all time, what was billed less credited is recognized, to the minor unit.
        expect(months[0]!.openingDeferred).toBe(0);
        expect(months.at(-1)!.closingDeferred).toBe(0);
        expect(sumOf(months.map((m) => m.recognized))).toBe(
          sumOf(months.map((m) => m.billed - m.credited)),
        );
        expect(sumOf(schedule.map((s) => s.amount))).toBe(deferred);
        const asOfMonth = months.find((m) => m.month === asOf.slice(0, 7))!;
        const alreadyThisMonth =
          asOfMonth.recognized - (schedule[0]?.month === asOfMonth.month ? schedule[0].amount : 0);
        expect(deferred).toBe(
          asOfMonth.openingDeferred + asOfMonth.billed - asOfMonth.credited - alreadyThisMonth,
        );
      }),
      { numRuns: 150 },
    );
  });
});
