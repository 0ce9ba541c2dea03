// Finance's insights over HTTP (read scope): MRR and movements, receivables aging, payment
// trends with DSO, dunning effectiveness, overdue invoices and upcoming renewals. Definitions
// in docs/FINANCE.md "Insights"; use cases in services/insights.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  dunningInsight,
  mrrInsight,
  overdueInvoices,
  paymentInsight,
  receivablesAging,
  upcomingRenewals,
} from '../../services/insights.ts';
import { DEFAULT_LIMIT, described, ListOf, pageOf, problemResponse } from '../schemas/common.ts';
import {
  AgingQuery,
  AgingSchema,
  DunningInsightSchema,
  DunningQuery,
  MonthWindowQuery,
  MrrInsightSchema,
  OverdueInvoiceSchema,
  OverdueQuery,
  PaymentInsightSchema,
  RenewalsQuery,
  toAging,
  toDunningInsight,
  toMrrInsight,
  toOverdueInvoice,
  toPaymentInsight,
  toUpcomingRenewal,
  UpcomingRenewalSchema,
} from '../schemas/insights.ts';
import { answeringRefusals } from '../services.ts';

const unprocessable = problemResponse(
  'An unknown currency, or a window that ends before it starts.',
);
const DAY_MS = 86_400_000;

const asDate = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

const insights: FastifyPluginCallbackTypebox = (app, _options, done) => {
  for (const schema of [
    MrrInsightSchema,
    AgingSchema,
    PaymentInsightSchema,
    DunningInsightSchema,
    OverdueInvoiceSchema,
    UpcomingRenewalSchema,
  ])
    app.addSchema(schema);

  app.get(
    '/insights/mrr',
    {
      schema: {
        tags: ['Insights'],
        summary: 'MRR, ARR and their movements by month',
        description:
          'Monthly recurring revenue at each month end of the window, in one currency: ARR, ' +
          'customers, ARPA, the movements (new, expansion, contraction, churn, reactivation) ' +
          'from the month end before, logo and revenue churn and net revenue retention.',
        querystring: MonthWindowQuery,
        response: {
          200: described(Type.Ref('MrrInsight'), 'MRR and its movements, by month.'),
          422: unprocessable,
        },
      },
    },
    async (request) => {
      const { asOf, ...window } = request.query;
      const months = await answeringRefusals(() =>
        mrrInsight(app.db, { ...window, asOf: asDate(asOf) }),
      );
      return toMrrInsight(window.currency, months);
    },
  );

  app.get(
    '/insights/ar-aging',
    {
      schema: {
        tags: ['Insights'],
        summary: 'Receivables aging',
        description:
          'What finalized invoices still ask for at `asOf`, per currency, in five buckets by ' +
          'days past due: current, 1-30, 31-60, 61-90, 90+.',
        querystring: AgingQuery,
        response: {
          200: described(Type.Ref('ReceivablesAging'), 'What is owed, by currency and bucket.'),
          422: unprocessable,
        },
      },
    },
    async (request) => {
      const { asOf, currency } = request.query;
      const aging = await answeringRefusals(() =>
        receivablesAging(app.db, { asOf: asDate(asOf), currency }),
      );
      return toAging(aging);
    },
  );

  app.get(
    '/insights/payments',
    {
      schema: {
        tags: ['Insights'],
        summary: 'Payment trends and DSO',
        description:
          'By month: money collected, invoices settled on time or late, average days to pay, ' +
          'and what was collected after each reminder step; the window’s days sales outstanding.',
        querystring: MonthWindowQuery,
        response: {
          200: described(Type.Ref('PaymentInsight'), 'Payments by month, and DSO.'),
          422: unprocessable,
        },
      },
    },
    async (request) => {
      const { asOf, ...window } = request.query;
      const insight = await answeringRefusals(() =>
        paymentInsight(app.db, { ...window, asOf: asDate(asOf) }),
      );
      return toPaymentInsight(window.currency, insight);
    },
  );

  app.get(
    '/insights/dunning',
    {
      schema: {
        tags: ['Insights'],
        summary: 'Dunning effectiveness',
        description:
          'Of the invoices falling due in the window: how many got each reminder, how many were ' +
          'paid after it (before the next), what that recovered, and what was written off.',
        querystring: DunningQuery,
        response: {
          200: described(Type.Ref('DunningInsight'), 'Reminders sent and paid after.'),
          422: unprocessable,
        },
      },
    },
    async (request) => {
      const insight = await answeringRefusals(() => dunningInsight(app.db, request.query));
      return toDunningInsight(request.query.currency, insight);
    },
  );

  app.get(
    '/insights/overdue-invoices',
    {
      schema: {
        tags: ['Insights'],
        summary: 'List overdue invoices',
        description:
          'Invoices a whole day or more past due at `asOf` with something left to pay, most ' +
          'overdue first.',
        querystring: OverdueQuery,
        response: {
          200: ListOf(Type.Ref('OverdueInvoice'), 'A page of overdue invoices.'),
          422: unprocessable,
        },
      },
    },
    async (request) => {
      const { asOf, limit = DEFAULT_LIMIT, ...query } = request.query;
      const page = await answeringRefusals(() =>
        overdueInvoices(app.db, { ...query, limit, asOf: asDate(asOf) }),
      );
      return pageOf(page, toOverdueInvoice);
    },
  );

  app.get(
    '/insights/upcoming-renewals',
    {
      schema: {
        tags: ['Insights'],
        summary: 'List upcoming renewals',
        description:
          'Active and past-due subscriptions whose current period ends in [from, to), soonest ' +
          'first, with what their fixed charges bill per period.',
        querystring: RenewalsQuery,
        response: {
          200: ListOf(Type.Ref('UpcomingRenewal'), 'A page of renewals.'),
          422: unprocessable,
        },
      },
    },
    async (request) => {
      const { from, to, limit = DEFAULT_LIMIT, ...query } = request.query;
      const start = asDate(from) ?? new Date();
      const end = asDate(to) ?? new Date(start.getTime() + 30 * DAY_MS);
      const page = await answeringRefusals(() =>
        upcomingRenewals(app.db, { ...query, from: start, to: end, limit }),
      );
      return pageOf(page, toUpcomingRenewal);
    },
  );

  done();
};

export default insights;
