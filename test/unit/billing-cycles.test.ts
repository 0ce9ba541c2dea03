import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  prorate,
  prorationFactor,
  scheduleCycle,
  type Anchoring,
  type BillingSchedule,
} from '../../domain/subscriptions/billing-cycles.ts';
import { money } from '../../domain/core/money.ts';
import {
  billingPeriod,
  periodBoundary,
  periodIndexAt,
  utcInstant,
  type Interval,
} from '../../domain/core/periods.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('billing-cycles');

const paris = (
  startAt: string,
  anchoring: Anchoring,
  interval: Interval = 'month',
): BillingSchedule => ({
  interval,
  intervalCount: 1,
  timezone: 'Europe/Paris',
  startAt,
  anchoring,
});

const calendar = { type: 'calendar' } as const;

/** Period `index` of the schedule's grid. */
const period = (schedule: BillingSchedule, index: number) =>
  billingPeriod(scheduleCycle(schedule), index);

/** The share of the first period billed: from the start to its end. */
const firstShare = (schedule: BillingSchedule) => {
  const first = period(schedule, 0);
  return prorationFactor(first, schedule.startAt, first.end, schedule.timezone);
};

describe('calendar anchoring', () => {
  it('opens with a stub up to the 1st, prorated by the days of the enclosing month', () => {
    // €30 a month, started 10 Feb 2027 14:00 in Paris: 19 of February's 28 days.
    const schedule = paris('2027-02-10T14:00:00+01:00', calendar);
    expect(utcInstant(schedule.startAt)).toBe('2027-02-10T13:00:00.000Z');
    expect(period(schedule, 0)).toEqual({
      index: 0,
      start: '2027-01-31T23:00:00.000Z',
      end: '2027-02-28T23:00:00.000Z', // 1 Mar 00:00 in Paris
    });
    const factor = firstShare(schedule);
    expect(factor).toEqual({ numerator: 19, denominator: 28 });
    expect(prorate(money(3000, 'EUR'), factor)).toEqual(money(2036, 'EUR')); // 20.357… → 20.36
    // Then whole calendar months, at local midnight across the clock change (28 Mar 2027).
    expect(period(schedule, 1)).toMatchObject({
      start: '2027-02-28T23:00:00.000Z',
      end: '2027-03-31T22:00:00.000Z',
    });
  });

  it('divides by the enclosing month, not by 30 days', () => {
    // Started 13 Mar 2027: 19 of March's 31 days; 3000 × 19/31 = 1838.709… → €18.39.
    const factor = firstShare(paris('2027-03-13T09:00:00+01:00', calendar));
    expect(factor).toEqual({ numerator: 19, denominator: 31 });
    expect(prorate(money(3000, 'EUR'), factor).amount).toBe(1839);
  });

  it('rounds an exact half up or to even', () => {
    // Started 16 Apr: 15/30 × €30.01 = €15.005.
    const factor = firstShare(paris('2027-04-16T00:00:00+02:00', calendar));
    expect(factor).toEqual({ numerator: 15, denominator: 30 });
    expect(prorate(money(3001, 'EUR'), factor, 'half_up').amount).toBe(1501);
    expect(prorate(money(3001, 'EUR'), factor, 'half_even').amount).toBe(1500);
  });

  it('aligns weeks on Monday, quarters on Jan/Apr/Jul/Oct 1 and years on Jan 1', () => {
    // Wednesday 13 Jan 2027 → Monday 18 Jan: 5 of 7 days.
    const week = paris('2027-01-13T10:00:00+01:00', calendar, 'week');
    expect(period(week, 0).end).toBe('2027-01-17T23:00:00.000Z');
    expect(firstShare(week)).toEqual({ numerator: 5, denominator: 7 });
    const quarter = paris('2027-02-10T10:00:00+01:00', calendar, 'quarter');
    expect(period(quarter, 0).end).toBe('2027-03-31T22:00:00.000Z'); // 1 Apr, summer time
    expect(firstShare(quarter)).toEqual({
      numerator: 50,
      denominator: 90,
    });
    const year = paris('2027-07-01T10:00:00+02:00', calendar, 'year');
    expect(period(year, 0).end).toBe('2027-12-31T23:00:00.000Z');
    expect(firstShare(year)).toEqual({
      numerator: 184,
      denominator: 365,
    });
  });

  it('has no stub when the subscription starts on a boundary', () => {
    const schedule = paris('2027-03-01T00:00:00+01:00', calendar);
    expect(period(schedule, 0).start).toBe(utcInstant(schedule.startAt));
    expect(firstShare(schedule)).toEqual({ numerator: 31, denominator: 31 });
  });
});

