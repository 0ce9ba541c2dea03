// Project dates in the customer's calendar: when milestones fall due and which month's hours
// an invoice covers. Pure; shared by the project workflow and the API.
import { DateTime } from 'luxon';

/** The first instant after the due date (the end of that day) in the customer's zone. */
export function dueInstant(dueDate: string, timezone: string): string {
  return DateTime.fromISO(dueDate, { zone: timezone })
    .plus({ days: 1 })
    .startOf('day')
    .toUTC()
    .toISO()!;
}

/** `days` calendar days after `from`, same local time. */
export function daysAfter(from: string, days: number, timezone: string): string {
  return DateTime.fromISO(from, { zone: timezone }).plus({ days }).toUTC().toISO()!;
}

/** The next month start (local midnight) strictly after `instant`: when hours of the month are invoiced. */
export function nextMonthStart(instant: string, timezone: string): string {
  return DateTime.fromISO(instant, { zone: timezone })
    .startOf('month')
    .plus({ months: 1 })
    .toUTC()
    .toISO()!;
}

/** The month (YYYY-MM) that ends at `monthStart` (its first day excluded), and its first day. */
export function monthEndingAt(
  monthStart: string,
  timezone: string,
): { label: string; firstDay: string; endDay: string } {
  const end = DateTime.fromISO(monthStart, { zone: timezone });
  const start = end.minus({ months: 1 });
  return {
    label: start.toFormat('yyyy-MM'),
    firstDay: start.toISODate()!,
    endDay: end.toISODate()!,
  };
}
