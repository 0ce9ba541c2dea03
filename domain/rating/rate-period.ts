// A period's invoice lines, before tax: charges → (plan minimum) → discounts. Tax and credits
// are later stages that take the RatedPeriod (see types.ts, RatedPeriod.totalBeforeTax).
import { worded } from '../core/wording.ts';
import type {
  BillingTiming,
  CouponRedemption,
  PercentageUsage,
  PlanVersion,
} from '../catalog/types.ts';
import { decimal, roundToMinorUnits, type Fraction, type RoundingMode } from '../core/decimal.ts';
import type { UsageQuantity } from '../catalog/metrics.ts';
import { money, sum } from '../core/money.ts';
import { applyCoupons } from './discounts.ts';
import { formatFraction, formatMinor } from './format.ts';
import { minimumWording, rateCharge, TRUE_UP_QUANTITIES } from './rate-charge.ts';
import type { RatedLine, RatedPeriod } from './types.ts';

export interface RatePeriodInput {
  plan: PlanVersion;
  /**
   * Which lines to bill: 'advance' when the period opens, 'arrears' when it closes, 'all' for
   * both (a plan billed only one way, or a final invoice). Default 'all'.
   */
  timing?: BillingTiming | 'all';
  /** per_seat quantities by charge key (non-negative integers). */
  quantities?: Readonly<Record<string, number>>;
  /** Aggregated usage by metric code (missing: none). */
  usage?: Readonly<Record<string, UsageQuantity>>;
  /** Percentage charges' usage by charge key (catalog/types.ts, PercentageUsage). */
  transactions?: Readonly<Record<string, PercentageUsage>>;
  /** Share of the period billed (subscriptions/billing-cycles.ts): 1/1 by default, 19/28 for a stub. */
  proration?: Fraction;
  /** Redeemed coupons, applied in this order. */
  coupons?: readonly CouponRedemption[];
  /** Default 'half_up'. */
  roundingMode?: RoundingMode;
}

const FULL: Fraction = { numerator: 1, denominator: 1 };

export function ratePeriod(input: RatePeriodInput): RatedPeriod {
  const { plan } = input;
  const currency = plan.currency;
  const roundingMode = input.roundingMode ?? 'half_up';
  const proration = input.proration ?? FULL;
  const timing = input.timing ?? 'all';
  const fmt = (x: number) => formatMinor(x, currency);

  // Every charge is rated, so the plan minimum sees the whole period; lines are then filtered.
  const all: RatedLine[] = plan.charges.flatMap((charge) =>
    rateCharge(charge, {
      currency,
      roundingMode,
      proration,
      seats: charge.type === 'per_seat' ? (input.quantities?.[charge.key] ?? 0) : undefined,
      usage: charge.type === 'usage' ? input.usage?.[charge.metricCode] : undefined,
      transactions: input.transactions?.[charge.key],
    }),
  );

  if (plan.minimumCommitment !== undefined) {
    // Known only when every charge is: in arrears if any charge is, otherwise in advance.
    const billing: BillingTiming = plan.charges.some((c) => c.billing === 'arrears')
      ? 'arrears'
      : 'advance';
    const minimum = roundToMinorUnits(
      {
        numerator: decimal(plan.minimumCommitment).times(proration.numerator),
        denominator: proration.denominator,
      },
      roundingMode,
    );
    const charged = all.reduce((t, l) => t + l.amount.amount, 0);
    if (charged < minimum) {
      const note =
        proration.numerator === proration.denominator
          ? ''
          : ` (${formatFraction(proration)} of ${formatMinor(decimal(plan.minimumCommitment), currency)})`;
      all.push({
        id: 'plan:minimum',
        kind: 'plan_minimum',
        chargeKey: null,
        billing,
        description: 'Minimum commitment true-up',
        wording: worded('lines.minimumTrueUp'),
        ...TRUE_UP_QUANTITIES,
        components: [],
        exactAmount: String(minimum - charged),
        amount: money(minimum - charged, currency),
        explanation: [
          `minimum ${fmt(minimum)}${note} − charges ${fmt(charged)} = ${fmt(minimum - charged)}`,
        ],
        explanationWording: [
          minimumWording(
            'lines.step.planMinimum',
            { minimum, charged, shortfall: minimum - charged, currency },
            proration.numerator === proration.denominator
              ? null
              : { proration, full: decimal(plan.minimumCommitment) },
          ),
        ],
      });
    }
  }

  const lines = timing === 'all' ? all : all.filter((l) => l.billing === timing);
  const { discounts, net, appliedCoupons } = applyCoupons(
    lines,
    input.coupons ?? [],
    currency,
    roundingMode,
  );
  const subtotal = sum(
    lines.map((l) => l.amount),
    currency,
  );
  const discountTotal = sum(
    discounts.map((d) => d.amount),
    currency,
  );
  return {
    currency,
    roundingMode,
    lines,
    subtotal,
    discounts,
    discountTotal,
    netLines: lines.map((l) => ({ lineId: l.id, amount: money(net.get(l.id)!, currency) })),
    totalBeforeTax: money(subtotal.amount - discountTotal.amount, currency),
    appliedCoupons,
  };
}
