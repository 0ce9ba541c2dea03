// What the subscription workflow WILL invoice, computed the way its activity does: the same
// windows (domain/invoicing/boundary.ts), the same usage and coupon queries, the same rating
// (ratePeriodInvoice) and the same tax request. Nothing is stored or changed.
import { wordPeriodInvoice } from '../activities/line-wording.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import type { Db } from '../db/connect.ts';
import { couponsForPeriod } from '../db/repositories/coupon-applications.ts';
import { couponPeriodKey } from '../db/repositories/coupon-applications.ts';
import { unusedAdvanceCredit } from '../db/repositories/credit-notes.ts';
import { type InvoiceTaxSettings } from '../db/repositories/invoice-tax.ts';
import { taxNewInvoice } from '../db/repositories/invoice-tax.ts';
import { segmentsWithUsage } from '../db/repositories/usage-aggregation.ts';
import { interimBilled } from '../db/repositories/thresholds.ts';
import { lessInterimBilled } from '../domain/invoicing/threshold.ts';
import type { Span } from '../domain/subscriptions/billing-cycles.ts';
import { billedPlan, boundaryWindows, type InvoiceWindows } from '../domain/invoicing/boundary.ts';
import { invoiceTotals } from '../domain/invoicing/totals.ts';
import {
  advancePerPeriod,
  ratePeriodInvoice,
  storedLines,
  type PeriodInvoice,
  type Terms,
} from '../domain/invoicing/period-invoice.ts';
import { money, type Money } from '../domain/core/money.ts';
import { billingPeriod, periodIndexAt } from '../domain/core/periods.ts';
import type { TaxResult } from '../domain/tax/types.ts';
import type { SubscriptionState } from '../workflows/subscription-messages.ts';

export interface InvoicePreview extends PeriodInvoice {
  /** When the invoice is issued (the boundary, or now for a change). */
  issuedAt: string;
  tax: Money;
  total: Money;
  taxResult: TaxResult;
}

interface Subject {
  db: Db;
  tax: InvoiceTaxSettings;
  customerId: string;
  subscriptionId: string;
}

/** Rates windows as the invoicing activity does, with usage up to `usageUntil`, and taxes them. */
async function preview(
  subject: Subject,
  request: InvoiceWindows & {
    issuedAt: string;
    timezone: string;
    couponPeriod: Span;
    usageUntil: string;
  },
): Promise<InvoicePreview | null> {
  const { db, customerId, subscriptionId } = subject;
  const { arrears } = request;
  // Coupons and usage at once: the live balance reads this preview on every batch.
  const [coupons, segments, interim] = await Promise.all([
    couponsForPeriod(db, {
      customerId,
      subscriptionId,
      periodKey: couponPeriodKey(subscriptionId, request.couponPeriod.start),
    }),
    arrears &&
      segmentsWithUsage(db, { customerId, segments: arrears.segments, until: request.usageUntil }),
    arrears && interimBilled(db, subscriptionId, arrears.period.end),
  ]);
  const ratedPeriod = ratePeriodInvoice({
    timezone: request.timezone,
    roundingMode: subject.tax.rounding.mode,
    ...(arrears && segments && { arrears: { period: arrears.period, segments } }),
    advance: request.advance,
    coupons,
  });
  // Less what the period's interim invoices (threshold billing) already billed.
  const rated = interim ? lessInterimBilled(ratedPeriod, interim) : ratedPeriod;
  if (rated.lines.length === 0 || !rated.period) return null;
  const plan = billedPlan(request);
  const { result: taxResult } = await taxNewInvoice(
    db,
    {
      customerId,
      subscriptionId,
      currency: rated.currency,
      periodStart: rated.period.start,
      periodEnd: rated.period.end,
      issuedAt: request.issuedAt,
      taxBehavior: plan.taxBehavior,
      lines: storedLines(rated),
    },
    subject.tax,
  );
  const { tax, total } = invoiceTotals(rated, taxResult);
  // Worded in the customer's locale, as the invoicing activity stores them.
  const locale = (await getCustomer(db, customerId))?.locale ?? 'en';
  return {
    ...wordPeriodInvoice(locale, rated),
    issuedAt: request.issuedAt,
    tax,
    total,
    taxResult,
  };
}

