// The dashboard's figures as the insights API answers them: the same mappings as /v1/insights/*
// (api/schemas/insights.ts), so what the page shows is what the API says for the same query.
import type { FinanceDashboard } from '../../services/dashboard.ts';
import { iso, pageOf } from '../schemas/common.ts';
import {
  toAging,
  toMrrInsight,
  toOverdueInvoice,
  toPaymentInsight,
  toUpcomingRenewal,
} from '../schemas/insights.ts';

export function toDashboardAnswers(found: FinanceDashboard) {
  const { currency } = found;
  return {
    currency,
    currencies: found.currencies,
    asOf: iso(found.asOf),
    from: found.from,
    to: found.to,
    mrr: toMrrInsight(currency, found.mrr),
    arAging: toAging(found.aging),
    payments: toPaymentInsight(currency, found.payments),
    overdueInvoices: pageOf(found.overdue, toOverdueInvoice),
    upcomingRenewals: pageOf(found.renewals, toUpcomingRenewal),
  };
}

export type DashboardAnswers = ReturnType<typeof toDashboardAnswers>;
