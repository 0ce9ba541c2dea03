// The bill-run view for operators: the renewals due in a window (every invoice a subscription owes
// at a period boundary), counted by state and currency, how long the issued ones took from due
// to issued, and the failing ones to look at. The database answers all of it
// (db/repositories/billing-runs.ts): the invoicing activity records each failed attempt there.
import type { Db } from '../db/connect.ts';
import {
  BILLING_RUN_STATES,
  billingRunLag,
  countBillingRuns,
  listBillingRunFailures,
  type BillingRunFailure,
  type BillingRunLag,
  type BillingRunState,
} from '../db/repositories/billing-runs.ts';
import type { PageRequest } from './dependencies.ts';
import type { FieldIssue } from './refused.ts';

/** The longest window one request may read: a month of renewals, whatever the month. */
export const MAX_WINDOW_DAYS = 31;

export type BillingRunCounts = Record<BillingRunState, number> & { due: number };

export interface BillingRuns {
  from: Date;
  to: Date;
  counts: BillingRunCounts;
  byCurrency: ({ currency: string } & BillingRunCounts)[];
  lag: BillingRunLag;
  failures: { items: BillingRunFailure[]; hasMore: boolean };
}

/** What is wrong with the window [from, to), if anything: from before to, at most 31 days. */
export function billingWindowIssue(from: Date, to: Date): FieldIssue | undefined {
  // A leap second (23:59:60) is a valid date-time that no Date holds.
  if (Number.isNaN(from.getTime()))
    return { field: 'from', message: 'must be a time a clock can show' };
  if (Number.isNaN(to.getTime()))
    return { field: 'to', message: 'must be a time a clock can show' };
  if (to.getTime() <= from.getTime()) return { field: 'to', message: 'must be after from' };
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
    return { field: 'to', message: `must be at most ${MAX_WINDOW_DAYS} days after from` };
  }
  return undefined;
}

function noRuns(): BillingRunCounts {
  return {
    due: 0,
    ...Object.fromEntries(BILLING_RUN_STATES.map((s) => [s, 0])),
  } as BillingRunCounts;
}

/** The window's renewals; the window was checked (billingWindowIssue) by the caller. */
export async function billingRunsIn(
  db: Db,
  window: { from: Date; to: Date },
  page: PageRequest,
): Promise<BillingRuns> {
  // One snapshot for the three reads, so an invoice committed meanwhile is in all or none.
  const [counted, lag, failures] = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(
      async (trx) =>
        [
          await countBillingRuns(trx, window),
          await billingRunLag(trx, window),
          await listBillingRunFailures(trx, { ...window, ...page }),
        ] as const,
    );
  const counts = noRuns();
  const byCurrency = new Map<string, BillingRunCounts>();
  for (const { currency, state, count } of counted) {
    const ofCurrency = byCurrency.get(currency) ?? noRuns();
    byCurrency.set(currency, ofCurrency);
    for (const tally of [counts, ofCurrency]) {
      tally[state] += count;
      tally.due += count;
    }
  }
  return {
    ...window,
    counts,
    byCurrency: [...byCurrency].map(([currency, tally]) => ({ currency, ...tally })),
    lag,
    failures,
  };
}
