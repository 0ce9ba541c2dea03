// Threshold billing (issue #14): when a subscription's unbilled usage reaches its billing
// threshold, an interim invoice bills the usage so far, and the period-end invoice bills only
// the rest. Rating is cumulative: every invoice rates the period from its start (so tiers,
// volumes, maximums and unique counts see the whole period) and takes off what interim invoices
// of the period already billed, line by line. The sum of a period's interim invoices and its
// period-end invoice is therefore the period's full rated amount, to the minor unit, by
// construction. Pure: the activities, the previews and the balance workflow share it.
import { worded } from '../core/wording.ts';
import { MAX_AMOUNT, money, toMajorUnitString } from '../core/money.ts';
import type { PeriodInvoice, PeriodInvoiceLine } from './period-invoice.ts';

/** Why an invoice was issued, as the API and the document say it (Stripe's names). */
export type BillingReason =
  | 'subscription_cycle'
  | 'subscription_threshold'
  | 'subscription_update'
  | 'subscription_cancel'
  | 'manual';

/** Why a billing threshold is not acceptable (null: it is): whole minor units above zero. */
export function billingThresholdProblem(value: number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return Number.isSafeInteger(value) && value > 0 && value <= MAX_AMOUNT
    ? null
    : 'must be a whole number of minor units above zero';
}

/** Business key of the `sequence`-th interim invoice of the period ending `periodEnd`. */
export function thresholdKey(periodEnd: string, sequence: number): string {
  return `${new Date(periodEnd).toISOString()}/threshold/${sequence}`;
}

/** The prefix every interim invoice key of the period ending `periodEnd` has. */
export function thresholdKeyPrefix(periodEnd: string): string {
  return `${new Date(periodEnd).toISOString()}/threshold/`;
}

/** Why an invoice with this subscription billing key was issued (null key: not a lifecycle one). */
export function billingReasonOf(billingKey: string | null): BillingReason {
  if (billingKey === null) return 'manual';
  if (billingKey.includes('/threshold/')) return 'subscription_threshold';
  if (billingKey.includes('/change')) return 'subscription_update';
  if (billingKey.endsWith('/final')) return 'subscription_cancel';
  return 'subscription_cycle';
}

/**
 * The key that names one arrears line across a period's invoices: its charge and the start of
 * the terms it is rated at (a change mid-period opens a new segment). Null for lines interim
 * invoices never bill (a minimum commitment's true-up).
 */
export function interimLineKey(line: {
  periodStart: string;
  arithmetic: { chargeKey: string | null; billing: string; kind: string };
}): string | null {
  const { chargeKey, billing, kind } = line.arithmetic;
  if (chargeKey === null || billing !== 'arrears' || kind !== 'charge') return null;
  return `${new Date(line.periodStart).toISOString()}|${chargeKey}`;
}

/** What the interim invoices of one period billed: their numbers and, per line key, the amount. */
export interface InterimBilled {
  numbers: string[];
  byLine: Readonly<Record<string, number>>;
}

export const NOTHING_BILLED: InterimBilled = { numbers: [], byLine: {} };

/** Adds up interim invoice lines (as stored) into what a period's interim invoices billed. */
export function interimBilledOf(
  invoices: readonly {
    number: string;
    lines: readonly {
      amount: number;
      periodStart: string;
      arithmetic: { chargeKey: string | null; billing: string; kind: string };
    }[];
  }[],
): InterimBilled {
  const byLine: Record<string, number> = {};
  for (const invoice of invoices) {
    for (const line of invoice.lines) {
      const key = interimLineKey(line);
      if (key !== null) byLine[key] = (byLine[key] ?? 0) + line.amount;
    }
  }
  return { numbers: invoices.map((i) => i.number), byLine };
}

/** What the interim invoices billed, from their lines as stored (in the order issued). */
export function interimBilledOfLines(lines: readonly InterimInvoiceLine[]): InterimBilled {
  const invoices = new Map<string, { number: string; lines: InterimInvoiceLine[] }>();
  for (const line of lines) {
    const invoice = invoices.get(line.invoiceId) ?? { number: line.number, lines: [] };
    invoice.lines.push(line);
    invoices.set(line.invoiceId, invoice);
  }
  return interimBilledOf([...invoices.values()]);
}

