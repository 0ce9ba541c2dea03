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

interface Counted {
  line: RevenueLine;
  schedule: RecognitionSchedule;
}

/** The lines as they stood at the end of `asOf`: issued by then, not voided by then. */
function asOfDate(lines: readonly InvoicedLine[], asOf: CalendarDate): Counted[] {
  const last = dayNumber(asOf);
  const counted: Counted[] = [];
  for (const invoiced of lines) {
    if (dayNumber(invoiced.invoiceDate) > last) continue;
    if (invoiced.voidedOn !== null && dayNumber(invoiced.voidedOn) <= last) continue;
    const line: RevenueLine = {
      amount: invoiced.amount,
      invoiceDate: invoiced.invoiceDate,
      service: invoiced.service,
      credits: invoiced.credits.filter((c) => dayNumber(c.date) <= last),
    };
    counted.push({ line, schedule: recognitionSchedule(line) });
  }
  return counted;
}

/** Billed − credited on days before `day`. */
function netBilledBefore(line: RevenueLine, day: number): number {
  let total = dayNumber(line.invoiceDate) < day ? line.amount : 0;
  for (const credit of line.credits) if (dayNumber(credit.date) < day) total -= credit.amount;
  return total;
}

function sumBetween(values: Iterable<[day: number, amount: number]>, from: number, to: number) {
  let total = 0;
  for (const [day, amount] of values) if (day >= from && day < to) total += amount;
  return total;
}

export function revenueWaterfall(
  lines: readonly InvoicedLine[],
  window: { from: CalendarMonth; to: CalendarMonth; asOf: CalendarDate },
): Waterfall {
  const counted = asOfDate(lines, window.asOf);
  const bills: [number, number][] = counted.map(({ line }) => [
    dayNumber(line.invoiceDate),
    line.amount,
  ]);
  const credits: [number, number][] = counted.flatMap(({ line }) =>
    line.credits.map((c): [number, number] => [dayNumber(c.date), c.amount]),
  );
  const recognized = (from: number, to: number) =>
    counted.reduce((t, c) => t + recognizedBetween(c.schedule, from, to), 0);

  const start = firstDayOf(window.from);
  let opening = counted.reduce(
    (t, c) =>
      t + netBilledBefore(c.line, start) - recognizedBetween(c.schedule, BEFORE_TIME, start),
    0,
  );
  const months: WaterfallMonth[] = [];
  for (const month of monthsBetween(window.from, window.to)) {
    const [from, to] = [firstDayOf(month), firstDayAfter(month)];
    const row = {
      month,
      openingDeferred: opening,
      billed: sumBetween(bills, from, to),
      credited: sumBetween(credits, from, to),
      recognized: recognized(from, to),
    };
    const closingDeferred = opening + row.billed - row.credited - row.recognized;
    months.push({ ...row, closingDeferred });
    opening = closingDeferred;
  }

  const after = dayNumber(window.asOf) + 1;
  const deferred = counted.reduce(
    (t, c) =>
      t + netBilledBefore(c.line, after) - recognizedBetween(c.schedule, BEFORE_TIME, after),
    0,
  );
  const lastDay = counted.reduce(
    (last, c) => Math.max(last, scheduleDays(c.schedule)?.last ?? BEFORE_TIME),
    after - 1,
  );
  const schedule: { month: CalendarMonth; amount: number }[] = [];
  if (lastDay >= after) {
    for (const month of monthsBetween(monthOfDay(after), monthOfDay(lastDay))) {
      const from = Math.max(firstDayOf(month), after);
      schedule.push({ month, amount: recognized(from, firstDayAfter(month)) });
    }
  }
  return { months, deferred, schedule };
}
