// Calendar dates and months as revenue counts them: whole days numbered from 1970-01-01, with no
// time of day and no zone (the caller has already taken each instant's date in the customer's
// zone, as billing periods are drawn there).

/** A calendar date, YYYY-MM-DD. */
export type CalendarDate = string;
/** A calendar month, YYYY-MM. */
export type CalendarMonth = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
/** Years a date or month may have: four digits, with a year to spare after the last. */
const FIRST_YEAR = 1000;
const LAST_YEAR = 9998;

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date, in integers (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** [year, month, day] of a calendar date, or null when it is not one. */
function parseDate(value: string): [number, number, number] | null {
  const match = DATE.exec(value);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < FIRST_YEAR || y > LAST_YEAR || m < 1 || m > 12) return null;
  return d >= 1 && d <= daysInMonth(y, m) ? [y, m, d] : null;
}

export function isCalendarDate(value: string): boolean {
  return parseDate(value) !== null;
}

export function isCalendarMonth(value: string): boolean {
  const match = MONTH.exec(value);
  if (!match) return false;
  const [year, month] = [Number(match[1]), Number(match[2])];
  return year >= FIRST_YEAR && year <= LAST_YEAR && month >= 1 && month <= 12;
}

/** Days since 1970-01-01 (negative before). */
export function dayNumber(date: CalendarDate): number {
  const parsed = parseDate(date);
  if (!parsed) throw new RangeError(`not a calendar date: ${date}`);
  return daysFromCivil(...parsed);
}

export function dateOfDay(day: number): CalendarDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The month's index from year 0: comparable, and one apart for consecutive months. */
function monthIndex(month: CalendarMonth): number {
  if (!isCalendarMonth(month)) throw new RangeError(`not a calendar month: ${month}`);
  const [y, m] = month.split('-').map(Number) as [number, number];
  return y * 12 + (m - 1);
}

function monthOfIndex(index: number): CalendarMonth {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The months from `from` to `to`, both included (empty when `to` is before `from`). */
export function monthsBetween(from: CalendarMonth, to: CalendarMonth): CalendarMonth[] {
  const months: CalendarMonth[] = [];
  for (let i = monthIndex(from); i <= monthIndex(to); i++) months.push(monthOfIndex(i));
  return months;
}

/** How many months from `from` to `to`, both included. */
export function monthCount(from: CalendarMonth, to: CalendarMonth): number {
  return monthIndex(to) - monthIndex(from) + 1;
}

/** The day number of the month's first day. */
export function firstDayOf(month: CalendarMonth): number {
  return dayNumber(`${month}-01`);
}

/** The day number of the first day of the month after. */
export function firstDayAfter(month: CalendarMonth): number {
  const next = monthIndex(month) + 1;
  return daysFromCivil(Math.floor(next / 12), (next % 12) + 1, 1);
}

export function monthOfDay(day: number): CalendarMonth {
  return dateOfDay(day).slice(0, 7);
}
