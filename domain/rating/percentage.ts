// Percentage pricing (a share of transaction amounts, with per-transaction fixed fee, minimum
// and maximum, free transactions and a free amount) rated from SQL-produced aggregates: the
// contract is PercentageUsage in catalog/types.ts. The engine never sees single transactions, yet the
// result equals the sum over transactions of clamp(a × rate/100 + fixed, min, max), exactly.
import type { PercentagePricing, PercentageUsage, TransactionBand } from '../catalog/types.ts';
import { decimal, toDecimalString, ZERO, type DecimalString, type Exact } from '../core/decimal.ts';
import {
  minorFigure,
  percentFigure,
  quantityFigure,
  Steps,
  worded,
  type Wording,
} from '../core/wording.ts';
import { formatMinor, formatPercent, formatQuantity } from './format.ts';
import { component } from './pricing-words.ts';
import type { PricedQuantity } from './pricing.ts';
import type { LineComponent } from './types.ts';

/** The parameters the SQL side needs for a percentage charge (see PercentageUsage). */
export interface PercentageUsageQuery {
  /** Transactions numbered ≤ this are free ("0" when none). */
  freeTransactions: DecimalString;
  /** Volume (minor units) free after them ("0" when none). */
  freeAmount: DecimalString;
  /** The rate the band tests multiply by. */
  rate: DecimalString;
  /** A chargeable amount a is in belowMinimum when a × rate < this; null: no band. */
  belowMinimumIfProductBelow: DecimalString | null;
  /** … in aboveMaximum when a × rate > this; null: no band. */
  aboveMaximumIfProductAbove: DecimalString | null;
}

export function percentageUsageQuery(pricing: PercentagePricing): PercentageUsageQuery {
  const fixed = decimal(pricing.fixedFeePerTransaction ?? '0');
  // a × rate/100 + fixed < min  ⇔  a × rate < (min − fixed) × 100, exact in numeric.
  const threshold = (bound: string | undefined) =>
    bound === undefined ? null : toDecimalString(decimal(bound).minus(fixed).times(100));
  return {
    freeTransactions: pricing.freeTransactions ?? '0',
    freeAmount: pricing.freeAmount ?? '0',
    rate: pricing.rate,
    belowMinimumIfProductBelow: threshold(pricing.minPerTransaction),
    aboveMaximumIfProductAbove: threshold(pricing.maxPerTransaction),
  };
}

interface Band {
  count: Exact;
  amount: Exact;
}

function band(b: TransactionBand): Band {
  return { count: decimal(b.count), amount: decimal(b.amount) };
}

const EMPTY: Band = { count: ZERO, amount: ZERO };

/** What a period without transactions aggregates to: every band empty. */
export const NO_TRANSACTIONS: PercentageUsage = { transactionCount: '0', totalAmount: '0' };

/** An allowance counts when it is set and above zero ("0" free transactions is none). */
export function hasFreeAllowance(pricing: PercentagePricing): boolean {
  const positive = (v: string | undefined) => v !== undefined && decimal(v).gt(0);
  return positive(pricing.freeTransactions) || positive(pricing.freeAmount);
}

/**
 * `usage` undefined means the period had no transactions (nothing was aggregated, e.g. when an
 * advance invoice or an estimate rates every charge): the line is zero, never an error.
 */
