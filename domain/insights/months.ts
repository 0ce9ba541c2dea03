// Calendar months in UTC ("YYYY-MM"), the unit every insight is reported in.

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A "YYYY-MM" month as [year, month 1–12]; undefined when it is not one. */
export function parseMonth(month: string): [number, number] | undefined {
  const match = MONTH.exec(month);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** The instant a month starts, 00:00 UTC on its first day. */
export function monthStart(month: string): Date {
  const [year, m] = parseMonth(month) ?? [NaN, NaN];
  return new Date(Date.UTC(year, m - 1, 1));
}

/** The instant the next month starts (a month is [monthStart, monthEnd)). */
export function monthEnd(month: string): Date {
  const [year, m] = parseMonth(month) ?? [NaN, NaN];
  return new Date(Date.UTC(year, m, 1));
}

/** The month's last instant (its last millisecond): where a month-end figure is taken. */
export function monthClose(month: string): Date {
  return new Date(monthEnd(month).getTime() - 1);
}

/** The month an instant falls in, UTC. */
export function monthOf(instant: Date): string {
  return instant.toISOString().slice(0, 7);
}

export function previousMonth(month: string): string {
  const [year, m] = parseMonth(month) ?? [NaN, NaN];
  return monthOf(new Date(Date.UTC(year, m - 2, 1)));
}

/** Every month from `from` to `to`, both included, in order (empty when from > to). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = from; m <= to; m = monthOf(monthEnd(m))) months.push(m);
  return months;
}
