// Project terms, pure: what a contract's deposit and milestones come to, what retainage holds
// back, and how a change order amends them (hours in hours.ts, due dates in calendar.ts).
// Shared by the API (validation), the project workflow and its activities (no I/O).
import { DateTime } from 'luxon';
import { decimal, isDecimalString, roundToMinorUnits } from '../core/decimal.ts';

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
