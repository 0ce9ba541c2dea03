// Finance's insights, computed from what the database holds: MRR and its movements by month,
// receivables aging, payment trends with DSO, dunning effectiveness, overdue invoices and
// upcoming renewals. Definitions: docs/FINANCE.md "Insights"; formulas in domain/insights/.
import type { Db } from '../db/connect.ts';
import {
  invoicedBetween,
  invoicesDueBetween,
  invoicesPaidBetween,
  overdueReceivables,
  paymentsBetween,
  receivablesAt,
  renewalsBetween,
  subscriptionHistories,
  versionKey,
  type Receivable,
  type Renewal,
} from '../db/repositories/insights.ts';
import { isCurrencyCode } from '../domain/core/currency.ts';
import { customerMrrAt, recurringPerPeriod } from '../domain/insights/mrr.ts';
import { mrrMonths, type MrrMonth } from '../domain/insights/movements.ts';
import {
  monthClose,
  monthCount,
  monthEnd,
  monthOf,
  monthsBetween,
  monthStart,
  previousMonth,
} from '../domain/insights/months.ts';
import {
  agingBuckets,
  averageDays,
  daysOverdue,
  daysSalesOutstanding,
  type AgingRow,
} from '../domain/insights/receivables.ts';
import { Refused } from './refused.ts';

/** The longest window a monthly insight reports (ten years). */
export const MAX_MONTHS = 120;

const DAY_MS = 86_400_000;

export interface MonthWindow {
  currency: string;
  /** "YYYY-MM", both included. */
  from: string;
  to: string;
  /** Months ending later are measured at this instant; default now. */
  asOf?: Date | undefined;
}

function requireCurrency(currency: string | undefined): void {
  if (currency !== undefined && !isCurrencyCode(currency))
    throw new Refused('unprocessable', `${currency} is not an ISO 4217 currency`, {
      field: 'currency',
    });
}

function requireWindow(window: MonthWindow): string[] {
  requireCurrency(window.currency);
  if (window.from > window.to)
    throw new Refused('unprocessable', 'to must not be before from', { field: 'to' });
  if (monthCount(window.from, window.to) > MAX_MONTHS)
    throw new Refused('unprocessable', `at most ${MAX_MONTHS} months at once`, { field: 'to' });
  return monthsBetween(window.from, window.to);
}

/** A month's last instant, or `asOf` when that comes first (both included). */
function measuredAt(month: string, asOf: Date): Date {
  const close = monthClose(month);
  return close.getTime() < asOf.getTime() ? close : asOf;
}

export interface MrrInsightMonth extends MrrMonth {
  month: string;
}

/** MRR at each month end of the window, its movements, customers, ARPA and churn rates. */
export async function mrrInsight(db: Db, window: MonthWindow): Promise<MrrInsightMonth[]> {
  const months = requireWindow(window);
  const asOf = window.asOf ?? new Date();
  const { histories, versions } = await subscriptionHistories(db, window.currency);
  const priceOf = (planId: string, version: number) => versions.get(versionKey(planId, version));
  // One snapshot per instant: months ending after asOf are all taken at asOf.
  const taken = new Map<number, Map<string, number>>();
  const snapshot = (month: string) => {
    const at = measuredAt(month, asOf);
    const mrr = taken.get(at.getTime()) ?? customerMrrAt(histories, priceOf, at);
    taken.set(at.getTime(), mrr);
    return mrr;
  };
  // "Billed before" (reactivation) looks at every month end since the first subscription
  // began, up to the last change any history records (later month ends all look the same).
  const instants = histories.flatMap((h) => [
    h.startedAt,
    ...h.transitions.map((t) => t.at),
    ...h.changes.map((c) => c.at),
  ]);
  const opening = previousMonth(window.from);
  const before = [opening];
  if (instants.length > 0) {
    const times = instants.map((at) => at.getTime());
    const first = monthOf(new Date(times.reduce((a, b) => Math.min(a, b))));
    const latest = times.reduce((a, b) => Math.max(a, b));
    const settled = monthOf(new Date(Math.min(latest, asOf.getTime())));
    const last = settled < opening ? settled : previousMonth(opening);
    before.unshift(...monthsBetween(first, last));
  }
  const result = mrrMonths(before.map(snapshot), months.map(snapshot));
  return result.map((month, i) => ({ month: months[i]!, ...month }));
}

export interface CurrencyAging {
  currency: string;
  total: number;
  buckets: AgingRow[];
}

/** Receivables at `asOf` per currency, in the five aging buckets. */
export async function receivablesAging(
  db: Db,
  query: { asOf?: Date | undefined; currency?: string | undefined },
): Promise<{ asOf: Date; currencies: CurrencyAging[] }> {
  requireCurrency(query.currency);
  const asOf = query.asOf ?? new Date();
  const open = await receivablesAt(db, asOf, query.currency);
  const byCurrency = new Map<string, Receivable[]>();
  for (const invoice of open) {
    byCurrency.set(invoice.currency, [...(byCurrency.get(invoice.currency) ?? []), invoice]);
  }
  if (query.currency !== undefined && !byCurrency.has(query.currency))
    byCurrency.set(query.currency, []);
  const currencies = [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, invoices]) => ({
      currency,
      total: invoices.reduce((t, i) => t + i.amountDue, 0),
      buckets: agingBuckets(invoices, asOf),
    }));
  return { asOf, currencies };
}