function retotalled(invoice: PeriodInvoice, lines: PeriodInvoiceLine[]): PeriodInvoice {
  const { currency } = invoice;
  const subtotal = lines.reduce((t, l) => t + l.amount.amount, 0);
  const discountTotal = lines.reduce((t, l) => t + l.discount.amount, 0);
  const starts = lines.map((l) => Date.parse(l.periodStart));
  const ends = lines.map((l) => Date.parse(l.periodEnd));
  return {
    ...invoice,
    lines,
    subtotal: money(subtotal, currency),
    discountTotal: money(discountTotal, currency),
    totalBeforeTax: money(subtotal - discountTotal, currency),
    period:
      lines.length === 0
        ? null
        : {
            start: new Date(Math.min(...starts)).toISOString(),
            end: new Date(Math.max(...ends)).toISOString(),
          },
  };
}

/**
 * The interim invoice: the usage lines of `rated` (the period's arrears rated from its start to
 * the cut, with no coupons) less what earlier interim invoices of the period billed of each.
 * Only usage charges are billed (flat arrears fees, seats and the minimum commitment wait for
 * the period end); a line with nothing new is left out.
 */
export function interimInvoice(
  rated: PeriodInvoice,
  billed: InterimBilled,
  usageCharges: ReadonlySet<string>,
): PeriodInvoice {
  const lines: PeriodInvoiceLine[] = [];
  for (const line of rated.lines) {
    const key = interimLineKey(line);
    if (key === null || !usageCharges.has(line.arithmetic.chargeKey!)) continue;
    const amount = line.amount.amount - (billed.byLine[key] ?? 0);
    if (amount <= 0) continue;
    lines.push(lessBilled(line, amount, null));
  }
  return retotalled({ ...rated, discounts: [], appliedCoupons: [] }, lines);
}

/**
 * The period-end invoice: each arrears line of the whole period less what the period's interim
 * invoices billed of it, its description naming them. Lines interim invoices did not bill stand.
 */
export function lessInterimBilled(rated: PeriodInvoice, billed: InterimBilled): PeriodInvoice {
  if (billed.numbers.length === 0) return rated;
  const lines = rated.lines.map((line) => {
    const key = interimLineKey(line);
    const already = key === null ? 0 : (billed.byLine[key] ?? 0);
    if (already === 0) return line;
    const taken = money(already, rated.currency);
    // Never below zero: what a rating that fell since billed too much (volume prices falling
    // with the volume, a `latest` metric that dropped) is credited on the interim invoices
    // (overbilledByInterim, interimCredits), so no invoice goes negative.
    return lessBilled(line, Math.max(0, line.amount.amount - already), {
      amount: `${rated.currency} ${toMajorUnitString(taken)}`,
      invoices: billed.numbers.join(', '),
    });
  });
  return retotalled(rated, lines);
}

/**
 * Per line key of `rated`, what the period's interim invoices billed beyond the whole
 * period's rating of that line (a line this invoice does not rate, e.g. a segment a change
 * invoice settled, is not its to settle). Keys with no excess left out.
 */
export function overbilledByInterim(
  rated: PeriodInvoice,
  billed: InterimBilled,
): Record<string, number> {
  const finalByLine: Record<string, number> = {};
  for (const line of rated.lines) {
    const key = interimLineKey(line);
    if (key !== null) finalByLine[key] = (finalByLine[key] ?? 0) + line.amount.amount;
  }
  const overbilled: Record<string, number> = {};
  for (const [key, final] of Object.entries(finalByLine)) {
    const excess = (billed.byLine[key] ?? 0) - final;
    if (excess > 0) overbilled[key] = excess;
  }
  return overbilled;
}

/** One line of an interim invoice as stored: what it billed and what it totalled with tax. */
export interface InterimInvoiceLine {
  invoiceId: string;
  number: string;
  position: number;
  /** Before discount and tax (as rated), minor units. */
  amount: number;
  discountAmount: number;
  /** With tax, as the invoice billed it. */
  totalAmount: number;
  periodStart: string;
  arithmetic: { chargeKey: string | null; billing: string; kind: string };
}

/** What one interim invoice is credited: its lines by position, tax included, and net. */
export interface InterimCredit {
  invoiceId: string;
  number: string;
  lines: { position: number; amount: number }[];
  net: number;
}

