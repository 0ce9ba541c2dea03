// What a subscription bills, as pure functions shared by the workflow (deterministic, replayed),
// its activities and the API: the pinned plan version with the subscription's quantity, and the
// shares of a period used and left when a subscription is canceled or changed mid-period.
import { prorationFactor, type Span } from './billing-cycles.ts';
import type { PlanVersion } from '../catalog/types.ts';
import type { Fraction } from '../core/decimal.ts';

/** Business key of the invoice issued at a boundary (advance of the new period + arrears). */
export function boundaryKey(boundary: string): string {
  return `${new Date(boundary).toISOString()}/boundary`;
}

export function isBoundaryKey(key: string): boolean {
  return key.endsWith('/boundary');
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
