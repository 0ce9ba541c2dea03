// One path from terms to invoice lines. A subscription's invoice at a boundary bills the arrears
// of the period that closes (each piece of it at the terms in force then, usage rated at the
// prices of its piece) and the advance charges of the period that opens (or of what is left of
// it); coupons then discount the lines; tax comes later, on each line's net amount. The
// workflow's invoicing activity, the upcoming-invoice and change previews, and estimates all
// price through `ratePeriodInvoice`, so a preview is what the invoice will say.
import { dayFigure, worded, type Wording, type WordingValue } from '../core/wording.ts';
import { prorationFactor, type Span } from '../subscriptions/billing-cycles.ts';
import type { CouponRedemption, PercentageUsage, PlanVersion } from '../catalog/types.ts';
import {
  decimal,
  toDecimalString,
  type DecimalString,
  type Fraction,
  type RoundingMode,
} from '../core/decimal.ts';
import { localDate } from '../core/periods.ts';
import type { UsageQuantity } from '../catalog/metrics.ts';
import { money, sum, type Money } from '../core/money.ts';
import { applyCoupons } from '../rating/discounts.ts';
import { ratePeriod } from '../rating/rate-period.ts';
import type { DiscountLine, RatedLine } from '../rating/types.ts';
import type { LineArithmetic } from './line-arithmetic.ts';

/** What a subscription bills: a plan version and its quantity (seats). */
export interface Terms {
  plan: PlanVersion;
  quantity: number;
  /** Seats per per-seat charge where they differ from `quantity` (estimates). */
  quantities?: Readonly<Record<string, number>> | undefined;
}

/** Terms in force over [from, to) of a period. */
export interface TermsSegment extends Terms {
  from: string;
  to: string;
}

/** A segment's usage over its window: metric quantities and percentage charges' aggregates. */
export interface SegmentUsage {
  usage: Record<string, UsageQuantity>;
  transactions: Record<string, PercentageUsage>;
}

export interface PeriodInvoiceRequest {
  timezone: string;
  roundingMode: RoundingMode;
  /** The arrears charges of the period that closes, one segment per terms in force. */
  arrears?: { period: Span; segments: (TermsSegment & SegmentUsage)[] } | undefined;
  /** The advance charges of `period` from `from` (a stub, a change) or whole. */
  advance?: { period: Span; from?: string | undefined; terms: Terms } | undefined;
  /** Coupons, in the order they apply (see rating/discounts.ts). */
  coupons?: readonly CouponRedemption[] | undefined;
}

export interface PeriodInvoiceLine {
  description: string;
  /** The description in the `lines` catalogue, worded in the customer's locale when stored. */
  wording: Wording | null;
  /** Billable quantity (after free units); "1" for flat fees and true-ups. */
  quantity: DecimalString;
  /** Minor units per unit when the line has one price; null for tiers and true-ups. */
  unitAmount: DecimalString | null;
  /** The line's one rounded amount, before discounts. */
  amount: Money;
  /** The line's share of the discounts. */
  discount: Money;
  /** The service period the line covers. */
  periodStart: string;
  periodEnd: string;
  arithmetic: LineArithmetic;
  /** The rating engine's line, with an id unique within the invoice (discounts refer to it). */
  rated: RatedLine;
}

export interface PeriodInvoice {
  currency: string;
  lines: PeriodInvoiceLine[];
  subtotal: Money;
  discounts: DiscountLine[];
  discountTotal: Money;
  /** subtotal − discounts: what tax is computed on (or includes). */
  totalBeforeTax: Money;
  /** Codes of the coupons that discounted this invoice. */
  appliedCoupons: string[];
  /** The service period the invoice covers: from its earliest line to its latest. */
  period: Span | null;
}

const isFull = (f: Fraction) => f.numerator === f.denominator;

interface Piece {
  line: RatedLine;
  plan: PlanVersion;
  id: string;
  periodStart: string;
  periodEnd: string;
  proration: Fraction | null;
  suffix: string;
  /** The suffix as a message of the `lines` catalogue wrapping the line's description. */
  suffixKey: string | null;
  suffixValues: Record<string, WordingValue>;
}

/** The per-period maximum that capped the line, prorated like it (exact minor units). */
function cappedAt(piece: Piece): DecimalString | null {
  if (!piece.line.capped) return null;
  const charge = piece.plan.charges.find((c) => c.key === piece.line.chargeKey);
  if (charge?.maximum === undefined) return null;
  const f = piece.proration ?? { numerator: 1, denominator: 1 };
  return toDecimalString(decimal(charge.maximum).times(f.numerator).div(f.denominator));
}

function arithmeticOf(piece: Piece): LineArithmetic {
  const { line } = piece;
  const flat = line.components.every((c) => c.quantity === null);
  return {
    kind: line.kind,
    chargeKey: line.chargeKey,
    billing: line.billing,
    usedQuantity: flat ? null : line.usedQuantity,
    freeUnits: line.freeUnits,
    components: line.components,
    proration: piece.proration,
    cappedAt: cappedAt(piece),
    explanation: line.explanation,
    ...(line.explanationWording && { explanationWording: line.explanationWording }),
  };
}

/** The line's description as the `lines` catalogue words it; null when only the plan's text shows. */
function wordingOf(piece: Piece): Wording | null {
  const own = piece.line.wording ?? null;
  if (piece.suffixKey === null) return own;
  return worded(piece.suffixKey, {
    ...piece.suffixValues,
    description: own ?? piece.line.description,
  });
}

