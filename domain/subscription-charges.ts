// What a subscription bills, as pure functions shared by the workflow (deterministic, replayed),
// its activities and the API: the pinned plan version with the subscription's quantity, and the
// shares of a period used and left when a subscription is canceled or changed mid-period.
import { prorationFactor, type Span } from './billing-cycles.ts';
import type { PlanVersion } from './catalog.ts';
import type { Fraction, RoundingMode } from './decimal.ts';
import { money, type Money } from './money.ts';
import { ratePeriod } from './rating/rate-period.ts';

/** The per-seat quantities ratePeriod takes: the subscription's quantity for every seat charge. */
export function seatQuantities(plan: PlanVersion, quantity: number): Record<string, number> {
  const seats: Record<string, number> = {};
  for (const charge of plan.charges) if (charge.type === 'per_seat') seats[charge.key] = quantity;
  return seats;
}

/** Business key of the invoice issued at a boundary (advance of the new period + arrears). */
export function boundaryKey(boundary: string): string {
  return `${new Date(boundary).toISOString()}/boundary`;
}

/** Business key of the final invoice of a subscription canceled during `period`. */
export function finalKey(periodStart: string): string {
  return `${new Date(periodStart).toISOString()}/final`;
}

/** Business key of the invoice of a change applied at `at` (an upgrade mid-period). */
export function changeKey(at: string): string {
  return `${new Date(at).toISOString()}/change`;
}

/** True when the plan bills anything in arrears (usage, post-paid flat or seats, a minimum). */
export function hasArrearsCharges(plan: PlanVersion): boolean {
  return plan.charges.some((c) => c.billing === 'arrears');
}

/** True when the plan bills anything in advance. */
export function hasAdvanceCharges(plan: PlanVersion): boolean {
  return (
    plan.charges.some((c) => c.billing === 'advance') ||
    (plan.minimumCommitment !== undefined && !hasArrearsCharges(plan))
  );
}

/** The share of `period` from its start to `at` (used) in the customer's local days. */
export function usedShare(period: Span, at: string, timezone: string): Fraction {
  return prorationFactor(period, period.start, clamp(period, at), timezone);
}

/** The share of `period` from `at` to its end (unused): what a cancel or change credits. */
export function unusedShare(period: Span, at: string, timezone: string): Fraction {
  return prorationFactor(period, clamp(period, at), period.end, timezone);
}

function clamp(period: Span, at: string): string {
  const t = Date.parse(at);
  if (t <= Date.parse(period.start)) return period.start;
  if (t >= Date.parse(period.end)) return period.end;
  return at;
}

export interface ChangePreview {
  applyAt: 'now' | 'period_end';
  /** The unused part of the current terms' advance charges, before tax. */
  credit: Money;
  /** The new terms' advance charges for the rest of the period, before tax. */
  charge: Money;
  /** charge − credit: what the change costs now (negative: owed to the customer). */
  net: Money;
  /** A whole period on the new terms, in advance, before tax. */
  nextPeriod: Money;
}

/**
 * What changing from `current` to `next` at `at` costs, from the workflow's state and the
 * rating engine alone: nothing is stored or changed. An upgrade (more in advance per period)
 * applies now by default, a downgrade at the next boundary (no credit, no charge).
 */
export function previewChange(request: {
  current: { plan: PlanVersion; quantity: number };
  next: { plan: PlanVersion; quantity: number };
  period: Span | null;
  at: string;
  timezone: string;
  applyAt?: 'now' | 'period_end';
  roundingMode?: RoundingMode;
}): ChangePreview {
  const { current, next, period, at, timezone } = request;
  const currency = next.plan.currency;
  const rate = (terms: { plan: PlanVersion; quantity: number }, proration?: Fraction) =>
    ratePeriod({
      plan: terms.plan,
      timing: 'advance',
      quantities: seatQuantities(terms.plan, terms.quantity),
      ...(proration && { proration }),
      ...(request.roundingMode && { roundingMode: request.roundingMode }),
    }).totalBeforeTax;
  const nextPeriod = rate(next);
  const upgrade = nextPeriod.amount >= rate(current).amount;
  const applyAt = request.applyAt ?? (upgrade ? 'now' : 'period_end');
  if (applyAt === 'period_end' || period === null) {
    const zero = money(0, currency);
    return { applyAt, credit: zero, charge: zero, net: zero, nextPeriod };
  }
  const share = unusedShare(period, at, timezone);
  const credit = rate(current, share);
  const charge = rate(next, share);
  return {
    applyAt,
    credit,
    charge,
    net: money(charge.amount - credit.amount, currency),
    nextPeriod,
  };
}
