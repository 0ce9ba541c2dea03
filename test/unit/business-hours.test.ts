import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  describeSendingTime,
  nextSendingTime,
  parseSendWindow,
  type SendWindow,
} from '../../domain/collections/business-hours.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('business-hours');

const office: SendWindow = { start: '09:00', end: '18:00', weekdaysOnly: true };
const everyDay: SendWindow = { start: '09:00', end: '18:00', weekdaysOnly: false };

/** A local wall-clock time in a zone, as a UTC ISO instant. */
const local = (text: string, zone: string) => DateTime.fromISO(text, { zone }).toUTC().toISO()!;

describe('nextSendingTime', () => {
  it('sends at once inside the window', () => {
    const at = local('2027-01-05T10:15:00', 'Europe/Paris'); // Tuesday
    expect(nextSendingTime(at, 'Europe/Paris', office)).toBe(at);
    const opening = local('2027-01-05T09:00:00', 'Europe/Paris');
    expect(nextSendingTime(opening, 'Europe/Paris', office)).toBe(opening);
  });

  it('holds a 02:00 invoice until 09:00 the same local day', () => {
    expect(nextSendingTime(local('2027-01-05T02:00', 'Europe/Paris'), 'Europe/Paris', office)).toBe(
      local('2027-01-05T09:00', 'Europe/Paris'),
    );
  });

  it('moves past closing time to the next morning, and over the weekend', () => {
    const tuesdayEvening = local('2027-01-05T18:00', 'Asia/Tokyo');
    expect(nextSendingTime(tuesdayEvening, 'Asia/Tokyo', office)).toBe(
      local('2027-01-06T09:00', 'Asia/Tokyo'),
    );
    const fridayEvening = local('2027-01-08T19:30', 'America/New_York');
    expect(nextSendingTime(fridayEvening, 'America/New_York', office)).toBe(
      local('2027-01-11T09:00', 'America/New_York'), // Monday
    );
    const saturdayMorning = local('2027-01-09T08:00', 'America/New_York');
    expect(nextSendingTime(saturdayMorning, 'America/New_York', office)).toBe(
      local('2027-01-11T09:00', 'America/New_York'),
    );
    expect(nextSendingTime(saturdayMorning, 'America/New_York', everyDay)).toBe(
      local('2027-01-09T09:00', 'America/New_York'),
    );
  });

  it('judges the weekday in the customer zone, not in UTC', () => {
    // Monday 08:00 in Auckland is still Sunday in UTC.
    const mondayMorning = local('2027-01-11T08:00', 'Pacific/Auckland');
    expect(DateTime.fromISO(mondayMorning, { zone: 'UTC' }).weekday).toBe(7);
    expect(nextSendingTime(mondayMorning, 'Pacific/Auckland', office)).toBe(
      local('2027-01-11T09:00', 'Pacific/Auckland'),
    );
  });

  it('keeps 09:00 local across DST changes', () => {
    // Paris springs forward on Sunday 28 March 2027: 09:00 is then UTC+2.
    const saturdayNight = local('2027-03-27T23:00', 'Europe/Paris');
    expect(nextSendingTime(saturdayNight, 'Europe/Paris', everyDay)).toBe(
      '2027-03-28T07:00:00.000Z',
    );
    // New York falls back on Sunday 7 November 2027: 09:00 is then UTC-5.
    const sundayEarly = local('2027-11-07T01:30', 'America/New_York');
    expect(nextSendingTime(sundayEarly, 'America/New_York', everyDay)).toBe(
      '2027-11-07T14:00:00.000Z',
    );
  });

  it('opens just after a DST gap when the opening hour does not exist', () => {
    const window: SendWindow = { start: '02:30', end: '06:00', weekdaysOnly: false };
    // 02:30 does not exist in Paris on 28 March 2027: the clocks go from 02:00 to 03:00, and the
    // window is open from 03:00 CEST (not 03:30, which would skip half an hour of it).
    expect(nextSendingTime('2027-03-27T23:30:00.000Z', 'Europe/Paris', window)).toBe(
      local('2027-03-28T03:00', 'Europe/Paris'),
    );
  });
});

