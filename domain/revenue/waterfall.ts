// The deferred-revenue waterfall: per month what was billed, credited and recognized, and the
// deferred balance it leaves (billed − credited − recognized, carried from month to month); and
// when the deferred balance at a date will be recognized. Everything as of that date: invoices
// and credit notes dated after it are not there yet, and a void on or before it removes its
// invoice as if never issued (with the void's credit note).
import {
  dayNumber,
  firstDayAfter,
  firstDayOf,
  monthOfDay,
  monthsBetween,
  type CalendarDate,
  type CalendarMonth,
} from './calendar.ts';
import {
  recognitionSchedule,
  recognizedBetween,
  scheduleDays,
  type RecognitionSchedule,
  type RevenueLine,
} from './recognition.ts';

/** A line of a finalized invoice, with the date its invoice was voided, if it was. */
export interface InvoicedLine extends RevenueLine {
  voidedOn: CalendarDate | null;
}

export interface WaterfallMonth {
  month: CalendarMonth;
  openingDeferred: number;
  billed: number;
  credited: number;
  recognized: number;
  closingDeferred: number;
}

export interface Waterfall {
  months: WaterfallMonth[];
  /** The deferred balance at the end of `asOf`. */
  deferred: number;
  /** When that balance is recognized: per month from asOf's (its days after asOf) on. */
  schedule: { month: CalendarMonth; amount: number }[];
}

const BEFORE_TIME = Number.MIN_SAFE_INTEGER;

/** A line as of the report's date, its dates as day numbers. */
interface Counted {
  invoiceDay: number;
  amount: number;
  credits: { day: number; amount: number }[];
  schedule: RecognitionSchedule;
  span: { first: number; last: number } | null;
}

/** The lines as they stood at the end of `asOf`: issued by then, not voided by then. */
function asOfDate(lines: readonly InvoicedLine[], asOf: CalendarDate): Counted[] {
  const last = dayNumber(asOf);
  const counted: Counted[] = [];
  for (const invoiced of lines) {
    const invoiceDay = dayNumber(invoiced.invoiceDate);
    if (invoiceDay > last) continue;
    if (invoiced.voidedOn !== null && dayNumber(invoiced.voidedOn) <= last) continue;
    const credits = invoiced.credits
      .map((c) => ({ date: c.date, day: dayNumber(c.date), amount: c.amount }))
      .filter((c) => c.day <= last);
    const schedule = recognitionSchedule({ ...invoiced, credits });
    counted.push({
      invoiceDay,
      amount: invoiced.amount,
      credits,
      schedule,
      span: scheduleDays(schedule),
    });
  }
  return counted;
}

/** Buckets of days [bounds[i], bounds[i + 1]): the index of `day`'s, −1 before, n after. */
function bucketOf(bounds: readonly number[], day: number): number {
  if (day < bounds[0]!) return -1;
  let [low, high] = [0, bounds.length - 1];
  while (low < high) {
    const mid = (low + high) >> 1;
    if (day < bounds[mid + 1]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** What the lines recognize in each bucket: each line in the buckets its schedule reaches. */
function recognizedPerBucket(counted: readonly Counted[], bounds: readonly number[]): number[] {
  const totals = new Array<number>(bounds.length - 1).fill(0);
  for (const line of counted) {
    if (!line.span) continue;
    const first = Math.max(bucketOf(bounds, line.span.first), 0);
    const last = Math.min(bucketOf(bounds, line.span.last), totals.length - 1);
    for (let i = first; i <= last; i++) {
      totals[i]! += recognizedBetween(line.schedule, bounds[i]!, bounds[i + 1]!);
    }
  }
  return totals;
}

/** Billed − credited − recognized on days before `day`. */
function deferredBefore(line: Counted, day: number): number {
  let total = line.invoiceDay < day ? line.amount : 0;
  for (const credit of line.credits) if (credit.day < day) total -= credit.amount;
  return total - recognizedBetween(line.schedule, BEFORE_TIME, day);
}

export function revenueWaterfall(
  lines: readonly InvoicedLine[],
  window: { from: CalendarMonth; to: CalendarMonth; asOf: CalendarDate },
): Waterfall {
  const counted = asOfDate(lines, window.asOf);
  const monthList = monthsBetween(window.from, window.to);
  const bounds = [...monthList.map(firstDayOf), firstDayAfter(window.to)];
  const billed = new Array<number>(monthList.length).fill(0);
  const credited = new Array<number>(monthList.length).fill(0);
  for (const line of counted) {
    const i = bucketOf(bounds, line.invoiceDay);
    if (i >= 0 && i < billed.length) billed[i]! += line.amount;
    for (const credit of line.credits) {
      const j = bucketOf(bounds, credit.day);
      if (j >= 0 && j < credited.length) credited[j]! += credit.amount;
    }
  }
  const recognized = recognizedPerBucket(counted, bounds);
  let opening = counted.reduce((t, line) => t + deferredBefore(line, bounds[0]!), 0);
  const months = monthList.map((month, i): WaterfallMonth => {
    const row = { month, openingDeferred: opening, billed: billed[i]!, credited: credited[i]! };
    const closingDeferred = opening + row.billed - row.credited - recognized[i]!;
    opening = closingDeferred;
    return { ...row, recognized: recognized[i]!, closingDeferred };
  });

  const after = dayNumber(window.asOf) + 1;
  const deferred = counted.reduce((t, line) => t + deferredBefore(line, after), 0);
  const lastDay = counted.reduce(
    (last, line) => Math.max(last, line.span?.last ?? last),
    after - 1,
  );
  if (lastDay < after) return { months, deferred, schedule: [] };
  const scheduled = monthsBetween(monthOfDay(after), monthOfDay(lastDay));
  const scheduleBounds = [after, ...scheduled.slice(1).map(firstDayOf), lastDay + 1];
  const amounts = recognizedPerBucket(counted, scheduleBounds);
  return {
    months,
    deferred,
    schedule: scheduled.map((month, i) => ({ month, amount: amounts[i]! })),
  };
}
