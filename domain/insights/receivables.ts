// Accounts receivable: how long an invoice has been overdue, the aging bucket it falls in, and
// days sales outstanding.
import { ratio } from './rates.ts';

export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

const DAY_MS = 86_400_000;

/** Whole days from the due date to `asOf` (0 or less: not overdue yet), rounding down. */
export function daysOverdue(dueAt: Date, asOf: Date): number {
  return Math.floor((asOf.getTime() - dueAt.getTime()) / DAY_MS);
}

/** current: not past due; then by whole days past the due date. */
export function agingBucket(days: number): AgingBucket {
  if (days <= 0) return 'current';
  if (days <= 30) return '1-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  return '90+';
}

export interface AgedInvoice {
  dueAt: Date;
  amountDue: number;
}

export interface AgingRow {
  bucket: AgingBucket;
  amount: number;
  invoices: number;
}

/** The five buckets in order (empty ones at 0), from invoices of one currency. */
export function agingBuckets(invoices: readonly AgedInvoice[], asOf: Date): AgingRow[] {
  const rows = AGING_BUCKETS.map((bucket) => ({ bucket, amount: 0, invoices: 0 }));
  for (const invoice of invoices) {
    const row = rows[AGING_BUCKETS.indexOf(agingBucket(daysOverdue(invoice.dueAt, asOf)))]!;
    row.amount += invoice.amountDue;
    row.invoices += 1;
  }
  return rows;
}

/**
 * Days sales outstanding: receivables at the end of a window / what was invoiced in it × its
 * days, two decimals; null when nothing was invoiced.
 */
export function daysSalesOutstanding(
  receivable: number,
  invoiced: number,
  days: number,
): string | null {
  return ratio(receivable, invoiced, days);
}

/** The mean of durations in days, two decimals; null when there are none. */
export function averageDays(durationsMs: readonly number[]): string | null {
  const totalMs = durationsMs.reduce((t, d) => t + d, 0);
  return ratio(totalMs, durationsMs.length * DAY_MS);
}
