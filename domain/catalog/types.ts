// The pricing catalog: what a plan charges, as plain JSON-serialisable data shared by the API
// (stored, validated by validation.ts) and workflows (rated by rating/).
//
// Units, once for the whole catalog:
// - every PRICE or AMOUNT field is a decimal string of MINOR units of the plan's currency:
//   "4900" is €49.00, "0.06" is 0.06 cents ($0.0006), like Stripe's unit_amount_decimal;
// - every QUANTITY field (upTo, freeUnits, packageSize) is a decimal string of the metric's unit;
// - rating is exact and rounds once per invoice line (core/decimal.ts, roundToMinorUnits).
import type { DecimalString } from '../core/decimal.ts';
import type { Money } from '../core/money.ts';
import type { Interval } from '../core/periods.ts';

export const BILLING_TIMINGS = ['advance', 'arrears'] as const;
/** advance: billed when the period opens; arrears: billed when it closes (usage always is). */
export type BillingTiming = (typeof BILLING_TIMINGS)[number];

export const TAX_BEHAVIORS = ['exclusive', 'inclusive'] as const;
/** Whether catalog prices exclude tax (added on top) or include it. Read by the tax stage. */
export type TaxBehavior = (typeof TAX_BEHAVIORS)[number];

export interface PlanBillingCycle {
  interval: Interval;
  /** Every N intervals, e.g. 3 × month; a positive integer. */
  intervalCount: number;
}

export interface PlanVersion {
  /** Stable plan code, e.g. "pro". */
  planCode: string;
  /** 1, 2, …: a published version is immutable; subscriptions point at one. */
  version: number;
  /** ISO 4217 code; every price below is in its minor units. */
  currency: string;
  billingCycle: PlanBillingCycle;
  taxBehavior: TaxBehavior;
  charges: Charge[];
  /**
   * Plan-level minimum spend per period (minor units, prorated in a partial period): when the
   * charges' subtotal falls short, a true-up line bills the difference.
   */
  minimumCommitment?: DecimalString;
}

export const CHARGE_TYPES = ['flat', 'per_seat', 'usage'] as const;
export type ChargeType = (typeof CHARGE_TYPES)[number];

interface ChargeCommon {
  /** Unique within the plan; names the line and the fee (subscription, charge, period). */
  key: string;
  /** Shown on the invoice line, e.g. "API calls". */
  description: string;
  billing: BillingTiming;
  /**
   * Units not billed each period, taken before pricing (usage: units of the metric;
   * per_seat: seats). Not for flat charges; percentage pricing has its own free allowances.
   */
  freeUnits?: DecimalString;
  /**
   * Minimum spend on this charge per period (minor units, prorated in a partial period): when
   * the charge's line falls short, a true-up line bills the difference.
   */
  minimum?: DecimalString;
  /** Cap on this charge per period (minor units, prorated in a partial period). */
  maximum?: DecimalString;
}

/** A fixed amount every period (prorated in a partial period). */
export interface FlatCharge extends ChargeCommon {
  type: 'flat';
  amount: DecimalString;
}

/** unitAmount × the subscription's quantity for this charge (seats, licences). */
export interface PerSeatCharge extends ChargeCommon {
  type: 'per_seat';
  unitAmount: DecimalString;
}

/** Priced on a billable metric's aggregated usage for the period; billed in arrears. */
export interface UsageCharge extends ChargeCommon {
  type: 'usage';
  metricCode: string;
  pricing: PricingModel;
}

export type Charge = FlatCharge | PerSeatCharge | UsageCharge;

export interface Tier {
  /** Inclusive upper bound of the tier; null for the last tier (and only the last). */
  upTo: DecimalString | null;
  /** Price of each unit in the tier (minor units, may be fractional). */
  unitPrice: DecimalString;
  /** Added once when any quantity falls into the tier (graduated) or reaches it (volume). */
  flatFee?: DecimalString;
}

export const PRICING_MODELS = [
  'per_unit',
  'graduated',
  'volume',
  'package',
  'percentage',
  'graduated_percentage',
] as const;
export type PricingModelType = (typeof PRICING_MODELS)[number];

/**
 * Block rounding, on per_unit, graduated and volume pricing: bill per started block of
 * `blockSize` units (package pricing is blocks already). Applied after free units, per tier:
 * the units inside a tier are rounded up to a whole number of blocks counted from the tier's
 * lower bound, never beyond the tier's upper bound (so a tier bills at most one block more
 * than was used in it, and a full tier exactly its width). per_unit is one unbounded tier;
 * volume rounds the quantity within the tier the USED quantity reaches.
 */
interface BlockRounding {
  /** Units per block, > 0; absent: every unit is billed as used. */
  blockSize?: DecimalString;
}

export interface PerUnitPricing extends BlockRounding {
  model: 'per_unit';
  unitPrice: DecimalString;
}

/** Each tier prices the units that fall inside it: 1–1,000 at one price, 1,001–10,000 at the next. */
export interface GraduatedPricing extends BlockRounding {
  model: 'graduated';
  tiers: Tier[];
}

/** The tier the total quantity reaches prices ALL units. */
export interface VolumePricing extends BlockRounding {
  model: 'volume';
  tiers: Tier[];
}

/** packagePrice per started package of packageSize units, after free units. */
export interface PackagePricing {
  model: 'package';
  packageSize: DecimalString;
  packagePrice: DecimalString;
  freeUnits?: DecimalString;
}