describe('billing day', () => {
  it('clamps day 31 to short months and returns to the 31st', () => {
    const schedule = paris('2027-02-10T12:00:00+01:00', { type: 'billing_day', day: 31 });
    const starts = [0, 1, 2, 3].map((i) => period(schedule, i));
    expect(starts.map((p) => p.end)).toEqual([
      '2027-02-27T23:00:00.000Z', // 28 Feb 00:00 Paris
      '2027-03-30T22:00:00.000Z', // 31 Mar
      '2027-04-29T22:00:00.000Z', // 30 Apr
      '2027-05-30T22:00:00.000Z', // 31 May
    ]);
    // The stub 10 → 28 Feb sits in the period 31 Jan → 28 Feb (28 days).
    expect(firstShare(schedule)).toEqual({
      numerator: 18,
      denominator: 28,
    });
  });

  it('uses 29 February in leap years', () => {
    const schedule = paris('2028-01-05T12:00:00+01:00', { type: 'billing_day', day: 30 });
    expect(period(schedule, 0).end).toBe('2028-01-29T23:00:00.000Z');
    expect(period(schedule, 1).end).toBe('2028-02-28T23:00:00.000Z'); // 29 Feb
    expect(period(schedule, 2).end).toBe('2028-03-29T22:00:00.000Z'); // 30 Mar
  });

  it('extends BillingCycle without changing anniversary cycles', () => {
    const base = {
      interval: 'month' as const,
      intervalCount: 1,
      anchor: '2027-01-15T00:00:00Z',
      timezone: 'UTC',
    };
    expect(periodBoundary({ ...base, billingDay: 31 }, 1)).toBe('2027-02-28T00:00:00.000Z');
    expect(periodBoundary({ ...base, billingDay: 31 }, 2)).toBe('2027-03-31T00:00:00.000Z');
    expect(periodBoundary(base, 2)).toBe('2027-03-15T00:00:00.000Z');
    expect(() => periodBoundary({ ...base, billingDay: 32 }, 1)).toThrow(/billingDay/);
  });

  it('needs a month, quarter or year interval', () => {
    expect(() =>
      scheduleCycle(paris('2027-02-10T12:00:00Z', { type: 'billing_day', day: 3 }, 'week')),
    ).toThrow(/billing day/);
  });
});

describe('anniversary anchoring', () => {
  it('repeats the start, with no stub', () => {
    const schedule = paris('2027-01-31T09:00:00+01:00', { type: 'anniversary' });
    expect(period(schedule, 0).start).toBe('2027-01-31T08:00:00.000Z');
    expect(utcInstant(schedule.startAt)).toBe(period(schedule, 0).start);
    expect(period(schedule, 1).start).toBe('2027-02-28T08:00:00.000Z');
  });
});

describe('proration', () => {
  it('counts local days in the customer zone, across daylight-saving changes', () => {
    // March 2027 in New York (clocks spring forward on the 14th): 31 days, 2 of them before the 3rd.
    const period = { start: '2027-03-01T05:00:00.000Z', end: '2027-04-01T04:00:00.000Z' };
    expect(
      prorationFactor(period, period.start, '2027-03-03T05:00:00.000Z', 'America/New_York'),
    ).toEqual({
      numerator: 2,
      denominator: 31,
    });
    expect(() => prorationFactor(period, '2027-02-01T00:00:00Z', period.end, 'UTC')).toThrow(
      /inside/,
    );
  });

  const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Sydney', 'Pacific/Auckland'];
  const anchorings: Anchoring[] = [
    { type: 'anniversary' },
    calendar,
    { type: 'billing_day', day: 31 },
    { type: 'billing_day', day: 15 },
  ];
  const scheduleArb = fc
    .record({
      interval: fc.constantFrom<Interval>('week', 'month', 'quarter', 'year'),
      intervalCount: fc.integer({ min: 1, max: 3 }),
      timezone: fc.constantFrom(...zones),
      startAt: fc
        .date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      anchoring: fc.constantFrom(...anchorings),
    })
    .filter((s) => s.anchoring.type !== 'billing_day' || s.interval !== 'week');

  it("sums a period's consecutive pieces to exactly 1 (property)", () => {
    fc.assert(
      fc.property(
        scheduleArb,
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        (schedule, index, cuts) => {
          const full = period(schedule, index);
          const [s, e] = [Date.parse(full.start), Date.parse(full.end)];
          const points = [
            s,
            ...cuts.map((c) => s + Math.floor((e - s) * c)).sort((a, b) => a - b),
            e,
          ].map((t) => new Date(t).toISOString());
          let numerators = 0;
          let denominator = 0;
          for (let i = 0; i + 1 < points.length; i++) {
            const f = prorationFactor(full, points[i]!, points[i + 1]!, schedule.timezone);
            numerators += f.numerator;
            denominator = f.denominator;
          }
          return numerators === denominator && denominator > 0;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lays periods end to end, the first holding the start (property)', () => {
    fc.assert(
      fc.property(scheduleArb, fc.integer({ min: 0, max: 30 }), (schedule, index) => {
        const a = period(schedule, index);
        const b = period(schedule, index + 1);
        const first = period(schedule, 0);
        const factor = firstShare(schedule);
        return (
          a.end === b.start &&
          Date.parse(a.start) < Date.parse(a.end) &&
          Date.parse(first.start) <= Date.parse(schedule.startAt) &&
          Date.parse(schedule.startAt) < Date.parse(first.end) &&
          periodIndexAt(scheduleCycle(schedule), b.start) === index + 1 &&
          factor.numerator <= factor.denominator
        );
      }),
      { numRuns: 200 },
    );
  });
});
