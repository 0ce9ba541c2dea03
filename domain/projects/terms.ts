// Project billing, pure: what a contract's deposit and milestones come to, what retainage holds
// back, how hours are rounded, priced and budgeted, and when things fall due in the customer's
// calendar. Shared by the API (validation), the project workflow and its activities (no I/O).
import { DateTime } from 'luxon';
import {
  decimal,
  isDecimalString,
  roundToMinorUnits,
  toDecimalString,
  type DecimalString,
} from '../core/decimal.ts';

/** A milestone's price: a fixed amount, a percentage of the contract, or what is left of it. */
export type MilestonePrice = { amount: number } | { percent: string } | { balance: true };

export interface MilestoneTerms {
  /** Stable key within the project, e.g. "design". */
  key: string;
  name: string;
  price: MilestonePrice;
  /** YYYY-MM-DD in the customer's calendar: the operator is reminded once it passes. */
  dueDate?: string;
  /** The customer must approve the completed milestone before it is invoiced. */
  requiresApproval: boolean;
  /** Approved automatically this many days after the approval request (stated in the email). */
  autoApproveAfterDays?: number;
}

export interface HoursTerms {
  /** Billed minutes are rounded up to this increment per entry (1 = no rounding). */
  roundingMinutes: number;
  /** Hourly rate (minor units) per role, used when an entry names a role and no rate. */
  rateCard: Record<string, number>;
  /** monthly: in arrears at each month start in the customer's zone; with_milestone: on the next milestone invoice. */
  invoicing: 'monthly' | 'with_milestone';
  /** One invoice line per person (and rate) or per entry. */
  lines: 'per_person' | 'per_entry';
  /** Not-to-exceed budget on billable hours' amount, with a warning threshold. */
  budget?: { amount: number; warnAtPercent: number; hardStop: boolean };
}

export interface ProjectTerms {
  contractValue: number;
  currency: string;
  deposit?: { amount: number } | { percent: string };
  milestones: MilestoneTerms[];
  /** Percent held back from each milestone invoice, released when the project completes. */
  retainagePercent?: string;
  /** Milestones must be completed in the order given. */
  sequential: boolean;
  hours?: HoursTerms;
}

/** A request field at fault, e.g. `milestones[1].price.percent`. */
export class ProjectTermsError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ProjectTermsError';
    this.field = field;
  }
}

export interface PricedProject {
  deposit: number;
  /** Each milestone's amount, in the order of the terms. */
  milestones: { key: string; amount: number }[];
}

const KEY = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** amount × percent / 100, rounded half up to minor units (once, per line). */
export function percentOf(amount: number, percent: string): number {
  return roundToMinorUnits({
    numerator: decimal(amount).times(decimal(percent)),
    denominator: decimal(100),
  });
}

function checkPercent(field: string, percent: string): void {
  if (!isDecimalString(percent) || decimal(percent).lte(0) || decimal(percent).gt(100)) {
    throw new ProjectTermsError(field, 'must be a decimal string above 0 and at most 100');
  }
}

/**
 * Prices the deposit and every milestone against the contract: percentages resolved, the
 * balance (at most one milestone) taking what is left. `frozen` keeps the amounts of milestones
 * already invoiced (a change order never re-prices what was billed). Throws ProjectTermsError
 * naming the field when percentages and amounts together exceed the contract.
 */
