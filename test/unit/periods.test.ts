import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  billingPeriod,
  periodBoundary,
  periodIndexAt,
  periodLabel,
  type BillingCycle,
  type Interval,
} from '../../domain/core/periods.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('periods');

const monthly = (anchor: string, timezone = 'UTC'): BillingCycle => ({
  interval: 'month',
  intervalCount: 1,
  anchor,
  timezone,
});

describe('periodBoundary', () => {
  it('clamps to the end of short months and returns to the anchor day', () => {
    const cycle = monthly('2027-01-31T00:00:00Z');
    expect([0, 1, 2, 3].map((i) => periodBoundary(cycle, i))).toEqual([
      '2027-01-31T00:00:00.000Z',
      '2027-02-28T00:00:00.000Z',
      '2027-03-31T00:00:00.000Z',
      '2027-04-30T00:00:00.000Z',
    ]);
  });

  it('uses February 29 in leap years', () => {
    const cycle = monthly('2028-01-31T00:00:00Z');
    expect(periodBoundary(cycle, 1)).toBe('2028-02-29T00:00:00.000Z');
    expect(periodBoundary(cycle, 2)).toBe('2028-03-31T00:00:00.000Z');
    const yearly: BillingCycle = {
      interval: 'year',
      intervalCount: 1,
      anchor: '2028-02-29T12:00:00Z',
      timezone: 'UTC',
    };
    expect(periodBoundary(yearly, 1)).toBe('2029-02-28T12:00:00.000Z');
    expect(periodBoundary(yearly, 4)).toBe('2032-02-29T12:00:00.000Z');
  });

  it('keeps the local wall time across daylight-saving changes', () => {
    // 09:00 in Paris is 08:00Z in winter and 07:00Z in summer.
    const cycle = monthly('2027-03-01T09:00:00+01:00', 'Europe/Paris');
    expect(periodBoundary(cycle, 0)).toBe('2027-03-01T08:00:00.000Z');
    expect(periodBoundary(cycle, 1)).toBe('2027-04-01T07:00:00.000Z');
    expect(periodBoundary(cycle, 8)).toBe('2027-11-01T08:00:00.000Z');
    // New York springs forward on 2027-03-14: a daily cycle still renews at 00:30 local.
    const daily: BillingCycle = {
      interval: 'day',
      intervalCount: 1,
      anchor: '2027-03-13T00:30:00-05:00',
      timezone: 'America/New_York',
    };
    expect(periodBoundary(daily, 1)).toBe('2027-03-14T05:30:00.000Z');
    expect(periodBoundary(daily, 2)).toBe('2027-03-15T04:30:00.000Z');
  });

  it('reads the calendar in the customer time zone, not UTC', () => {
    // 2027-01-31 23:30 in Auckland is still the 31st there, but the 31st 10:30Z in UTC.
    const cycle = monthly('2027-01-31T23:30:00+13:00', 'Pacific/Auckland');
    expect(periodBoundary(cycle, 1)).toBe('2027-02-28T10:30:00.000Z');
  });

  it('supports weekly, quarterly and multi-interval cycles', () => {
    const base = { anchor: '2027-01-15T00:00:00Z', timezone: 'UTC' };
    const at = (interval: Interval, intervalCount: number, i: number) =>
      periodBoundary({ ...base, interval, intervalCount }, i);
    expect(at('week', 2, 1)).toBe('2027-01-29T00:00:00.000Z');
    expect(at('quarter', 1, 1)).toBe('2027-04-15T00:00:00.000Z');
    expect(at('quarter', 1, 4)).toBe('2028-01-15T00:00:00.000Z');
    expect(at('year', 1, -1)).toBe('2026-01-15T00:00:00.000Z');
  });

  it('rejects unknown zones and bad counts', () => {
    expect(() => periodBoundary(monthly('2027-01-01T00:00:00Z', 'Mars/Olympus'), 0)).toThrow(
      /time zone/,
    );
    expect(() =>
      periodBoundary({ ...monthly('2027-01-01T00:00:00Z'), intervalCount: 0 }, 0),
    ).toThrow(/intervalCount/);
  });
});

describe('periodIndexAt', () => {
  it('finds the period containing an instant, start inclusive and end exclusive', () => {
    const cycle = monthly('2027-01-31T09:00:00+01:00', 'Europe/Paris');
    const second = billingPeriod(cycle, 1);
    expect(periodIndexAt(cycle, second.start)).toBe(1);
    expect(periodIndexAt(cycle, new Date(Date.parse(second.end) - 1).toISOString())).toBe(1);
    expect(periodIndexAt(cycle, second.end)).toBe(2);
    expect(periodIndexAt(cycle, '2026-12-01T00:00:00Z')).toBe(-2);
  });

  it('agrees with the boundaries for any instant (property)', () => {
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.constantFrom(...(['day', 'week', 'month', 'quarter', 'year'] as const)),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(...zones),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        (interval, intervalCount, timezone, anchor, at) => {
          const cycle = { interval, intervalCount, timezone, anchor: anchor.toISOString() };
          const i = periodIndexAt(cycle, at.toISOString());
          const period = billingPeriod(cycle, i);
          return Date.parse(period.start) <= at.getTime() && at.getTime() < Date.parse(period.end);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('makes consecutive periods that tile time without gaps or overlaps (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        (i, anchor) => {
          const cycle = monthly(anchor.toISOString(), 'Europe/Paris');
          const a = billingPeriod(cycle, i);
          const b = billingPeriod(cycle, i + 1);
          return a.end === b.start && Date.parse(a.start) < Date.parse(a.end);
        },
      ),
    );
  });
});

describe('periodLabel', () => {
  it('names calendar months and otherwise the start date', () => {
    const calendar = monthly('2026-12-01T00:00:00+01:00', 'Europe/Paris');
    expect(periodLabel(billingPeriod(calendar, 0), calendar)).toBe('2026-12');
    const anniversary = monthly('2026-12-07T10:00:00+01:00', 'Europe/Paris');
    expect(periodLabel(billingPeriod(anniversary, 1), anniversary)).toBe('2027-01-07');
  });
});