/**
 * How the overbilled amounts (overbilledByInterim) are credited, line by line, on the interim
 * invoices that billed them, the latest first, never more than a line billed. Each credit is
 * tax included at the interim line's own rate: net × total ÷ net billed, rounded half up, so
 * the tax credited follows the interim invoice's (the credit note machinery splits it back).
 */
export function interimCredits(
  overbilled: Readonly<Record<string, number>>,
  lines: readonly InterimInvoiceLine[],
): InterimCredit[] {
  const credits = new Map<string, InterimCredit>();
  const left = { ...overbilled };
  for (const line of [...lines].reverse()) {
    const key = interimLineKey(line);
    const net = line.amount - line.discountAmount;
    if (key === null || !(left[key]! > 0) || net <= 0) continue;
    const take = Math.min(left[key]!, net);
    left[key] = left[key]! - take;
    const gross = Number(
      (2n * BigInt(take) * BigInt(line.totalAmount) + BigInt(net)) / (2n * BigInt(net)),
    );
    const credit = credits.get(line.invoiceId) ?? {
      invoiceId: line.invoiceId,
      number: line.number,
      lines: [],
      net: 0,
    };
    credit.lines.push({ position: line.position, amount: gross });
    credit.net += take;
    credits.set(line.invoiceId, credit);
  }
  return [...credits.values()];
}

function lessBilled(
  line: PeriodInvoiceLine,
  amount: number,
  deduction: { amount: string; invoices: string } | null,
): PeriodInvoiceLine {
  const { currency } = line.amount;
  const billed = money(amount, currency);
  // A coupon never takes more than the line still bills (rated on the whole period's line).
  const discount = money(Math.min(line.discount.amount, Math.max(amount, 0)), currency);
  if (deduction === null) {
    return { ...line, amount: billed, discount, rated: { ...line.rated, amount: billed } };
  }
  const step = `− ${deduction.amount} billed on interim invoice(s) ${deduction.invoices} = ${currency} ${toMajorUnitString(billed)}`;
  return {
    ...line,
    description: `${line.description} (less ${deduction.amount} billed on ${deduction.invoices})`,
    wording: worded('thresholds.lessInterim', {
      description: line.wording ?? line.description,
      amount: deduction.amount,
      invoices: deduction.invoices,
    }),
    amount: billed,
    discount,
    arithmetic: { ...line.arithmetic, explanation: [...line.arithmetic.explanation, step] },
    rated: { ...line.rated, amount: billed },
  };
}

/**
 * What the threshold is measured on: the usage charges' lines billed in arrears (not their
 * minimums' true-ups), after discounts, before tax, of an invoice already less what interim
 * invoices billed (lessInterimBilled): the upcoming invoice the live balance reads.
 */
export function unbilledUsage(
  lines: readonly PeriodInvoiceLine[],
  usageCharges: ReadonlySet<string>,
): number {
  return lines
    .filter(
      (l) =>
        l.rated.kind === 'charge' &&
        l.rated.billing === 'arrears' &&
        l.rated.chargeKey !== null &&
        usageCharges.has(l.rated.chargeKey),
    )
    .reduce((total, l) => total + l.amount.amount - l.discount.amount, 0);
}

/** A subscription's threshold as the live balance sees it after a read. */
export interface ThresholdStatus {
  subscriptionId: string;
  /** The end of the open period whose usage is unbilled (its key: a first stub starts late). */
  periodEnd: string;
  /** Minor units of the subscription's currency. */
  billingThreshold: number;
  /** The period's usage charges so far after discounts, less what interim invoices billed. */
  unbilled: number;
  /** Interim invoices already issued for the period. */
  interimInvoices: number;
}

/** What to ask for: each subscription whose unbilled usage reached its threshold, the next one. */
export function crossedThresholds(
  statuses: readonly ThresholdStatus[],
): { subscriptionId: string; periodEnd: string; sequence: number; unbilled: number }[] {
  return statuses
    .filter((s) => s.billingThreshold > 0 && s.unbilled >= s.billingThreshold)
    .map((s) => ({
      subscriptionId: s.subscriptionId,
      periodEnd: s.periodEnd,
      sequence: s.interimInvoices + 1,
      unbilled: s.unbilled,
    }));
}