export function ratePeriodInvoice(request: PeriodInvoiceRequest): PeriodInvoice {
  const { timezone, roundingMode } = request;
  const pieces: Piece[] = [];
  const currency =
    request.advance?.terms.plan.currency ?? request.arrears?.segments[0]?.plan.currency;
  if (currency === undefined) throw new RangeError('an invoice needs arrears or advance charges');

  const arrears = request.arrears;
  if (arrears) {
    const several = arrears.segments.length > 1;
    arrears.segments.forEach((segment, index) => {
      if (segment.plan.currency !== currency) {
        throw new RangeError(`segment ${index} is priced in ${segment.plan.currency}`);
      }
      const proration = prorationFactor(arrears.period, segment.from, segment.to, timezone);
      const rated = ratePeriod({
        plan: segment.plan,
        timing: 'arrears',
        quantities: seatQuantities(segment),
        usage: segment.usage,
        transactions: segment.transactions,
        proration,
        roundingMode,
      });
      const window = several
        ? `, ${segment.plan.planCode} v${segment.plan.version} from ${localDate(segment.from, timezone)} to ${localDate(segment.to, timezone)}`
        : '';
      for (const line of rated.lines) {
        pieces.push({
          line,
          plan: segment.plan,
          id: `arrears:${index}:${line.id}`,
          periodStart: segment.from,
          periodEnd: segment.to,
          proration: isFull(proration) ? null : proration,
          suffix: ` (in arrears${window})`,
          suffixKey: several ? 'lines.inArrearsOfPlan' : 'lines.inArrears',
          suffixValues: several
            ? {
                plan: segment.plan.planCode,
                version: String(segment.plan.version),
                from: dayFigure(localDate(segment.from, timezone)),
                to: dayFigure(localDate(segment.to, timezone)),
              }
            : {},
        });
      }
    });
  }

  const advance = request.advance;
  if (advance) {
    const from = advance.from ?? advance.period.start;
    const proration = prorationFactor(advance.period, from, advance.period.end, timezone);
    const rated = ratePeriod({
      plan: advance.terms.plan,
      timing: 'advance',
      quantities: seatQuantities(advance.terms),
      proration,
      roundingMode,
    });
    for (const line of rated.lines) {
      pieces.push({
        line,
        plan: advance.terms.plan,
        id: `advance:${line.id}`,
        periodStart: from,
        periodEnd: advance.period.end,
        proration: isFull(proration) ? null : proration,
        suffix: '',
        suffixKey: null,
        suffixValues: {},
      });
    }
  }

  // Coupons discount the invoice as a whole: ids made unique across segments.
  const lines = pieces.map((p) => ({ ...p.line, id: p.id }));
  const { discounts, net, appliedCoupons } = applyCoupons(
    lines,
    request.coupons ?? [],
    currency,
    roundingMode,
  );
  const invoiceLines = pieces.map((piece) => {
    const { line } = piece;
    return {
      description: `${line.description}${piece.suffix}`,
      wording: wordingOf(piece),
      quantity: line.billedQuantity,
      unitAmount: line.unitPrice,
      amount: line.amount,
      discount: money(line.amount.amount - net.get(piece.id)!, currency),
      periodStart: piece.periodStart,
      periodEnd: piece.periodEnd,
      arithmetic: arithmeticOf(piece),
      rated: { ...line, id: piece.id },
    };
  });
  const subtotal = sum(
    invoiceLines.map((l) => l.amount),
    currency,
  );
  const discountTotal = sum(
    discounts.map((d) => d.amount),
    currency,
  );
  const starts = pieces.map((p) => Date.parse(p.periodStart));
  const ends = pieces.map((p) => Date.parse(p.periodEnd));
  return {
    currency,
    lines: invoiceLines,
    subtotal,
    discounts,
    discountTotal,
    totalBeforeTax: money(subtotal.amount - discountTotal.amount, currency),
    appliedCoupons,
    period:
      pieces.length === 0
        ? null
        : {
            start: new Date(Math.min(...starts)).toISOString(),
            end: new Date(Math.max(...ends)).toISOString(),
          },
  };
}

/** The per-seat quantities ratePeriod takes: the subscription's quantity for every seat charge. */
export function seatQuantities(terms: Terms): Record<string, number> {
  const seats: Record<string, number> = {};
  for (const charge of terms.plan.charges) {
    if (charge.type === 'per_seat')
      seats[charge.key] = terms.quantities?.[charge.key] ?? terms.quantity;
  }
  return seats;
}

/** What the terms charge in advance for a whole period, before tax: the headline price. */
export function advancePerPeriod(terms: Terms): Money {
  return ratePeriod({
    plan: terms.plan,
    timing: 'advance',
    quantities: seatQuantities(terms),
  }).totalBeforeTax;
}

/** The invoice's lines as stored: quantity, unit price, arithmetic and each line's discount. */
export function storedLines(invoice: PeriodInvoice) {
  return invoice.lines.map((line) => ({
    description: line.description,
    wording: line.wording ?? undefined,
    quantity: line.quantity,
    unitAmount: line.unitAmount,
    amount: line.amount.amount,
    discountAmount: line.discount.amount,
    periodStart: line.periodStart,
    periodEnd: line.periodEnd,
    arithmetic: line.arithmetic,
  }));
}
