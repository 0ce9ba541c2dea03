// Billing schedules: how a subscription's periods are laid out, and how partial periods are
// prorated. Three anchorings, all read in the customer's time zone (DST-safe: boundaries are
// local wall times, and lengths are counted in local calendar days, never in hours):
//
//   anniversary  periods repeat the start's local date and time (core/periods.ts);
//   calendar     periods align to calendar units: days at midnight, weeks on Monday, months on
//                the 1st, quarters on Jan/Apr/Jul/Oct 1, years on Jan 1. With intervalCount N,
//                periods are N units long counted from the unit containing the start;
//   billing_day  month/quarter/year periods start on day D (1–31) at midnight, clamped to short
//                months and returning (D = 31: Jan 31 → Feb 28 → Mar 31).
//
// scheduleCycle lays a schedule out as a BillingCycle; its periods come from billingPeriod
// (core/periods.ts), the one period function. A calendar or billing-day subscription started
// mid-period opens with a STUB: from the start to the first boundary, prorated against that
// full first period.
import { DateTime } from 'luxon';
import { decimal, roundToMinorUnits, type Fraction, type RoundingMode } from '../core/decimal.ts';
import { money, type Money } from '../core/money.ts';
import type { BillingCycle, Interval } from '../core/periods.ts';

export const ANCHORINGS = ['anniversary', 'calendar', 'billing_day'] as const;

export type Anchoring =
  | { type: 'anniversary' }
  | { type: 'calendar' }
  /** day 1–31; month, quarter and year intervals only. */
  | { type: 'billing_day'; day: number };

export interface BillingSchedule {
  interval: Interval;
  intervalCount: number;
  /** IANA zone of the customer, e.g. Europe/Paris. */
  timezone: string;
  /** The instant the subscription starts (ISO 8601). */
  startAt: string;
  anchoring: Anchoring;
}

export interface Span {
  /** Inclusive, ISO 8601 UTC. */
  start: string;
  /** Exclusive, ISO 8601 UTC. */
  end: string;
}

const START_OF: Record<Interval, 'day' | 'week' | 'month' | 'quarter' | 'year'> = {
  day: 'day',
  week: 'week', // ISO weeks: Monday
  month: 'month',
  quarter: 'quarter', // Jan, Apr, Jul, Oct
  year: 'year',
};

/**
 * The grid of full periods the schedule follows, as a BillingCycle anchored on the start of
 * the full period containing `startAt` (period 0 of the grid).
 */
export function scheduleCycle(schedule: BillingSchedule): BillingCycle {
  const { interval, intervalCount, timezone, anchoring } = schedule;
  const start = DateTime.fromISO(schedule.startAt, { zone: timezone });
  if (!start.isValid) throw new RangeError(`invalid start ${schedule.startAt} in ${timezone}`);
  const base = { interval, intervalCount, timezone };
  switch (anchoring.type) {
    case 'anniversary':
      return { ...base, anchor: schedule.startAt };
    case 'calendar':
      return { ...base, anchor: start.startOf(START_OF[interval]).toUTC().toISO() };
    case 'billing_day': {
      const day = anchoring.day;
      if (interval === 'day' || interval === 'week') {
        throw new RangeError(`a billing day needs a month, quarter or year interval`);
      }
      if (!Number.isInteger(day) || day < 1 || day > 31) {
        throw new RangeError(`billing day must be an integer 1–31, got ${day}`);
      }
      const onDay = (month: DateTime<true>) => month.set({ day: Math.min(day, month.daysInMonth) });
      let anchor = onDay(start.startOf('month'));
      if (anchor > start) anchor = onDay(start.startOf('month').minus({ months: 1 }));
      return { ...base, anchor: anchor.toUTC().toISO(), billingDay: day };
    }
  }
}

/** Whole local calendar days from a's date to b's date in the zone (DST-proof). */
function localDays(a: string, b: string, timezone: string): number {
  const day = (iso: string) => {
    const d = DateTime.fromISO(iso, { zone: timezone });
    if (!d.isValid) throw new RangeError(`invalid instant ${iso}`);
    return Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
  };
  return day(b) - day(a);
}

/**
 * The share of `period` that [from, to) covers, exact to the day: local calendar days of the
 * piece / local calendar days of the period, counted in the customer's zone. A piece counts
 * from its first local date to its last (exclusive), so consecutive pieces sum to exactly 1.
 * Example: a calendar month of February 2027 started on the 10th → 19/28.
 */
export function prorationFactor(
  period: Span,
  from: string,
  to: string,
  timezone: string,
): Fraction {
  const [s, e, f, t] = [period.start, period.end, from, to].map((x) => Date.parse(x));
  if (!(s! <= f! && f! <= t! && t! <= e!)) {
    throw new RangeError(`[${from}, ${to}) is not inside [${period.start}, ${period.end})`);
  }
  const denominator = localDays(period.start, period.end, timezone);
  if (denominator <= 0) throw new RangeError('a prorated period must span at least one day');
  return { numerator: localDays(from, to, timezone), denominator };
}

/** amount × factor, rounded once with the mode: 19/28 × €30.00 = €20.36 (half-up). */
export function prorate(amount: Money, factor: Fraction, mode: RoundingMode = 'half_up'): Money {
  const minor = roundToMinorUnits(
    {
      numerator: decimal(amount.amount).times(decimal(factor.numerator)),
      denominator: factor.denominator,
    },
    mode,
  );
  return money(minor, amount.currency);
}
