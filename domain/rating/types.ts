// The shapes rating produces. Lines carry their arithmetic: exact components (unrounded minor
// units), the one rounded amount, and explanation steps for finance and support.
import type { Wording } from '../core/wording.ts';
import type { BillingTiming } from '../catalog/types.ts';
import type { DecimalString, RoundingMode } from '../core/decimal.ts';
import type { Money } from '../core/money.ts';

/** One priced piece of a line: a tier, a flat fee, a package count, a percentage part. */
export interface LineComponent {
  /** e.g. "above 1,000 up to 10,000", "flat fee (tier 2)". */
  label: string;
  /** The label as a message of the `lines` catalogue, worded in the customer's locale. */
  wording?: Wording;
  /** Units priced by this component, or null for a fixed fee. */
  quantity: DecimalString | null;
  /** Minor units per unit, or null for a fixed fee. */
  unitPrice: DecimalString | null;
  /** Exact minor units, NOT rounded: the components of a line sum exactly to its price. */
  amount: DecimalString;
}

export const LINE_KINDS = ['charge', 'charge_minimum', 'plan_minimum'] as const;
/** charge: a charge's price; charge_minimum / plan_minimum: a minimum commitment true-up. */
export type LineKind = (typeof LINE_KINDS)[number];

export interface RatedLine {
  /** Unique within a result: the charge key, "<key>:minimum", or "plan:minimum". */
  id: string;
  kind: LineKind;
  /** The charge the line belongs to; null for the plan-level minimum. */
  chargeKey: string | null;
  billing: BillingTiming;
  description: string;
  /** The description as a message of the `lines` catalogue, when the system words it. */
  wording?: Wording;
  /** Billable quantity after free units (units, seats, transactions); "1" for flat charges. */
  quantity: DecimalString;
  /** The quantity used, before free units; "1" for flat charges and true-up lines. */
  usedQuantity: DecimalString;
  /**
   * Free units actually deducted (usedQuantity − quantity: units, seats, or free transactions
   * of a percentage charge); null when the charge has no free allowance.
   */
  freeUnits: DecimalString | null;
  /**
   * The quantity priced after block rounding (`blockSize`): ≥ quantity; equal to it without
   * blocks. A package line counts units here; its component counts the packages.
   */
  billedQuantity: DecimalString;
  /**
   * The one price per unit when the line's price is billedQuantity × unitPrice (per unit, per
   * seat, volume without a flat fee; a flat charge's amount for its quantity 1); null when the
   * price has several parts (tiers, fees, packages, percentages): read the components.
   */
  unitPrice: DecimalString | null;
  /** True when the charge's maximum lowered the line's amount. */
  capped: boolean;
  /** Exact parts of the price before proration and caps (empty for true-up lines). */
  components: LineComponent[];
  /**
   * Minor units after proration and cap, before the line's one rounding: exact, except that a
   * proration whose division does not terminate (×19/28) is cut at 40 decimal places.
   */
  exactAmount: DecimalString;
  /** The line's amount, rounded once with the rating's mode. Never negative. */
  amount: Money;
  /** The arithmetic, step by step, for people. */
  explanation: string[];
  /** Each step as a message of the `lines` catalogue (same order), worded when stored. */
  explanationWording?: Wording[];
}

export interface DiscountAllocation {
  lineId: string;
  amount: Money;
}

export interface DiscountLine {
  couponCode: string;
  description: string;
  /** Positive amount taken off the invoice. */
  amount: Money;
  explanation: string[];
  /** Each step as a message of the `lines` catalogue (same order), worded when shown. */
  explanationWording?: Wording[];
  /** The discount spread over the lines it applies to (largest remainder, to the minor unit). */
  allocations: DiscountAllocation[];
}

/** A line's amount after discounts: what the tax stage computes tax on. */
export interface NetLine {
  lineId: string;
  amount: Money;
}

export interface RatedPeriod {
  currency: string;
  roundingMode: RoundingMode;
  lines: RatedLine[];
  /** Sum of the lines. */
  subtotal: Money;
  discounts: DiscountLine[];
  discountTotal: Money;
  /** Per line, amount − its discount allocations; sums to totalBeforeTax. */
  netLines: NetLine[];
  /**
   * subtotal − discountTotal, never negative. Order of operations:
   * charges → discounts (here) → tax → credits (later stages, which take this result: tax from
   * netLines and the plan's taxBehavior, then credits against the taxed total).
   */
  totalBeforeTax: Money;
  /** Codes of the coupons that counted this period: the caller adds 1 to their periodsApplied. */
  appliedCoupons: string[];
}