export function priceProject(
  terms: ProjectTerms,
  frozen: ReadonlyMap<string, number> = new Map(),
): PricedProject {
  const { contractValue } = terms;
  if (!Number.isSafeInteger(contractValue) || contractValue <= 0) {
    throw new ProjectTermsError('contractValue', 'must be a positive integer of minor units');
  }
  if (terms.retainagePercent !== undefined) {
    if (!isDecimalString(terms.retainagePercent) || decimal(terms.retainagePercent).lt(0)) {
      throw new ProjectTermsError('retainagePercent', 'must be a decimal string ≥ 0');
    }
    if (decimal(terms.retainagePercent).gte(100)) {
      throw new ProjectTermsError('retainagePercent', 'must be below 100');
    }
  }
  let deposit = 0;
  if (terms.deposit) {
    if ('percent' in terms.deposit) {
      checkPercent('deposit.percent', terms.deposit.percent);
      deposit = percentOf(contractValue, terms.deposit.percent);
    } else {
      deposit = terms.deposit.amount;
      if (!Number.isSafeInteger(deposit) || deposit <= 0 || deposit > contractValue) {
        throw new ProjectTermsError('deposit.amount', 'must be positive and within the contract');
      }
    }
  }
  if (terms.milestones.length === 0) {
    throw new ProjectTermsError('milestones', 'a project needs at least one milestone');
  }
  const seen = new Set<string>();
  let balanceIndex = -1;
  const amounts: number[] = terms.milestones.map((m, i) => {
    const field = `milestones[${i}]`;
    if (!KEY.test(m.key)) {
      throw new ProjectTermsError(`${field}.key`, 'lower-case letters, digits, - and _ only');
    }
    if (seen.has(m.key)) throw new ProjectTermsError(`${field}.key`, `duplicate key ${m.key}`);
    seen.add(m.key);
    if (m.dueDate !== undefined && !DateTime.fromISO(m.dueDate).isValid) {
      throw new ProjectTermsError(`${field}.dueDate`, 'must be a date YYYY-MM-DD');
    }
    if (
      m.autoApproveAfterDays !== undefined &&
      (!m.requiresApproval || !Number.isInteger(m.autoApproveAfterDays))
    ) {
      throw new ProjectTermsError(
        `${field}.autoApproveAfterDays`,
        'needs requiresApproval and a whole number of days',
      );
    }
    const fixed = frozen.get(m.key);
    if (fixed !== undefined) return fixed;
    const { price } = m;
    if ('balance' in price) {
      if (balanceIndex >= 0) {
        throw new ProjectTermsError(`${field}.price`, 'only one milestone may take the balance');
      }
      balanceIndex = i;
      return 0;
    }
    if ('percent' in price) {
      checkPercent(`${field}.price.percent`, price.percent);
      return percentOf(contractValue, price.percent);
    }
    if (!Number.isSafeInteger(price.amount) || price.amount <= 0) {
      throw new ProjectTermsError(`${field}.price.amount`, 'must be a positive integer');
    }
    if (price.amount > contractValue) {
      throw new ProjectTermsError(`${field}.price.amount`, 'exceeds the contract value');
    }
    return price.amount;
  });
  const priced = deposit + amounts.reduce((t, a) => t + a, 0);
  if (priced > contractValue) {
    throw new ProjectTermsError(
      'milestones',
      `the deposit and milestones come to ${priced}, more than the contract value ${contractValue}`,
    );
  }
  if (balanceIndex >= 0) {
    if (priced === contractValue) {
      throw new ProjectTermsError(
        `milestones[${balanceIndex}].price`,
        'nothing is left of the contract for the balance',
      );
    }
    amounts[balanceIndex] = contractValue - priced;
  }
  return {
    deposit,
    milestones: terms.milestones.map((m, i) => ({ key: m.key, amount: amounts[i]! })),
  };
}

/** What retainage holds back from a milestone invoice. */
export function retainageOf(amount: number, retainagePercent: string | undefined): number {
  return retainagePercent === undefined ? 0 : percentOf(amount, retainagePercent);
}

/** A change order: a new milestone, or a new price for one not yet completed; maybe a new contract value. */
export interface ChangeOrder {
  contractValue?: number;
  addMilestone?: MilestoneTerms;
  reprice?: { key: string; price: MilestonePrice };
}

/**
 * The terms after a change order, validated (throws ProjectTermsError). `locked` are milestones
 * already completed or invoiced: their price can no longer change.
 */
export function applyChangeOrder(
  terms: ProjectTerms,
  change: ChangeOrder,
  locked: ReadonlySet<string>,
  frozen: ReadonlyMap<string, number>,
): { terms: ProjectTerms; priced: PricedProject } {
  if (!change.addMilestone && !change.reprice && change.contractValue === undefined) {
    throw new ProjectTermsError('change', 'give addMilestone, reprice or contractValue');
  }
  let milestones = terms.milestones;
  if (change.reprice) {
    const { key, price } = change.reprice;
    if (!milestones.some((m) => m.key === key)) {
      throw new ProjectTermsError('reprice.key', `no milestone ${key}`);
    }
    if (locked.has(key)) {
      throw new ProjectTermsError(
        'reprice.key',
        `milestone ${key} is completed; it keeps its price`,
      );
    }
    milestones = milestones.map((m) => (m.key === key ? { ...m, price } : m));
  }
  if (change.addMilestone) milestones = [...milestones, change.addMilestone];
  const next: ProjectTerms = {
    ...terms,
    milestones,
    ...(change.contractValue !== undefined && { contractValue: change.contractValue }),
  };
  try {
    return { terms: next, priced: priceProject(next, frozen) };
  } catch (error) {
    if (!(error instanceof ProjectTermsError)) throw error;
    // Name the change order's own field, not the resulting terms'.
    const added = milestones.length - 1;
    const field =
      error.field === 'milestones'
        ? change.addMilestone
          ? 'addMilestone'
          : change.reprice
            ? 'reprice'
            : 'contractValue'
        : change.addMilestone
          ? error.field.replace(`milestones[${added}]`, 'addMilestone')
          : error.field;
    throw new ProjectTermsError(field, error.message.replace(/^[^:]*: /, ''));
  }
}

// ---- hours ----

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

// ---- calendar ----

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
