// Revenue recognition, pure: when each invoice line's net amount (after discount, tax excluded)
// is earned. A line with a service period (a subscription's period, a usage period, a project's
// hours) is earned evenly over the period's calendar days; a line without one on its invoice's
// date. A credit note reduces what its line has still to earn from the credit's date on; when it
// takes back more than is left (or comes after the period), the difference is reversed on its date.
// Every day's part is exact integer minor units: cumulative rounding, so the parts of a spread
// always sum to its amount.
import { dayNumber, type CalendarDate } from './calendar.ts';

/** A credit note's part for one line: its net amount (tax excluded) and its date. */
export interface LineCredit {
  date: CalendarDate;
  amount: number;
}

/** An invoice line as revenue sees it. Dates are the customer's calendar dates. */
export interface RevenueLine {
  /** Net of discount, tax excluded, in minor units; negative for a credit line (unused time). */
  amount: number;
  invoiceDate: CalendarDate;
  /** First day included, end day excluded; null: earned at the invoice date. */
  service: { start: CalendarDate; end: CalendarDate } | null;
  /** Credit notes against the line, any order. */
  credits: readonly LineCredit[];
}

/**
 * `amount` spread over days [start, start + days), of which only days before `stop` count (a
 * credit cut the spread there). Through day k of the spread, round(amount · k / days) is earned.
 */
interface Spread {
  start: number;
  days: number;
  amount: number;
  stop: number;
}

/** When a line's amount is earned: spreads over days, and single-day amounts (reversals). */
export interface RecognitionSchedule {
  spreads: Spread[];
  points: { day: number; amount: number }[];
}

/** round(amount · k / days), halves away from zero, exact for any safe integers. */
function earnedThrough(amount: number, k: number, days: number): number {
  if (k <= 0) return 0;
  if (k >= days) return amount;
  const magnitude = Math.abs(amount);
  const numerator = 2 * magnitude * k + days;
  // Below 2^53 a double's quotient floors exactly; past it, BigInt.
  const rounded = Number.isSafeInteger(numerator)
    ? Math.floor(numerator / (2 * days))
    : Number((2n * BigInt(magnitude) * BigInt(k) + BigInt(days)) / (2n * BigInt(days)));
  return amount < 0 ? -rounded : rounded;
}

/** What a spread earns on days before `day`. */
function spreadBefore(spread: Spread, day: number): number {
  const k = Math.min(day, spread.stop) - spread.start;
  return earnedThrough(spread.amount, k, spread.days);
}

/** The line's schedule: its spread (or its invoice date's amount), cut and reduced by credits. */
export function recognitionSchedule(line: RevenueLine): RecognitionSchedule {
  assertMinorUnits(line.amount, 'line amount');
  const spreads: Spread[] = [];
  const points: { day: number; amount: number }[] = [];
  let open: Spread | null = null;
  if (line.service) {
    const start = dayNumber(line.service.start);
    const days = Math.max(dayNumber(line.service.end) - start, 1);
    open = { start, days, amount: line.amount, stop: start + days };
    spreads.push(open);
  } else {
    points.push({ day: dayNumber(line.invoiceDate), amount: line.amount });
  }
  const credits = [...line.credits].sort((a, b) => dayNumber(a.date) - dayNumber(b.date));
  for (const credit of credits) {
    assertMinorUnits(credit.amount, 'credit amount');
    const day = dayNumber(credit.date);
    const end = open ? open.start + open.days : day;
    const from = open ? Math.max(day, open.start) : day;
    // What the open spread has not yet earned on the credit's day.
    const left = open ? open.amount - spreadBefore(open, from) : 0;
    if (open) open.stop = Math.min(open.stop, from);
    const rest = left - credit.amount;
    const sameSign = rest === 0 || Math.sign(rest) === Math.sign(left);
    if (open && from < end && sameSign) {
      open = { start: from, days: end - from, amount: rest, stop: end };
      spreads.push(open);
    } else {
      open = null;
      if (rest !== 0) points.push({ day, amount: rest });
    }
  }
  return { spreads, points };
}

/** What the schedule earns on days in [fromDay, toDay). */
export function recognizedBetween(
  schedule: RecognitionSchedule,
  fromDay: number,
  toDay: number,
): number {
  let total = 0;
  for (const spread of schedule.spreads) {
    total += spreadBefore(spread, toDay) - spreadBefore(spread, fromDay);
  }
  for (const point of schedule.points) {
    if (point.day >= fromDay && point.day < toDay) total += point.amount;
  }
  return total;
}

/** The schedule's first and last day with anything earned (null when nothing ever is). */
export function scheduleDays(
  schedule: RecognitionSchedule,
): { first: number; last: number } | null {
  const days: number[] = [];
  for (const s of schedule.spreads) {
    if (s.stop > s.start) days.push(s.start, s.stop - 1);
  }
  for (const p of schedule.points) days.push(p.day);
  if (days.length === 0) return null;
  return { first: Math.min(...days), last: Math.max(...days) };
}

/** Each day's part, for the days that earn anything (in day order). */
export function dailyParts(schedule: RecognitionSchedule): { day: number; amount: number }[] {
  const span = scheduleDays(schedule);
  if (!span) return [];
  const parts: { day: number; amount: number }[] = [];
  for (let day = span.first; day <= span.last; day++) {
    const amount = recognizedBetween(schedule, day, day + 1);
    if (amount !== 0) parts.push({ day, amount });
  }
  return parts;
}

function assertMinorUnits(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`${what} must be a safe integer of minor units, got ${amount}`);
  }
}
