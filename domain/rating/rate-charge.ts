// One charge for one period: price → proration (flat and per-seat) → cap → one rounding →
// minimum true-up. Usage quantities are never prorated (they are what was used); amounts that
// are "per period" (flat, per seat, minimum, maximum) are, in a partial period.
import { minorFigure, quantityFigure, Steps, worded } from '../core/wording.ts';
import type { Charge, PercentageUsage } from '../catalog/types.ts';
import {
  decimal,
  maxOf,
  minOf,
  roundToMinorUnits,
  toDecimalString,
  ZERO,
  type Exact,
  type Fraction,
  type RoundingMode,
} from '../core/decimal.ts';
import { money } from '../core/money.ts';
import type { UsageQuantity } from '../catalog/metrics.ts';
import {
  equalsMinorRatio,
  equalsMinorRatioWording,
  formatFraction,
  formatMinor,
  formatMinorRatio,
  formatQuantity,
  minorRatioWording,
} from './format.ts';
import { pricePercentage } from './percentage.ts';
import { priceQuantity, type PricedQuantity } from './pricing.ts';
import type { RatedLine } from './types.ts';

export interface ChargeRatingContext {
  currency: string;
  roundingMode: RoundingMode;
  /** Share of the period billed: 1/1 for a full period, 19/28 for a stub. */
  proration: Fraction;
  /** per_seat: the subscription's quantity for this charge (a non-negative integer). */
  seats?: number;
  /** usage (all models but percentage): the metric's aggregated quantity for the period. */
  usage?: UsageQuantity;
  /**
   * usage with percentage pricing: the SQL-produced aggregates (catalog/types.ts, PercentageUsage);
   * missing means no transactions in the period.
   */
  transactions?: PercentageUsage;
}

const isFull = (f: Fraction) => f.numerator === f.denominator;

function times(amount: Exact, f: Fraction): Exact {
  // Exact: the denominator only divides in the final rounding (see prorated line amounts).
  return amount.times(f.numerator);
}

/** The quantity fields of a true-up line: one, nothing free, no unit price, never capped. */
export const TRUE_UP_QUANTITIES = {
  quantity: '1',
  usedQuantity: '1',
  freeUnits: null,
  billedQuantity: '1',
  unitPrice: null,
  capped: false,
} as const;

/** Free units deducted by the charge or by its model (never both: validation forbids it). */
function lineFreeUnits(byCharge: Exact | null, byModel: Exact | null): string | null {
  const free = byCharge ?? byModel;
  return free === null ? null : toDecimalString(free);
}

