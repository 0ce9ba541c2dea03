// The bill-run view on the wire: counts by state (overall and per currency), the due-to-issued
// lag, and a page of the failing renewals.
import { Type } from 'typebox';
import { failureCursor } from '../../db/repositories/billing-runs.ts';
import type { BillingRunCounts, BillingRuns } from '../../services/billing-runs.ts';
import { CurrencyCode, iso, Limit, StartingAfter, Timestamp } from './common.ts';

export const BillingRunsQuery = Type.Object(
  {
    from: Type.String({
      format: 'date-time',
      description: 'Start of the window (inclusive), an ISO 8601 instant.',
    }),
    to: Type.String({
      format: 'date-time',
      description: 'End of the window (exclusive), after `from` and at most 31 days after it.',
    }),
    limit: Limit,
    startingAfter: Type.Optional(
      Type.String({
        ...StartingAfter,
        description: 'Cursor: the `id` of the last failure of the previous page.',
      }),
    ),
  },
  { additionalProperties: false },
);

const count = (description: string) => Type.Integer({ minimum: 0, description });

const countFields = {
  due: count('Every renewal due in the window: the sum of the five states.'),
  issued: count('Its invoice is issued.'),
  retrying: count('An attempt failed and Temporal tries it again (waiting on a retry).'),
  failed: count('An attempt failed and will not be retried: an operator must act.'),
  late: count(
    'Due by the subscription’s clock, not issued, no failure recorded: being invoiced now, or ' +
      'the workers are behind.',
  ),
  scheduled: count('Not due yet by the subscription’s clock.'),
};

const Counts = Type.Object(countFields);

const seconds = (description: string) =>
  Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description });

const BillingRunFailureSchema = Type.Object({
  id: Type.String({ description: 'The cursor of this list: `<subscriptionId>/<dueAt>`.' }),
  subscriptionId: Type.String(),
  customerId: Type.String(),
  billingKey: Type.String({ examples: ['2027-03-01T00:00:00.000Z/boundary'] }),
  currency: CurrencyCode,
  dueAt: Timestamp,
  state: Type.Union([Type.Literal('retrying'), Type.Literal('failed')]),
  attempts: Type.Integer({
    minimum: 1,
    description: 'The attempt that failed last (1: the first).',
  }),
  lastError: Type.String({ description: 'Why the last attempt failed.' }),
  firstFailedAt: Timestamp,
  lastFailedAt: Timestamp,
});

export const BillingRunsSchema = Type.Object(
  {
    from: Timestamp,
    to: Timestamp,
    counts: Counts,
    byCurrency: Type.Array(Type.Object({ currency: CurrencyCode, ...countFields }), {
      description: 'The same counts per currency (the plan’s), by currency code.',
    }),
    lag: Type.Object(
      {
        issued: count('Issued renewals measured (subscriptions on test clocks are left out).'),
        p50Seconds: seconds('Median seconds from due to issued; null when none was measured.'),
        p95Seconds: seconds('95th percentile, interpolated.'),
        maxSeconds: seconds('The longest.'),
      },
      { description: 'From a renewal’s due time to the commit that issued its invoice.' },
    ),
    failures: Type.Object(
      {
        data: Type.Array(BillingRunFailureSchema),
        hasMore: Type.Boolean({ description: 'True when more failures follow this page.' }),
      },
      { description: 'The failing renewals (retrying or failed), soonest due first.' },
    ),
  },
  { $id: 'BillingRuns', title: 'BillingRuns' },
);

function toCounts(counts: BillingRunCounts) {
  const { due, issued, retrying, failed, late, scheduled } = counts;
  return { due, issued, retrying, failed, late, scheduled };
}

export function toBillingRuns(runs: BillingRuns) {
  return {
    from: iso(runs.from),
    to: iso(runs.to),
    counts: toCounts(runs.counts),
    byCurrency: runs.byCurrency.map((c) => ({ currency: c.currency, ...toCounts(c) })),
    lag: {
      issued: runs.lag.count,
      p50Seconds: runs.lag.p50Seconds,
      p95Seconds: runs.lag.p95Seconds,
      maxSeconds: runs.lag.maxSeconds,
    },
    failures: {
      data: runs.failures.items.map((f) => ({
        id: failureCursor(f),
        subscriptionId: f.subscriptionId,
        customerId: f.customerId,
        billingKey: f.billingKey,
        currency: f.currency,
        dueAt: iso(f.dueAt),
        state: f.state,
        attempts: f.attempts,
        lastError: f.lastError,
        firstFailedAt: iso(f.firstFailedAt),
        lastFailedAt: iso(f.lastFailedAt),
      })),
      hasMore: runs.failures.hasMore,
    },
  };
}