/**
 * The invoice the workflow issues at its next boundary: the open period's arrears at the terms
 * in force over it (usage so far) and the next period's advance charges at the terms it will
 * bill (a pending change applied). Null when the subscription has no open period.
 */
export async function upcomingInvoice(
  subject: Subject,
  state: SubscriptionState,
  now: string,
): Promise<InvoicePreview | null> {
  const closing = state.openPeriod;
  if (!closing) return null;
  const { cycle } = state;
  const ending = state.status === 'canceled';
  // The next boundary: the period after the open one (later after a pause), or earlier on a
  // resume with a fresh anchor, which cuts the open period short.
  const next = state.nextBillingAt ?? closing.end;
  const opening = billingPeriod(cycle, periodIndexAt(cycle, next));
  const terms: Terms = state.pendingChange ?? { plan: state.plan, quantity: state.quantity };
  const windows: InvoiceWindows = boundaryWindows({
    closing,
    history: state.openTerms,
    until: Date.parse(opening.start) < Date.parse(closing.end) ? opening.start : undefined,
    opening: { start: opening.start, end: opening.end },
    terms,
  });
  return preview(subject, {
    // A subscription canceled at period end bills its last arrears only.
    ...(ending ? { arrears: windows.arrears } : windows),
    issuedAt: ending ? closing.end : opening.start,
    timezone: cycle.timezone,
    couponPeriod: ending ? closing : opening,
    usageUntil: now,
  });
}

export interface ChangePreview {
  /** now for an upgrade (more in advance per period), period_end for a downgrade, unless asked. */
  applyAt: 'now' | 'period_end';
  /** The credit note for the unused part of what was billed in advance, tax included. */
  credit: Money;
  /** The change's invoice total (the new terms for the rest of the period), tax included. */
  charge: Money;
  /** charge − credit: what the change costs now (negative: owed to the customer). */
  net: Money;
  /** A whole period on the new terms, in advance, before tax. */
  nextPeriod: Money;
  /** The change's invoice, line by line; null when nothing is invoiced now. */
  invoice: InvoicePreview | null;
}

/**
 * What POST /change would do at `at`, exactly as the workflow would: the same upgrade rule
 * (advancePerPeriod), the change's invoice rated through the one path, and the credit note for
 * the lines billed in advance. A change applied at period end moves no money now.
 */
export async function previewChange(
  subject: Subject,
  state: SubscriptionState,
  next: Terms,
  at: string,
  applyAt?: 'now' | 'period_end',
): Promise<ChangePreview> {
  const currency = next.plan.currency;
  const zero = money(0, currency);
  const nextPeriod = advancePerPeriod(next);
  const upgrade =
    nextPeriod.amount >= advancePerPeriod({ plan: state.plan, quantity: state.quantity }).amount;
  const when = applyAt ?? (upgrade ? 'now' : 'period_end');
  const period = state.openPeriod;
  if (when === 'period_end' || !period) {
    return { applyAt: when, credit: zero, charge: zero, net: zero, nextPeriod, invoice: null };
  }
  const invoice = await preview(subject, {
    advance: { period, from: at, terms: next },
    issuedAt: at,
    timezone: state.cycle.timezone,
    couponPeriod: period,
    usageUntil: at,
  });
  const credit = await unusedAdvanceCredit(subject.db, {
    subscriptionId: subject.subscriptionId,
    period,
    from: at,
    timezone: state.cycle.timezone,
    mode: subject.tax.rounding.mode,
  });
  const charge = invoice?.total ?? zero;
  return {
    applyAt: when,
    credit: money(credit, currency),
    charge,
    net: money(charge.amount - credit, currency),
    nextPeriod,
    invoice,
  };
}