/** Rates one charge: its line, then its minimum true-up line when it falls short. */
export function rateCharge(charge: Charge, context: ChargeRatingContext): RatedLine[] {
  const { currency, roundingMode: mode, proration } = context;
  const fmt = (x: Exact | number) => formatMinor(x, currency);
  const figure = (x: Exact | number) => minorFigure(x, currency);
  const steps = new Steps();
  let priced: PricedQuantity;
  let prorated = false;

  // The quantity used and what the charge's free units took off it, for the line.
  let used: Exact | null = null;
  let freeTaken: Exact | null = null;
  const freeUnits = (quantity: Exact, unit: 'seats' | 'units') => {
    used = quantity;
    if (charge.freeUnits === undefined) return quantity;
    const free = decimal(charge.freeUnits);
    const billable = maxOf(ZERO, quantity.minus(free));
    freeTaken = quantity.minus(billable);
    steps.push(
      `${formatQuantity(quantity)} ${unit} − ${formatQuantity(free)} free = ${formatQuantity(billable)} billable`,
      worded(unit === 'seats' ? 'lines.step.freeSeats' : 'lines.step.freeUnits', {
        used: quantityFigure(quantity),
        free: quantityFigure(free),
        billable: quantityFigure(billable),
      }),
    );
    return billable;
  };

  switch (charge.type) {
    case 'flat': {
      const amount = decimal(charge.amount);
      priced = {
        components: [
          {
            label: 'flat',
            wording: worded('lines.part.flat'),
            quantity: null,
            unitPrice: null,
            amount: toDecimalString(amount),
          },
        ],
        total: amount,
        explanation: [`flat ${fmt(amount)}`],
        explanationWording: [worded('lines.step.flat', { amount: figure(amount) })],
        billableQuantity: decimal(1),
        unitPrice: amount,
      };
      prorated = true;
      break;
    }
    case 'per_seat': {
      const seats = context.seats;
      if (seats === undefined || !Number.isSafeInteger(seats) || seats < 0) {
        throw new RangeError(`charge ${charge.key}: seats must be a non-negative integer`);
      }
      const billable = freeUnits(decimal(seats), 'seats');
      const price = decimal(charge.unitAmount);
      const amount = billable.times(price);
      priced = {
        components: [
          {
            label: 'per seat',
            wording: worded('lines.part.perSeat'),
            quantity: toDecimalString(billable),
            unitPrice: charge.unitAmount,
            amount: toDecimalString(amount),
          },
        ],
        total: amount,
        explanation: [`${formatQuantity(billable)} seats × ${fmt(price)} = ${fmt(amount)}`],
        explanationWording: [
          worded('lines.step.seats', {
            seats: quantityFigure(billable),
            price: figure(price),
            amount: figure(amount),
          }),
        ],
        billableQuantity: billable,
        unitPrice: price,
      };
      prorated = true;
      break;
    }
    case 'usage': {
      if (charge.pricing.model === 'percentage') {
        // No aggregates given: a period without transactions, a zero line.
        priced = pricePercentage(charge.pricing, context.transactions, currency);
      } else {
        const quantity = decimal(context.usage ?? '0');
        if (quantity.lt(0)) throw new RangeError(`charge ${charge.key}: negative usage`);
        priced = priceQuantity(charge.pricing, freeUnits(quantity, 'units'), currency);
      }
      break;
    }
  }
  priced.explanation.forEach((text, i) => steps.push(text, priced.explanationWording[i]!));

  // Everything below is amount × numerator / denominator; keep the numerator side exact and
  // divide only inside the one rounding.
  const denominator = prorated || charge.minimum || charge.maximum ? proration.denominator : 1;
  let scaled = prorated ? times(priced.total, proration) : priced.total.times(denominator);
  if (prorated && !isFull(proration)) {
    steps.push(
      `prorated ${formatFraction(proration)} × ${fmt(priced.total)} ${equalsMinorRatio(scaled, denominator, currency)}`,
      worded('lines.step.prorated', {
        fraction: formatFraction(proration),
        amount: figure(priced.total),
        result: equalsMinorRatioWording(scaled, denominator, currency),
      }),
    );
  }
  let capped = false;
  if (charge.maximum !== undefined) {
    const cap = times(decimal(charge.maximum), proration);
    if (scaled.gt(cap)) {
      capped = true;
      const maximum = figure(decimal(charge.maximum));
      const result = equalsMinorRatioWording(cap, proration.denominator, currency);
      steps.push(
        `capped at ${isFull(proration) ? '' : `${formatFraction(proration)} × `}${fmt(decimal(charge.maximum))} ${equalsMinorRatio(cap, proration.denominator, currency)}`,
        isFull(proration)
          ? worded('lines.step.capped', { maximum, result })
          : worded('lines.step.cappedProrated', {
              fraction: formatFraction(proration),
              maximum,
              result,
            }),
      );
    }
    scaled = minOf(scaled, cap);
  }
  const amount = roundToMinorUnits({ numerator: scaled, denominator }, mode);
  const exact = scaled.div(denominator);
  if (scaled.eq(decimal(amount).times(denominator))) {
    steps.push(`total ${fmt(amount)}`, worded('lines.step.total', { amount: figure(amount) }));
  } else {
    steps.push(
      `total ${formatMinorRatio(scaled, denominator, currency)} → ${fmt(amount)} (rounded ${mode.replace('_', '-')})`,
      worded('lines.step.totalRounded', {
        exact: minorRatioWording(scaled, denominator, currency),
        amount: figure(amount),
        mode,
      }),
    );
  }

  const line: RatedLine = {
    id: charge.key,
    kind: 'charge',
    chargeKey: charge.key,
    billing: charge.billing,
    description: charge.description,
    quantity: toDecimalString(priced.billableQuantity),
    usedQuantity: toDecimalString(priced.usedQuantity ?? used ?? priced.billableQuantity),
    freeUnits: lineFreeUnits(freeTaken, priced.freeQuantity ?? null),
    billedQuantity: toDecimalString(priced.billedQuantity ?? priced.billableQuantity),
    unitPrice: priced.unitPrice ? toDecimalString(priced.unitPrice) : null,
    capped,
    components: priced.components,
    exactAmount: toDecimalString(exact),
    amount: money(amount, currency),
    explanation: steps.text,
    explanationWording: steps.wording,
  };
  if (charge.minimum === undefined) return [line];

  const minimum = roundToMinorUnits(
    { numerator: times(decimal(charge.minimum), proration), denominator: proration.denominator },
    mode,
  );
  if (amount >= minimum) return [line];
  const shortfall = minimum - amount;
  const prorationNote = isFull(proration)
    ? ''
    : ` (${formatFraction(proration)} of ${fmt(decimal(charge.minimum))})`;
  return [
    line,
    {
      id: `${charge.key}:minimum`,
      kind: 'charge_minimum',
      chargeKey: charge.key,
      billing: charge.billing,
      description: `${charge.description}: minimum commitment true-up`,
      wording: worded('lines.chargeMinimumTrueUp', { charge: charge.description }),
      ...TRUE_UP_QUANTITIES,
      components: [],
      exactAmount: String(shortfall),
      amount: money(shortfall, currency),
      explanation: [
        `minimum ${fmt(minimum)}${prorationNote} − charged ${fmt(amount)} = ${fmt(shortfall)}`,
      ],
      explanationWording: [
        minimumWording(
          'lines.step.chargeMinimum',
          { minimum, charged: amount, shortfall, currency },
          isFull(proration) ? null : { proration, full: decimal(charge.minimum) },
        ),
      ],
    },
  ];
}

/**
 * A minimum commitment's true-up step ("minimum €50.00 (19/28 of €70.00) − charged €30.00 =
 * €20.00") as a catalogue message: `key` for a charge's or the plan's minimum.
 */
export function minimumWording(
  key: 'lines.step.chargeMinimum' | 'lines.step.planMinimum',
  amounts: { minimum: number; charged: number; shortfall: number; currency: string },
  prorated: { proration: Fraction; full: Exact } | null,
) {
  const { minimum, charged, shortfall, currency } = amounts;
  const minimumValue = prorated
    ? worded('lines.step.minimumProrated', {
        minimum: minorFigure(minimum, currency),
        fraction: formatFraction(prorated.proration),
        full: minorFigure(prorated.full, currency),
      })
    : minorFigure(minimum, currency);
  return worded(key, {
    minimum: minimumValue,
    charged: minorFigure(charged, currency),
    shortfall: minorFigure(shortfall, currency),
  });
}