export interface PaymentMonth {
  month: string;
  collected: number;
  payments: number;
  paidOnTime: number;
  paidLate: number;
  averageDaysToPay: string | null;
  collectedAfterReminder: { step: number; amount: number; invoices: number }[];
}

/** Payments by month and the window's DSO. */
export async function paymentInsight(
  db: Db,
  window: MonthWindow,
): Promise<{ months: PaymentMonth[]; dso: string | null }> {
  const months = requireWindow(window);
  const asOf = window.asOf ?? new Date();
  const start = monthStart(window.from);
  const end = measuredAt(window.to, asOf);
  const [payments, settled] = await Promise.all([
    paymentsBetween(db, window.currency, start, end),
    invoicesPaidBetween(db, window.currency, start, end),
  ]);
  const result = months.map((month) => {
    const received = payments.filter((p) => monthOf(p.paidAt) === month);
    const paid = settled.filter((i) => i.paidAt !== null && monthOf(i.paidAt) === month);
    const steps = new Map<number, { step: number; amount: number; invoices: number }>();
    for (const invoice of paid) {
      if (invoice.remindersSent === 0) continue;
      const row = steps.get(invoice.remindersSent) ?? {
        step: invoice.remindersSent,
        amount: 0,
        invoices: 0,
      };
      row.amount += invoice.amountPaid;
      row.invoices += 1;
      steps.set(invoice.remindersSent, row);
    }
    const onTime = paid.filter((i) => i.paidAt! <= i.dueAt).length;
    return {
      month,
      collected: received.reduce((t, p) => t + p.amount, 0),
      payments: received.length,
      paidOnTime: onTime,
      paidLate: paid.length - onTime,
      averageDaysToPay: averageDays(paid.map((i) => i.paidAt!.getTime() - i.issuedAt.getTime())),
      collectedAfterReminder: [...steps.values()].sort((a, b) => a.step - b.step),
    };
  });
  const receivable = (await receivablesAt(db, end, window.currency)).reduce(
    (t, i) => t + i.amountDue,
    0,
  );
  const invoiced = await invoicedBetween(db, window.currency, start, end);
  const days = Math.max(0, Math.ceil((end.getTime() - start.getTime()) / DAY_MS));
  return { months: result, dso: daysSalesOutstanding(receivable, invoiced, days) };
}

export interface DunningStep {
  step: number;
  sent: number;
  paidAfter: number;
  recoveredAmount: number;
}

/** Of the invoices falling due in the window: reminders sent, and payments after each step. */
export async function dunningInsight(
  db: Db,
  window: MonthWindow,
): Promise<{ steps: DunningStep[]; writtenOff: number }> {
  requireWindow(window);
  const cohort = await invoicesDueBetween(
    db,
    window.currency,
    monthStart(window.from),
    monthEnd(window.to),
  );
  const deepest = cohort.reduce((max, i) => Math.max(max, i.remindersSent), 0);
  const steps: DunningStep[] = [];
  for (let step = 1; step <= deepest; step++) {
    const paidAfter = cohort.filter((i) => i.status === 'paid' && i.remindersSent === step);
    steps.push({
      step,
      sent: cohort.filter((i) => i.remindersSent >= step).length,
      paidAfter: paidAfter.length,
      recoveredAmount: paidAfter.reduce((t, i) => t + i.amountPaid, 0),
    });
  }
  const writtenOff = cohort
    .filter((i) => i.status === 'uncollectible')
    .reduce((t, i) => t + i.amountDue, 0);
  return { steps, writtenOff };
}

export interface OverdueInvoice extends Receivable {
  daysOverdue: number;
}

/** Invoices past due by a day or more at `asOf`, most overdue first. */
export async function overdueInvoices(
  db: Db,
  query: {
    asOf?: Date | undefined;
    currency?: string | undefined;
    limit: number;
    startingAfter?: string | undefined;
  },
): Promise<{ items: OverdueInvoice[]; hasMore: boolean }> {
  requireCurrency(query.currency);
  const asOf = query.asOf ?? new Date();
  const page = await overdueReceivables(db, { ...query, asOf });
  return {
    items: page.items.map((i) => ({ ...i, daysOverdue: daysOverdue(i.dueAt, asOf) })),
    hasMore: page.hasMore,
  };
}

export interface UpcomingRenewal extends Omit<Renewal, 'plan' | 'quantity'> {
  /** What the fixed charges bill at the renewal, before tax and usage. */
  amount: number;
  currency: string;
}

/** Active subscriptions renewing in [from, to), soonest first. */
export async function upcomingRenewals(
  db: Db,
  query: {
    from: Date;
    to: Date;
    currency?: string | undefined;
    limit: number;
    startingAfter?: string | undefined;
  },
): Promise<{ items: UpcomingRenewal[]; hasMore: boolean }> {
  requireCurrency(query.currency);
  if (query.from.getTime() >= query.to.getTime())
    throw new Refused('unprocessable', 'to must be after from', { field: 'to' });
  const page = await renewalsBetween(db, query);
  return {
    items: page.items.map(({ plan, quantity, ...renewal }) => ({
      ...renewal,
      amount: recurringPerPeriod(plan, quantity),
      currency: plan.currency,
    })),
    hasMore: page.hasMore,
  };
}
