// Project hours, pure: how time entries are rounded, priced, budgeted and turned into invoice
// lines. Shared by the API (recording time), the project workflow and its activities.
import {
  decimal,
  isDecimalString,
  roundToMinorUnits,
  toDecimalString,
  type DecimalString,
} from '../core/decimal.ts';
import { percentOf, type HoursTerms } from './terms.ts';

/** Minutes rounded up to the increment: 50 min at 15 → 60. */
export function roundMinutes(minutes: number, increment: number): number {
  if (!Number.isInteger(minutes) || minutes <= 0) throw new RangeError('minutes must be positive');
  if (!Number.isInteger(increment) || increment < 1) throw new RangeError('bad increment');
  return Math.ceil(minutes / increment) * increment;
}

/** billedMinutes / 60 × hourly rate, rounded half up once. */
export function hoursAmount(billedMinutes: number, hourlyRate: number): number {
  return roundToMinorUnits({
    numerator: decimal(billedMinutes).times(decimal(hourlyRate)),
    denominator: decimal(60),
  });
}

/** "1.25" for 75 minutes. */
export function hoursOf(minutes: number): string {
  return toDecimalString(decimal(minutes).div(60).round(2));
}

/** Hours as a request gives them ("1.5", 0.25) to whole minutes; throws on anything else. */
export function minutesOf(hours: string | number): number {
  const text = typeof hours === 'number' ? String(hours) : hours;
  if (!isDecimalString(text)) throw new RangeError('hours must be a decimal');
  const minutes = decimal(text).times(60);
  if (!minutes.eq(minutes.round(0)) || minutes.lte(0) || minutes.gt(24 * 60)) {
    throw new RangeError('hours must be a whole number of minutes, above 0 and at most 24');
  }
  return minutes.toNumber();
}

export interface BudgetCheck {
  /** This entry crosses the warning threshold (it was below before). */
  crossesWarning: boolean;
  /** The budget would be exceeded. */
  exceeds: boolean;
  usedAfter: number;
}

/** Where billable hours stand against the budget once `adding` more is recorded. */
export function checkBudget(
  budget: HoursTerms['budget'],
  usedBefore: number,
  adding: number,
): BudgetCheck {
  const usedAfter = usedBefore + adding;
  if (!budget) return { crossesWarning: false, exceeds: false, usedAfter };
  const threshold = percentOf(budget.amount, String(budget.warnAtPercent));
  return {
    crossesWarning: usedBefore < threshold && usedAfter >= threshold,
    exceeds: usedAfter > budget.amount,
    usedAfter,
  };
}

export interface BillableEntry {
  id: string;
  person: string;
  role: string | null;
  workDate: string;
  billedMinutes: number;
  hourlyRate: number;
  amount: number;
  description: string;
}

export interface HoursLine {
  description: string;
  /** Hours: exact ("2.5", "0.25"), or to 2 places when minutes / 60 does not terminate. */
  quantity: DecimalString;
  /** The hourly rate when hours × rate, rounded once, is the amount; otherwise null. */
  unitAmount: DecimalString | null;
  amount: number;
}

/** A line of `minutes` at `rate` whose amount is `amount` (the entries' rounded amounts). */
function hoursLine(description: string, minutes: number, rate: number, amount: number): HoursLine {
  // minutes / 60 terminates exactly when the 3 in 60 divides the minutes.
  const exact = minutes % 3 === 0;
  return {
    description,
    quantity: hoursOf(minutes),
    unitAmount: exact && hoursAmount(minutes, rate) === amount ? String(rate) : null,
    amount,
  };
}

/**
 * Invoice lines for time entries: one per entry, or one per (person, rate) whose amount is the
 * sum of its entries' (each entry rounded once, so a credit note per entry matches).
 */
export function hoursLines(
  entries: readonly BillableEntry[],
  mode: HoursTerms['lines'],
  formatRate: (amount: number) => string,
): HoursLine[] {
  if (mode === 'per_entry') {
    return entries.map((e) =>
      hoursLine(
        `${e.workDate} ${e.person}${e.role ? ` (${e.role})` : ''}: ${e.description} — ${hoursOf(e.billedMinutes)} h at ${formatRate(e.hourlyRate)}/h`,
        e.billedMinutes,
        e.hourlyRate,
        e.amount,
      ),
    );
  }
  const groups = new Map<
    string,
    { person: string; rate: number; minutes: number; amount: number }
  >();
  for (const e of entries) {
    const key = `${e.person}\u0000${e.hourlyRate}`;
    const g = groups.get(key) ?? { person: e.person, rate: e.hourlyRate, minutes: 0, amount: 0 };
    g.minutes += e.billedMinutes;
    g.amount += e.amount;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) =>
    hoursLine(
      `${g.person}: ${hoursOf(g.minutes)} h at ${formatRate(g.rate)}/h`,
      g.minutes,
      g.rate,
      g.amount,
    ),
  );
}
