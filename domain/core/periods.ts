// Billing periods are calendar arithmetic in the customer's time zone, never fixed durations.
// Every boundary is computed from the anchor (anchor + n intervals), not from the previous
// boundary, so month-end clamping returns to the anchor day: Jan 31 → Feb 28 → Mar 31.
// Pure and deterministic: shared by workflows (replayed) and activities.
import { DateTime, IANAZone } from 'luxon';

export const INTERVALS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Interval = (typeof INTERVALS)[number];

export interface BillingCycle {
  interval: Interval;
  /** Every N intervals, e.g. 2 with 'week' for fortnightly. */
  intervalCount: number;
  /** The instant billing is anchored on (ISO 8601); its local wall time repeats each period. */
  anchor: string;
  /** IANA zone the calendar is read in, e.g. Europe/Paris. */
  timezone: string;
  /**
   * Bill cycle day 1–31 for month, quarter and year intervals: each boundary falls on this day
   * of its month, clamped to short months and returning (31 → Feb 28 → Mar 31), whatever the
   * anchor's own day. Absent: the anchor's day (anniversary). See subscriptions/billing-cycles.ts.
   */
  billingDay?: number;
}

export interface BillingPeriod {
  /** 0 for the period that starts at the anchor. */
  index: number;
  /** Inclusive start, ISO 8601 UTC. */
  start: string;
  /** Exclusive end, ISO 8601 UTC. */
  end: string;
}

export function isValidTimezone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function anchorIn(cycle: BillingCycle): DateTime {
  if (!isValidTimezone(cycle.timezone)) throw new RangeError(`unknown time zone ${cycle.timezone}`);
  if (!Number.isInteger(cycle.intervalCount) || cycle.intervalCount < 1) {
    throw new RangeError(`intervalCount must be a positive integer, got ${cycle.intervalCount}`);
  }
  const anchor = DateTime.fromISO(cycle.anchor, { zone: cycle.timezone });
  if (!anchor.isValid) throw new RangeError(`invalid anchor ${cycle.anchor}`);
  return anchor;
}

function step(interval: Interval, n: number) {
  switch (interval) {
    case 'day':
      return { days: n };
    case 'week':
      return { weeks: n };
    case 'month':
      return { months: n };
    case 'quarter':
      return { months: 3 * n };
    case 'year':
      return { years: n };
  }
}

/** Start of period `index` (may be negative), as a UTC ISO instant. */
export function periodBoundary(cycle: BillingCycle, index: number): string {
  // Luxon adds calendar units in local wall time and clamps to the month's last day;
  // a wall time that falls into a DST gap moves forward, as a clock would.
  const local = anchorIn(cycle).plus(step(cycle.interval, index * cycle.intervalCount));
  const day = cycle.billingDay;
  if (day === undefined || cycle.interval === 'day' || cycle.interval === 'week') {
    return local.toUTC().toISO()!;
  }
  if (!Number.isInteger(day) || day < 1 || day > 31) {
    throw new RangeError(`billingDay must be an integer 1–31, got ${day}`);
  }
  return local
    .set({ day: Math.min(day, local.daysInMonth!) })
    .toUTC()
    .toISO()!;
}

export function billingPeriod(cycle: BillingCycle, index: number): BillingPeriod {
  return { index, start: periodBoundary(cycle, index), end: periodBoundary(cycle, index + 1) };
}

/** Index of the period that contains `instant` (start inclusive, end exclusive). */
export function periodIndexAt(cycle: BillingCycle, instant: string): number {
  const at = DateTime.fromISO(instant, { zone: 'utc' }).toMillis();
  const anchor = anchorIn(cycle);
  const unit = cycle.interval === 'quarter' ? 'months' : (`${cycle.interval}s` as const);
  const perStep = (cycle.interval === 'quarter' ? 3 : 1) * cycle.intervalCount;
  // Estimate from the calendar difference, then settle by at most a step or two.
  let index = Math.floor(
    DateTime.fromMillis(at, { zone: cycle.timezone }).diff(anchor, unit).as(unit) / perStep,
  );
  while (Date.parse(periodBoundary(cycle, index)) > at) index--;
  while (Date.parse(periodBoundary(cycle, index + 1)) <= at) index++;
  return index;
}

/** An ISO 8601 instant in UTC: "2027-02-10T14:00:00+01" → "2027-02-10T13:00:00.000Z". */
export function utcInstant(instant: string): string {
  const at = DateTime.fromISO(instant, { zone: 'utc' });
  if (!at.isValid) throw new RangeError(`invalid instant ${instant}`);
  return at.toISO();
}

/** Local calendar date of an instant in a zone, e.g. "2027-01-01", for people and summaries. */
export function localDate(instant: string, timezone: string): string {
  return DateTime.fromISO(instant, { zone: timezone }).toISODate()!;
}

/** Short label of a period for people, e.g. "2026-12" for a month, "2026-12-07" otherwise. */
export function periodLabel(period: BillingPeriod, cycle: BillingCycle): string {
  const start = DateTime.fromISO(period.start, { zone: cycle.timezone });
  if (cycle.interval === 'month' && cycle.intervalCount === 1 && start.day === 1)
    return start.toFormat('yyyy-MM');
  if (cycle.interval === 'year' && cycle.intervalCount === 1 && start.ordinal === 1)
    return start.toFormat('yyyy');
  return start.toISODate()!;
}