export interface PercentageTier {
  /**
   * Inclusive upper bound of the tier, in minor units of cumulative transaction volume; null
   * for the last tier (and only the last). The first tier starts at 0 and each one where the
   * previous ends, so tiers are contiguous by construction.
   */
  upTo: DecimalString | null;
  /** Percent, 0–100, of the volume inside the tier: "1.5" is 1.5 %. */
  rate: DecimalString;
  /** Charged once when the period's volume reaches the tier (minor units). */
  flatFee?: DecimalString;
}

/**
 * Graduated percentage (Lago's graduated_percentage): each tier takes its rate of the part of
 * the period's cumulative transaction volume that falls inside it, plus its flat fee once any
 * volume does. Rated from the metric's aggregated quantity for the period, which is the
 * volume: use a `sum` metric over the transaction amount, in minor units.
 */
export interface GraduatedPercentagePricing {
  model: 'graduated_percentage';
  tiers: PercentageTier[];
}

/**
 * A percentage of transaction amounts (payment processing style), e.g. 2.9 % + 30 cents each.
 * The usage for such a charge is a PercentageUsage (below), not a single quantity.
 */
export interface PercentagePricing {
  model: 'percentage';
  /** Percent, 0–100, as a decimal string: "2.9" is 2.9 %. */
  rate: DecimalString;
  /** Added to each chargeable transaction (minor units). */
  fixedFeePerTransaction?: DecimalString;
  /** Each chargeable transaction's fee (rate + fixed fee) is at least this (minor units). */
  minPerTransaction?: DecimalString;
  /** … and at most this (minor units). */
  maxPerTransaction?: DecimalString;
  /**
   * The first N transactions of the period are free (no rate, no fixed fee). Integer. With
   * freeAmount too, whichever runs out first ends the allowance.
   */
  freeTransactions?: DecimalString;
  /** The first X of transaction volume (minor units) of the period is free. */
  freeAmount?: DecimalString;
}

export type PricingModel =
  | PerUnitPricing
  | GraduatedPricing
  | VolumePricing
  | PackagePricing
  | PercentagePricing
  | GraduatedPercentagePricing;

/**
 * A period's usage for a percentage charge: produced by SQL over the period's events, never by
 * loading events into Node. All values are decimal strings; amounts are minor units of the
 * plan currency; transaction amounts are ≥ 0.
 *
 * The SQL contract (the SQL side implements exactly this):
 *  1. Order the period's transactions by (timestamp, transaction id); number them from 1.
 *  2. Free allowances (an allowance absent or "0" is none) run side by side, and end when
 *     EITHER runs out (Lago's semantic): transaction j is free while its number ≤
 *     freeTransactions AND running_sum_j ≤ freeAmount, where running_sum_j is the sum of the
 *     amounts of transactions 1..j.
 *  3. Every other transaction is chargeable (even one of amount 0: it pays the fixed fee,
 *     clamped). Its chargeable amount is its amount in full when its number > freeTransactions
 *     (or there is no free amount), otherwise the part above the free amount:
 *     least(amount_j, running_sum_j − freeAmount).
 *  4. `chargeable` = count and sum of the chargeable amounts of the chargeable transactions.
 *  5. Only when minPerTransaction / maxPerTransaction is set, `belowMinimum` / `aboveMaximum` =
 *     count and sum of the chargeable amounts a of chargeable transactions with
 *        a × rate < belowMinimumIfProductBelow     (the fee a × rate/100 + fixed < min)
 *        a × rate > aboveMaximumIfProductAbove     (the fee a × rate/100 + fixed > max)
 *     with the thresholds from `percentageUsageQuery(pricing)` (rating/percentage.ts). The test
 *     is multiplicative so PostgreSQL numeric evaluates it exactly, with no division.
 * `chargeable` may be omitted when the pricing has neither free transactions nor a free amount
 * (it then equals the totals); the bands may be omitted when it has no per-transaction min/max;
 * everything but the totals may be omitted when there are no transactions, and a missing
 * PercentageUsage means exactly that.
 */
export interface PercentageUsage {
  /** All transactions of the period. */
  transactionCount: DecimalString;
  /** Sum of all their amounts (minor units). */
  totalAmount: DecimalString;
  chargeable?: TransactionBand;
  belowMinimum?: TransactionBand;
  aboveMaximum?: TransactionBand;
}

export interface TransactionBand {
  count: DecimalString;
  /** Sum of chargeable amounts (minor units). */
  amount: DecimalString;
}

// Discounts ------------------------------------------------------------------------------------

export type DiscountValue =
  /** percent off, 0–100, e.g. "20" or "12.5". */
  | { type: 'percentage'; percent: DecimalString }
  /** a fixed amount off per period, in the invoice currency. */
  | { type: 'fixed'; amount: Money };

export type CouponDuration =
  | { type: 'once' }
  /** The first N periods it is applied to. */
  | { type: 'repeating'; periods: number }
  | { type: 'forever' };

export type DiscountScope =
  /** The invoice subtotal: every line of the charges stage. */
  | { type: 'subtotal' }
  /** Only the lines of these charges (and their minimum true-ups). */
  | { type: 'charges'; chargeKeys: string[] };

export interface Coupon {
  code: string;
  /** Shown on the invoice, e.g. "Launch offer −20 %". */
  description: string;
  value: DiscountValue;
  duration: CouponDuration;
  appliesTo: DiscountScope;
}

/** A coupon redeemed on a subscription, with how many periods it has discounted so far. */
export interface CouponRedemption {
  coupon: Coupon;
  periodsApplied: number;
}
