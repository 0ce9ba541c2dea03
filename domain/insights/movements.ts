// MRR movements between two month ends, classified per customer (the sum of a customer's
// subscriptions in one currency), and the churn and retention rates built from them.
import { roundToMinorUnits } from '../core/decimal.ts';
import { percent } from './rates.ts';

/** Minor units by customer id; customers at 0 are left out. */
export type CustomerMrr = ReadonlyMap<string, number>;

export interface MrrMovements {
  new: number;
  expansion: number;
  /** <= 0 */
  contraction: number;
  /** <= 0 */
  churn: number;
  reactivation: number;
}

export interface MrrMonth {
  mrr: number;
  arr: number;
  customers: number;
  arpa: number;
  movements: MrrMovements;
  /** Customers lost / customers at the start, in percent; null with none at the start. */
  logoChurnRate: string | null;
  /** (churn + contraction) / MRR at the start, in percent (positive); null without MRR. */
  revenueChurnRate: string | null;
  /** (MRR at the start + expansion + contraction + churn) / MRR at the start, in percent. */
  netRevenueRetention: string | null;
}

function total(mrr: CustomerMrr): number {
  let sum = 0;
  for (const amount of mrr.values()) sum += amount;
  return sum;
}

/**
 * Each customer's change from `start` to `end`: new (0 → >0, never billed before), reactivation
 * (0 → >0, billed at an earlier month end), expansion and contraction (>0 → more or less),
 * churn (>0 → 0). `seenBefore` holds every customer billed at a month end before `start`'s.
 * The movements sum to total(end) − total(start).
 */
export function classifyMovements(
  start: CustomerMrr,
  end: CustomerMrr,
  seenBefore: ReadonlySet<string>,
): MrrMovements {
  const movements: MrrMovements = {
    new: 0,
    expansion: 0,
    contraction: 0,
    churn: 0,
    reactivation: 0,
  };
  for (const [customer, amount] of end) {
    const before = start.get(customer) ?? 0;
    if (before === 0) {
      if (seenBefore.has(customer)) movements.reactivation += amount;
      else movements.new += amount;
    } else if (amount > before) movements.expansion += amount - before;
    else movements.contraction += amount - before;
  }
  for (const [customer, amount] of start) {
    if (!end.has(customer)) movements.churn -= amount;
  }
  return movements;
}

/**
 * The month ending at `end`, against the month end before it (`start`). ARR = 12 × MRR;
 * ARPA = MRR / customers, half up (0 with no customers).
 */
export function mrrMonth(
  start: CustomerMrr,
  end: CustomerMrr,
  seenBefore: ReadonlySet<string>,
): MrrMonth {
  const mrr = total(end);
  const opening = total(start);
  const movements = classifyMovements(start, end, seenBefore);
  let lost = 0;
  for (const customer of start.keys()) if (!end.has(customer)) lost++;
  return {
    mrr,
    arr: mrr * 12,
    customers: end.size,
    arpa: end.size === 0 ? 0 : roundToMinorUnits({ numerator: mrr, denominator: end.size }),
    movements,
    logoChurnRate: percent(lost, start.size),
    revenueChurnRate: percent(-(movements.churn + movements.contraction), opening),
    netRevenueRetention: percent(
      opening + movements.expansion + movements.contraction + movements.churn,
      opening,
    ),
  };
}

/**
 * Months in order, each from its customers' MRR at its end; `history` holds the MRR at every
 * earlier month end that counts for "billed before" (reactivation versus new), oldest first,
 * the last one being the month end before the first month.
 */
export function mrrMonths(
  history: readonly CustomerMrr[],
  months: readonly CustomerMrr[],
): MrrMonth[] {
  const seen = new Set<string>();
  for (const snapshot of history.slice(0, -1)) for (const c of snapshot.keys()) seen.add(c);
  let start: CustomerMrr = history.at(-1) ?? new Map();
  const result: MrrMonth[] = [];
  for (const end of months) {
    result.push(mrrMonth(start, end, seen));
    for (const c of start.keys()) seen.add(c);
    start = end;
  }
  return result;
}
