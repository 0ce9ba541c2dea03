// Calendar months in UTC ("YYYY-MM"), the unit every insight is reported in.

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A "YYYY-MM" month as [year, month 1–12]; undefined when it is not one. */
export function parseMonth(month: string): [number, number] | undefined {
  const match = MONTH.exec(month);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** 00:00 UTC on the first day of the month with this index (years below 100 included). */
function startOf(index: number): Date {
  const start = new Date(Date.UTC(2000, index % 12, 1));
  start.setUTCFullYear(Math.floor(index / 12));
  return start;
}

/** The instant a month starts, 00:00 UTC on its first day. */
export function monthStart(month: string): Date {
  return startOf(monthIndex(month));
}

/** The instant the next month starts (a month is [monthStart, monthEnd)). */
export function monthEnd(month: string): Date {
  return startOf(monthIndex(month) + 1);
}

/** The month's last instant (its last millisecond): where a month-end figure is taken. */
export function monthClose(month: string): Date {
  return new Date(monthEnd(month).getTime() - 1);
}

/** The month an instant falls in, UTC. */
export function monthOf(instant: Date): string {
  return instant.toISOString().slice(0, 7);
}

/** Months since year 0: "2027-01" is 2027 × 12. */
function monthIndex(month: string): number {
  const [year, m] = parseMonth(month) ?? [NaN, NaN];
  return year * 12 + m - 1;
}

function monthAt(index: number): string {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function previousMonth(month: string): string {
  return monthAt(monthIndex(month) - 1);
}

/** How many months from `from` to `to`, both included (0 or less when from > to). */
export function monthCount(from: string, to: string): number {
  return monthIndex(to) - monthIndex(from) + 1;
}

/** Every month from `from` to `to`, both included, in order (empty when from > to). */
export function monthsBetween(from: string, to: string): string[] {
  const start = monthIndex(from);
  return Array.from({ length: Math.max(0, monthCount(from, to)) }, (_, i) => monthAt(start + i));
}
