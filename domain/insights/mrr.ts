// Monthly recurring revenue of one subscription's terms: the fixed charges of a whole period
// (flat and per-seat, as ratePeriod prices them, before tax), normalised to one month and
// rounded once, half up, to minor units. Usage is not recurring: it is left out.
import type { PlanVersion } from '../catalog/types.ts';
import { roundToMinorUnits } from '../core/decimal.ts';
import type { Interval } from '../core/periods.ts';
import { seatQuantities } from '../invoicing/period-invoice.ts';
import { ratePeriod } from '../rating/rate-period.ts';
import { billedTermsAt, type SubscriptionHistory } from './timeline.ts';

/** Amount per interval × numerator / denominator = amount per month (a year has 52 weeks). */
const PER_MONTH: Record<Interval, { numerator: number; denominator: number }> = {
  day: { numerator: 365, denominator: 12 },
  week: { numerator: 52, denominator: 12 },
  month: { numerator: 1, denominator: 1 },
  quarter: { numerator: 1, denominator: 3 },
  year: { numerator: 1, denominator: 12 },
};

/**
 * An amount billed every `intervalCount` × `interval`, per month: ÷ months in the period
 * (a year 12, a quarter 3, a week 12/52, a day 12/365), rounded half up to minor units.
 */
export function perMonth(amount: number, interval: Interval, intervalCount: number): number {
  const { numerator, denominator } = PER_MONTH[interval];
  return roundToMinorUnits({
    numerator: amount * numerator,
    denominator: denominator * intervalCount,
  });
}

/** What the terms bill every period for their fixed charges (flat, per seat), before tax. */
export function recurringPerPeriod(plan: PlanVersion, quantity: number): number {
  const fixed: PlanVersion = {
    ...plan,
    charges: plan.charges.filter((charge) => charge.type !== 'usage'),
  };
  delete fixed.minimumCommitment;
  return ratePeriod({ plan: fixed, timing: 'all', quantities: seatQuantities({ plan, quantity }) })
    .totalBeforeTax.amount;
}

/** A subscription's MRR on these terms, in minor units of the plan's currency. */
export function monthlyRecurringRevenue(plan: PlanVersion, quantity: number): number {
  const { interval, intervalCount } = plan.billingCycle;
  return perMonth(recurringPerPeriod(plan, quantity), interval, intervalCount);
}

/**
 * Each customer's MRR at `at`: the sum over their subscriptions billed then (timeline.ts) of monthlyRecurringRevenue on the terms in force then. Customers at 0 are left out.
 * `priceOf` answers a plan version by (plan id, version).
 */
export function customerMrrAt(
  histories: readonly SubscriptionHistory[],
  priceOf: (planId: string, version: number) => PlanVersion | undefined,
  at: Date,
): Map<string, number> {
  const mrr = new Map<string, number>();
  for (const history of histories) {
    const terms = billedTermsAt(history, at);
    if (!terms) continue;
    const plan = priceOf(terms.planId, terms.version);
    if (!plan) continue;
    const amount = monthlyRecurringRevenue(plan, terms.quantity);
    if (amount === 0) continue;
    mrr.set(history.customerId, (mrr.get(history.customerId) ?? 0) + amount);
  }
  return mrr;
}
