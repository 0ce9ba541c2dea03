// The finance dashboard's figures: the insights (services/insights.ts) the page shows, for one
// currency, as of one instant: MRR and its movements and cash collected for a window of months,
// receivables by age, the overdue invoices, and the renewals of the next 30 days. Defaults suit
// finance opening the page: the currency most customers are billed in, and the twelve months
// ending with `to` (default the month `asOf` falls in).
import type { Db } from '../db/connect.ts';
import { customerCurrencies } from '../db/repositories/customers.ts';
import {
  mrrInsight,
  overdueInvoices,
  paymentInsight,
  receivablesAging,
  upcomingRenewals,
} from './insights.ts';

/** How many overdue invoices and renewals the page lists (the API pages through the rest). */
export const DASHBOARD_ROWS = 20;
export const RENEWAL_DAYS = 30;
const DAY_MS = 86_400_000;
/** When finance has no customers yet. */
const FALLBACK_CURRENCY = 'EUR';

export interface DashboardQuery {
  currency?: string | undefined;
  /** "YYYY-MM", both included; default the twelve months up to `asOf`'s. */
  from?: string | undefined;
  to?: string | undefined;
  asOf: Date;
}

/** "YYYY-MM" of `at` in UTC, moved by `months`. */
function monthOf(at: Date, months = 0): string {
  const moved = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
  return moved.toISOString().slice(0, 7);
}

export async function financeDashboard(db: Db, query: DashboardQuery) {
  const { asOf } = query;
  const known = await customerCurrencies(db);
  const currency = query.currency ?? known[0] ?? FALLBACK_CURRENCY;
  const currencies = known.includes(currency) ? known : [...known, currency];
  const to = query.to ?? monthOf(asOf);
  const from = query.from ?? monthOf(new Date(`${to}-01T00:00:00Z`), -11);
  const window = { currency, from, to, asOf };
  const [mrr, aging, payments, overdue, renewals] = await Promise.all([
    mrrInsight(db, window),
    receivablesAging(db, { asOf, currency }),
    paymentInsight(db, window),
    overdueInvoices(db, { asOf, currency, limit: DASHBOARD_ROWS }),
    upcomingRenewals(db, {
      from: asOf,
      to: new Date(asOf.getTime() + RENEWAL_DAYS * DAY_MS),
      currency,
      limit: DASHBOARD_ROWS,
    }),
  ]);
  return { currency, currencies, asOf, from, to, mrr, aging, payments, overdue, renewals };
}

export type FinanceDashboard = Awaited<ReturnType<typeof financeDashboard>>;