export function pricePercentage(
  pricing: PercentagePricing,
  usage: PercentageUsage | undefined,
  currency: string,
): PricedQuantity {
  const money = (x: Exact) => formatMinor(x, currency);
  const given = usage ?? NO_TRANSACTIONS;
  const total = { count: decimal(given.transactionCount), amount: decimal(given.totalAmount) };
  const hasFree = hasFreeAllowance(pricing);
  // With no transactions every band is empty, whatever the aggregates left out.
  const bandOf = (b: TransactionBand | undefined, name: string): Band => {
    if (b !== undefined) return band(b);
    if (total.count.eq(0)) return EMPTY;
    throw new RangeError(`percentage usage needs \`${name}\` for this pricing`);
  };
  const chargeable = hasFree ? bandOf(given.chargeable, 'chargeable') : total;
  const below =
    pricing.minPerTransaction === undefined ? EMPTY : bandOf(given.belowMinimum, 'belowMinimum');
  const above =
    pricing.maxPerTransaction === undefined ? EMPTY : bandOf(given.aboveMaximum, 'aboveMaximum');
  const middle = {
    count: chargeable.count.minus(below.count).minus(above.count),
    amount: chargeable.amount.minus(below.amount).minus(above.amount),
  };
  if (middle.count.lt(0) || middle.amount.lt(0) || chargeable.count.gt(total.count)) {
    throw new RangeError('inconsistent percentage usage: bands exceed their totals');
  }

  const figure = (x: Exact) => minorFigure(x, currency);
  const steps = new Steps();
  steps.push(
    `${formatQuantity(total.count)} transactions, volume ${money(total.amount)}`,
    worded('lines.step.transactions', {
      count: quantityFigure(total.count),
      volume: figure(total.amount),
    }),
  );
  if (hasFree) {
    const positive = (v: string | undefined): v is string => v !== undefined && decimal(v).gt(0);
    const free: { text: string; wording: Wording }[] = [];
    if (positive(pricing.freeTransactions)) {
      free.push({
        text: `the first ${formatQuantity(pricing.freeTransactions)} transactions`,
        wording: worded('lines.step.freeTransactions', {
          count: quantityFigure(pricing.freeTransactions),
        }),
      });
    }
    if (positive(pricing.freeAmount)) {
      free.push({
        text: `the first ${money(decimal(pricing.freeAmount))} of volume`,
        wording: worded('lines.step.freeVolume', { amount: figure(decimal(pricing.freeAmount)) }),
      });
    }
    const which = free.length > 1 ? ', whichever runs out first' : '';
    const allowance =
      free.length > 1
        ? worded('lines.step.freeEither', { first: free[0]!.wording, second: free[1]!.wording })
        : free[0]!.wording;
    steps.push(
      `free: ${free.map((f) => f.text).join(' or ')}${which}: ${formatQuantity(chargeable.count)} chargeable transactions, volume ${money(chargeable.amount)}`,
      worded('lines.step.freeAllowance', {
        allowance,
        count: quantityFigure(chargeable.count),
        volume: figure(chargeable.amount),
      }),
    );
  }

  const rate = decimal(pricing.rate);
  const components: LineComponent[] = [];
  const rateAmount = middle.amount.times(rate).times('0.01');
  components.push(
    component(
      `${formatPercent(rate)} of volume`,
      worded('lines.part.percentOfVolume', { rate: percentFigure(rate) }),
      middle.amount,
      rate.times('0.01'),
      rateAmount,
    ),
  );
  steps.push(
    `${formatPercent(rate)} × ${money(middle.amount)} = ${money(rateAmount)}`,
    worded('lines.step.times', {
      quantity: percentFigure(rate),
      price: figure(middle.amount),
      amount: figure(rateAmount),
    }),
  );
  if (pricing.fixedFeePerTransaction !== undefined) {
    const fee = decimal(pricing.fixedFeePerTransaction);
    const amount = middle.count.times(fee);
    components.push(
      component(
        'fixed fee per transaction',
        worded('lines.part.fixedFee'),
        middle.count,
        fee,
        amount,
      ),
    );
    steps.push(
      `${formatQuantity(middle.count)} × fixed fee ${money(fee)} = ${money(amount)}`,
      worded('lines.step.fixedFee', {
        count: quantityFigure(middle.count),
        fee: figure(fee),
        amount: figure(amount),
      }),
    );
  }
  const clamp = (b: Band, bound: string | undefined, what: 'minimum' | 'maximum') => {
    if (bound === undefined || b.count.eq(0)) return;
    const price = decimal(bound);
    const amount = b.count.times(price);
    components.push(
      component(
        `transactions at the ${what} fee`,
        worded('lines.part.clampedFee', { bound: what }),
        b.count,
        price,
        amount,
      ),
    );
    steps.push(
      `${formatQuantity(b.count)} transactions (volume ${money(b.amount)}) at the ${what} fee: ${formatQuantity(b.count)} × ${money(price)} = ${money(amount)}`,
      worded('lines.step.clampedFee', {
        bound: what,
        count: quantityFigure(b.count),
        volume: figure(b.amount),
        price: figure(price),
        amount: figure(amount),
      }),
    );
  };
  clamp(below, pricing.minPerTransaction, 'minimum');
  clamp(above, pricing.maxPerTransaction, 'maximum');
  const sum = components.reduce((t, c) => t.plus(c.amount), ZERO);
  return {
    components,
    total: sum,
    explanation: steps.text,
    explanationWording: steps.wording,
    billableQuantity: chargeable.count,
    usedQuantity: total.count,
    freeQuantity: hasFree ? total.count.minus(chargeable.count) : null,
  };
}
