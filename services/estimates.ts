// Estimates: a plan (from the catalog or inline) priced for given quantities and usage over one
// billing period, by the one invoicing path a subscription's invoice takes, with the arithmetic
// of every line; taxed when the customer is known. Nothing changes but the stored estimate,
// which reads (and renders) the same every time it is shown.
import type { Db } from '../db/connect.ts';
import { getCouponByCode, toCatalogCoupon } from '../db/repositories/coupons.ts';
import { getCustomer, taxCustomerOf } from '../db/repositories/customers.ts';
import * as estimates from '../db/repositories/estimates.ts';
import type { EstimateRecord } from '../db/repositories/estimates.ts';
import type { InvoiceTaxSettings } from '../db/repositories/invoice-tax.ts';
import { listMetricCodes } from '../db/repositories/metrics.ts';
import { getPlanByCode, getPlanVersion } from '../db/repositories/plans.ts';
import { customerNow } from '../db/repositories/test-clocks.ts';
import { wordPeriodInvoice } from '../activities/line-wording.ts';
import type { DocumentRenderer } from '../documents/renderer.ts';
import { estimateViewOf } from '../documents/estimate-view.ts';
import type { Brand } from '../documents/views.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';
import { scheduleCycle, type Anchoring } from '../domain/subscriptions/billing-cycles.ts';
import type {
  CouponRedemption,
  PercentageUsage,
  PlanVersion,
  TaxBehavior,
} from '../domain/catalog/types.ts';
import { validatePlanVersion } from '../domain/catalog/validation.ts';
import type { RoundingMode } from '../domain/core/decimal.ts';
import { ratePeriodInvoice } from '../domain/invoicing/period-invoice.ts';
import { money } from '../domain/core/money.ts';
import {
  billingPeriod,
  isValidTimezone,
  utcInstant,
  type Interval,
} from '../domain/core/periods.ts';
import type { RatedPeriod } from '../domain/rating/types.ts';
import { toTaxLines } from '../domain/tax/provider.ts';
import { validateTaxCustomer } from '../domain/tax/validation.ts';
import type { ServiceDependencies } from './dependencies.ts';
import { Refused, refusedFor } from './refused.ts';

export interface EstimateDependencies extends ServiceDependencies {
  tax: InvoiceTaxSettings;
}

export interface EstimateDocumentDependencies extends ServiceDependencies {
  documents: { renderer: DocumentRenderer; seller: SellerDetails; brand: Brand };
}

/** A plan priced as sent, without saving it. */
export interface InlinePlan {
  name?: string | undefined;
  currency: string;
  interval: Interval;
  intervalCount?: number | undefined;
  taxBehavior?: TaxBehavior | undefined;
  /** Checked with the catalog rules before pricing. */
  charges: readonly object[];
  minimumCommitment?: string | undefined;
}

/** What to price: exactly one of planCode (a catalog plan) or plan (inline). */
export interface EstimateOrder {
  planCode?: string | undefined;
  /** Default: the plan's current version. */
  planVersion?: number | undefined;
  plan?: InlinePlan | undefined;
  customerId?: string | undefined;
  /** Default: the customer's now (a test clock's time on a clock). */
  periodStart?: string | undefined;
  anchoring?: { type: 'anniversary' | 'calendar' | 'billing_day'; day?: number | undefined };
  /** Without a customer (default UTC). */
  timezone?: string | undefined;
  /** Without a customer (default en-US). */
  locale?: string | undefined;
  /** Seats by per_seat charge key. */
  quantities?: Record<string, number> | undefined;
  /** Aggregated usage by metric code. */
  usage?: Record<string, string> | undefined;
  /** Percentage charges' transactions by charge key. */
  transactions?: Record<string, PercentageUsage> | undefined;
  couponCodes?: string[] | undefined;
  roundingMode?: RoundingMode | undefined;
}

interface PricedPlan {
  plan: PlanVersion;
  name: string;
  code: string | null;
  version: number | null;
}

function unprocessable(field: string, message: string): Refused {
  return new Refused('unprocessable', message, { field });
}