describe('nextSendingTime properties', () => {
  const zones = fc.constantFrom(
    'Europe/Paris',
    'America/New_York',
    'Asia/Tokyo',
    'Australia/Lord_Howe', // 30-minute DST shift
    'Asia/Kathmandu', // +05:45
    'Pacific/Auckland',
    'UTC',
  );
  const hhmm = (minutes: number) =>
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const windows = fc
    .tuple(
      fc.integer({ min: 0, max: 23 * 60 }),
      fc.integer({ min: 30, max: 12 * 60 }),
      fc.boolean(),
    )
    .map(([open, length, weekdaysOnly]) => ({
      start: hhmm(open),
      end: hhmm(Math.min(24 * 60, open + length)),
      weekdaysOnly,
    }));
  const instants = fc
    .integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') })
    .map((ms) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString());

  function inside(instant: string, zone: string, window: SendWindow): boolean {
    const at = DateTime.fromISO(instant, { zone });
    const minute = at.hour * 60 + at.minute;
    const [open, close] = [window.start, window.end].map((t) => {
      const [h, m] = t.split(':').map(Number);
      return h! * 60 + m!;
    });
    return (!window.weekdaysOnly || at.weekday <= 5) && minute >= open! && minute < close!;
  }

  it('never sends earlier, sends at once inside, and never skips an earlier open minute', () => {
    fc.assert(
      fc.property(instants, zones, windows, (instant, zone, window) => {
        const result = nextSendingTime(instant, zone, window);
        const ms = Date.parse(result);
        expect(ms).toBeGreaterThanOrEqual(Date.parse(instant));
        expect(result === instant).toBe(inside(instant, zone, window));
        if (result !== instant) {
          // The minute before the opening was closed, and the opening is within a week.
          const before = new Date(ms - 60_000).toISOString();
          expect(inside(before, zone, window)).toBe(false);
          expect(ms - Date.parse(instant)).toBeLessThanOrEqual(4 * 24 * 3_600_000);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('lands inside the window (or right after a DST gap that swallowed the opening)', () => {
    fc.assert(
      fc.property(instants, zones, windows, (instant, zone, window) => {
        const result = nextSendingTime(instant, zone, window);
        const at = DateTime.fromISO(result, { zone });
        const shiftedByGap = at.minus({ hours: 1 }).offset !== at.offset;
        expect(inside(result, zone, window) || shiftedByGap).toBe(true);
        // Idempotent: an opening is itself a sending time.
        if (inside(result, zone, window))
          expect(nextSendingTime(result, zone, window)).toBe(result);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseSendWindow and describeSendingTime', () => {
  it('reads EMAIL_SEND_WINDOW', () => {
    expect(parseSendWindow(undefined)).toBeUndefined();
    expect(parseSendWindow('  ')).toBeUndefined();
    expect(parseSendWindow('09:00-18:00')).toEqual(everyDay);
    expect(parseSendWindow('09:00-18:00,weekdays')).toEqual(office);
    expect(parseSendWindow('08:30 - 24:00, weekdays')).toEqual({
      start: '08:30',
      end: '24:00',
      weekdaysOnly: true,
    });
    expect(() => parseSendWindow('9-18')).toThrow(/EMAIL_SEND_WINDOW/);
    expect(() => parseSendWindow('18:00-09:00')).toThrow(/open before it closes/);
    expect(() => parseSendWindow('09:00-25:00')).toThrow(/HH:MM/);
  });

  it('describes the hold for the workflow summary', () => {
    const from = local('2027-01-05T02:00', 'Europe/Paris');
    expect(
      describeSendingTime(local('2027-01-05T09:00', 'Europe/Paris'), from, 'Europe/Paris'),
    ).toBe('09:00 Europe/Paris');
    expect(
      describeSendingTime(local('2027-01-11T09:00', 'Europe/Paris'), from, 'Europe/Paris'),
    ).toBe('2027-01-11 09:00 Europe/Paris');
  });
});

describe('a window opening inside a DST gap', () => {
  it('sends from the end of the gap, the first minute the window is open', () => {
    // Paris springs forward on 28 March 2027 at 02:00 (01:00Z): 02:01 never happens, and the
    // window 02:01–03:01 is open from 03:00 CEST (01:00Z) until 03:01.
    const window = { start: '02:01', end: '03:01', weekdaysOnly: false };
    expect(nextSendingTime('2027-03-27T02:01:00.000Z', 'Europe/Paris', window)).toBe(
      '2027-03-28T01:00:00.000Z',
    );
  });
});