async function pricedPlan(db: Db, order: EstimateOrder): Promise<PricedPlan> {
  if ((order.planCode === undefined) === (order.plan === undefined)) {
    throw unprocessable(
      'planCode',
      'send exactly one of planCode (a catalog plan) or plan (inline)',
    );
  }
  if (order.planCode !== undefined) {
    const stored = await getPlanByCode(db, order.planCode);
    if (!stored) throw unprocessable('planCode', `no plan has code ${order.planCode}`);
    const version = await getPlanVersion(db, stored, order.planVersion ?? stored.current_version);
    if (!version)
      throw unprocessable(
        'planVersion',
        `plan ${order.planCode} has no version ${order.planVersion}`,
      );
    return { plan: version, name: stored.name, code: stored.code, version: version.version };
  }
  const inline = order.plan!;
  const plan = {
    planCode: 'inline',
    version: 1,
    currency: inline.currency,
    billingCycle: { interval: inline.interval, intervalCount: inline.intervalCount ?? 1 },
    taxBehavior: inline.taxBehavior ?? 'exclusive',
    charges: inline.charges,
    ...(inline.minimumCommitment !== undefined && { minimumCommitment: inline.minimumCommitment }),
  };
  const issues = validatePlanVersion(plan, new Set(await listMetricCodes(db)));
  if (issues.length > 0) {
    throw refusedFor(
      issues.map((i) => ({ field: `plan.${i.field}`.replace(/\.$/, ''), message: i.message })),
    );
  }
  return {
    plan: plan as PlanVersion,
    name: inline.name ?? 'Inline plan',
    code: null,
    version: null,
  };
}

async function redemptions(
  db: Db,
  codes: readonly string[],
  currency: string,
  now: Date,
): Promise<CouponRedemption[]> {
  const found: CouponRedemption[] = [];
  for (const [i, code] of codes.entries()) {
    const field = `couponCodes[${i}]`;
    const coupon = await getCouponByCode(db, code);
    if (!coupon) throw unprocessable(field, `no coupon has code ${code}`);
    if (coupon.expiresAt && coupon.expiresAt.getTime() < now.getTime()) {
      throw unprocessable(field, `coupon ${code} expired on ${coupon.expiresAt.toISOString()}`);
    }
    if (coupon.value.type === 'fixed' && coupon.value.amount.currency !== currency) {
      throw unprocessable(
        field,
        `coupon ${code} is in ${coupon.value.amount.currency}, the plan in ${currency}`,
      );
    }
    // An estimate prices the coupon's first period with it.
    found.push({ coupon: toCatalogCoupon(coupon), periodsApplied: 0 });
  }
  return found;
}

function anchoringOf(order: EstimateOrder): Anchoring {
  const a = order.anchoring;
  if (!a || a.type === 'anniversary') return { type: 'anniversary' };
  if (a.type === 'calendar') return { type: 'calendar' };
  if (a.day === undefined)
    throw unprocessable('anchoring.day', 'billing_day anchoring needs a day (1–31)');
  return { type: 'billing_day', day: a.day };
}

/**
 * Prices the plan for one period and stores the estimate; refused for an unknown plan,
 * customer or coupon, an invalid inline plan, a currency mismatch or a customer that cannot be
 * taxed.
 */
export async function createEstimate(
  deps: EstimateDependencies,
  order: EstimateOrder,
): Promise<EstimateRecord> {
  const { db, tax: taxSettings } = deps;
  const customer =
    order.customerId === undefined ? undefined : await getCustomer(db, order.customerId);
  if (order.customerId !== undefined && !customer) {
    throw unprocessable('customerId', `no customer has id ${order.customerId}`);
  }
  const priced = await pricedPlan(db, order);
  const { plan } = priced;
  if (customer && customer.currency !== plan.currency) {
    throw unprocessable(
      order.planCode !== undefined ? 'planCode' : 'plan.currency',
      `the plan is priced in ${plan.currency} but the customer is billed in ${customer.currency}`,
    );
  }
  if (customer) {
    const issues = validateTaxCustomer(taxCustomerOf(customer), taxSettings.seller);
    if (issues.length > 0) {
      throw unprocessable(
        'customerId',
        `customer ${customer.id} cannot be taxed: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      );
    }
  }
  const timezone = customer?.timezone ?? order.timezone ?? 'UTC';
  if (!isValidTimezone(timezone)) throw unprocessable('timezone', `unknown time zone ${timezone}`);
  const locale = customer?.locale ?? order.locale ?? 'en-US';
  try {
    Intl.getCanonicalLocales(locale);
  } catch {
    throw unprocessable('locale', `${locale} is not a BCP 47 language tag`);
  }

  // The estimate's date and default start: the customer's now (a test clock's time).
  const now = customer ? await customerNow(db, customer) : new Date();
  const anchoring = anchoringOf(order);
  const startAt = order.periodStart ?? now.toISOString();
  // The period priced: the full first period, or its stub from a start inside it.
  let full, period;
  try {
    const { start, end } = billingPeriod(
      scheduleCycle({
        interval: plan.billingCycle.interval,
        intervalCount: plan.billingCycle.intervalCount,
        timezone,
        startAt,
        anchoring,
      }),
      0,
    );
    full = { start, end };
    period = { start: utcInstant(startAt), end };
  } catch (error) {
    throw unprocessable('anchoring', (error as Error).message);
  }
  const coupons = await redemptions(db, order.couponCodes ?? [], plan.currency, now);
  const roundingMode = order.roundingMode ?? 'half_up';
  // The one invoicing path: a whole period (or its stub) with its usage in arrears and its
  // advance charges, exactly as a subscription's invoice would price them.
  const terms = { plan, quantity: 0, quantities: order.quantities ?? {} };
  // Worded in the estimate's locale through the function the issued invoice's lines take.
  const invoice = wordPeriodInvoice(
    locale,
    ratePeriodInvoice({
      timezone,
      roundingMode,
      arrears: {
        period: full,
        segments: [
          {
            ...terms,
            from: period.start,
            to: period.end,
            usage: order.usage ?? {},
            transactions: order.transactions ?? {},
          },
        ],
      },
      advance: { period: full, from: period.start, terms },
      coupons,
    }),
  );
  const rated: RatedPeriod = {
    currency: invoice.currency,
    roundingMode,
    lines: invoice.lines.map((l) => l.rated),
    subtotal: invoice.subtotal,
    discounts: invoice.discounts,
    discountTotal: invoice.discountTotal,
    netLines: invoice.lines.map((l) => ({
      lineId: l.rated.id,
      amount: money(l.amount.amount - l.discount.amount, invoice.currency),
    })),
    totalBeforeTax: invoice.totalBeforeTax,
    appliedCoupons: invoice.appliedCoupons,
  };
  // Tax where the customer is known: their location and status decide it (docs/TAX.md).
  const tax = customer
    ? await taxSettings.provider.calculate({
        seller: taxSettings.seller,
        customer: taxCustomerOf(customer),
        currency: plan.currency,
        lines: toTaxLines(rated.netLines),
        supplyDate: period.start,
        taxBehavior: plan.taxBehavior,
        rounding: taxSettings.rounding,
      })
    : null;
  return estimates.insertEstimate(db, {
    createdAt: now,
    customerId: customer?.id ?? null,
    planCode: priced.code,
    planVersion: priced.version,
    planName: priced.name,
    timezone,
    locale,
    period: { start: period.start, end: period.end },
    request: order,
    result: rated,
    tax,
  });
}

/** The estimate as it was priced; refused as not found for an unknown id. */
export async function getEstimate(deps: ServiceDependencies, id: string): Promise<EstimateRecord> {
  const record = await estimates.getEstimate(deps.db, id);
  if (!record) throw new Refused('not_found', `no estimate has id ${id}`);
  return record;
}

/** The estimate rendered from the estimate template. */
export async function estimateHtml(
  deps: EstimateDocumentDependencies,
  id: string,
): Promise<string> {
  const record = await getEstimate(deps, id);
  return deps.documents.renderer.renderEstimateHtml(estimateViewOf(deps.documents, record));
}
