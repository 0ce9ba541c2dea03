// Estimates: POST /v1/estimates prices a plan (from the catalog or inline) for given quantities
// and usage over one billing period, with the arithmetic of every line shown; nothing changes
// but the stored estimate. GET /v1/estimates/:id and /html show it again exactly as priced.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Db } from '../../db/connect.ts';
import { getCouponByCode, toCatalogCoupon } from '../../db/repositories/coupons.ts';
import { getCustomer, taxCustomerOf } from '../../db/repositories/customers.ts';
import {
  getEstimate,
  insertEstimate,
  type EstimateRecord,
} from '../../db/repositories/estimates.ts';
import { listMetricCodes } from '../../db/repositories/metrics.ts';
import { customerNow } from '../../db/repositories/test-clocks.ts';
import { getPlanByCode, getPlanVersion } from '../../db/repositories/plans.ts';
import { scheduleCycle, type Anchoring } from '../../domain/subscriptions/billing-cycles.ts';
import type { CouponRedemption, PlanVersion } from '../../domain/catalog/types.ts';
import { validatePlanVersion } from '../../domain/catalog/validation.ts';
import { ROUNDING_MODES } from '../../domain/core/decimal.ts';
import {
  billingPeriod,
  isValidTimezone,
  INTERVALS,
  utcInstant,
} from '../../domain/core/periods.ts';
import { ratePeriodInvoice } from '../../domain/invoicing/period-invoice.ts';
import { money } from '../../domain/core/money.ts';
import type { RatedPeriod } from '../../domain/rating/types.ts';
import { invoiceTotals } from '../../domain/invoicing/totals.ts';
import { toTaxLines } from '../../domain/tax/provider.ts';
import { validateTaxCustomer } from '../../domain/tax/validation.ts';
import type { EstimateView } from '../../documents/views.ts';
import { notFound, Problem, unprocessable } from '../problem.ts';
import { ChargeSchema, Decimal, MinimumCommitment, TaxBehaviorSchema } from '../schemas/catalog.ts';
import {
  CurrencyCode,
  described,
  HtmlDocument,
  IdParams,
  iso,
  Money,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';
import { sendStoredHtml } from '../stored-documents.ts';

const Band = Type.Object({ count: Decimal, amount: Decimal }, { additionalProperties: false });
const PercentageUsageSchema = Type.Object(
  {
    transactionCount: Decimal,
    totalAmount: Decimal,
    chargeable: Type.Optional(Band),
    belowMinimum: Type.Optional(Band),
    aboveMaximum: Type.Optional(Band),
  },
  {
    additionalProperties: false,
    description: 'A percentage charge’s transactions over the period (see docs/PRICING.md).',
  },
);

const InlinePlan = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    currency: CurrencyCode,
    interval: Type.Enum([...INTERVALS]),
    intervalCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 1 })),
    taxBehavior: Type.Optional(TaxBehaviorSchema),
    charges: Type.Array(ChargeSchema, { minItems: 1, maxItems: 100 }),
    minimumCommitment: Type.Optional(MinimumCommitment),
  },
  { additionalProperties: false, description: 'A plan priced as sent, without saving it.' },
);

const CreateEstimateBody = Type.Object(
  {
    planCode: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    planVersion: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Default: the plan’s current version.' }),
    ),
    plan: Type.Optional(InlinePlan),
    customerId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Prices in the customer’s time zone and locale, and checks the currency.',
      }),
    ),
    periodStart: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Start of the period priced (default now: the customer’s test-clock time on a clock).',
      }),
    ),
    anchoring: Type.Optional(
      Type.Object(
        {
          type: Type.Enum(['anniversary', 'calendar', 'billing_day']),
          day: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
        },
        {
          additionalProperties: false,
          description:
            'anniversary (default): a full period from periodStart. calendar or billing_day: the ' +
            'stub up to the next boundary, prorated by the length of the enclosing period.',
        },
      ),
    ),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Without a customer (default UTC).',
      }),
    ),
    locale: Type.Optional(
      Type.String({
        minLength: 2,
        maxLength: 35,
        description: 'Without a customer (default en-US).',
      }),
    ),
    quantities: Type.Optional(
      Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
        description: 'Seats by per_seat charge key.',
      }),
    ),
    usage: Type.Optional(
      Type.Record(Type.String(), Decimal, { description: 'Aggregated usage by metric code.' }),
    ),
    transactions: Type.Optional(
      Type.Record(Type.String(), PercentageUsageSchema, {
        description: 'Percentage charges’ transactions by charge key.',
      }),
    ),
    couponCodes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 10 })),
    roundingMode: Type.Optional(Type.Enum([...ROUNDING_MODES], { default: 'half_up' })),
  },
  { additionalProperties: false },
);

const Steps = Type.Array(Type.String(), { description: 'The arithmetic, step by step.' });
const EstimateSchema = Type.Object(
  {
    id: Type.String(),
    customerId: Type.Union([Type.String(), Type.Null()]),
    plan: Type.Object({
      code: Type.Union([Type.String(), Type.Null()]),
      version: Type.Union([Type.Integer(), Type.Null()]),
      name: Type.String(),
    }),
    currency: CurrencyCode,
    period: Type.Object({ start: Timestamp, end: Timestamp }),
    lines: Type.Array(
      Type.Object({
        id: Type.String(),
        kind: Type.String(),
        chargeKey: Type.Union([Type.String(), Type.Null()]),
        billing: Type.String(),
        description: Type.String(),
        quantity: Decimal,
        amount: Money,
        explanation: Steps,
      }),
    ),
    subtotal: Money,
    discounts: Type.Array(
      Type.Object({
        couponCode: Type.String(),
        description: Type.String(),
        amount: Money,
        explanation: Steps,
      }),
    ),
    discountTotal: Money,
    totalBeforeTax: described(
      Money,
      'Subtotal less discounts: the taxable base (tax-exclusive prices) or the gross (inclusive).',
    ),
    tax: Type.Union(
      [
        Type.Object({
          total: Money,
          taxBehavior: Type.Enum(['exclusive', 'inclusive']),
          breakdown: Type.Array(
            Type.Object({
              jurisdiction: Type.String(),
              name: Type.Union([Type.String(), Type.Null()]),
              rate: Decimal,
              treatment: Type.String(),
              taxableAmount: Money,
              taxAmount: Money,
            }),
          ),
          notes: Type.Array(Type.String(), {
            description: 'Legal mentions, e.g. the reverse charge or an exemption.',
          }),
        }),
        Type.Null(),
      ],
      { description: 'Tax by rate when the customer is known; null without a customer.' },
    ),
    total: described(Money, 'What an invoice for this period would be for, tax included.'),
    createdAt: Timestamp,
  },
  { $id: 'Estimate', title: 'Estimate' },
);

type Body = Static<typeof CreateEstimateBody>;

interface PricedPlan {
  plan: PlanVersion;
  name: string;
  code: string | null;
  version: number | null;
}

async function pricedPlan(db: Db, body: Body): Promise<PricedPlan> {
  if ((body.planCode === undefined) === (body.plan === undefined)) {
    throw unprocessable(
      'planCode',
      'send exactly one of planCode (a catalog plan) or plan (inline)',
    );
  }
  if (body.planCode !== undefined) {
    const stored = await getPlanByCode(db, body.planCode);
    if (!stored) throw unprocessable('planCode', `no plan has code ${body.planCode}`);
    const version = await getPlanVersion(db, stored, body.planVersion ?? stored.current_version);
    if (!version)
      throw unprocessable(
        'planVersion',
        `plan ${body.planCode} has no version ${body.planVersion}`,
      );
    return { plan: version, name: stored.name, code: stored.code, version: version.version };
  }
  const inline = body.plan!;
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
    const errors = issues.map((i) => ({
      field: `plan.${i.field}`.replace(/\.$/, ''),
      message: i.message,
    }));
    throw new Problem({
      status: 422,
      slug: 'unprocessable',
      detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    });
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
    const coupon = await getCouponByCode(db, code);
    if (!coupon) throw unprocessable(`couponCodes[${i}]`, `no coupon has code ${code}`);
    if (coupon.expiresAt && coupon.expiresAt.getTime() < now.getTime()) {
      throw unprocessable(
        `couponCodes[${i}]`,
        `coupon ${code} expired on ${iso(coupon.expiresAt)}`,
      );
    }
    if (coupon.value.type === 'fixed' && coupon.value.amount.currency !== currency) {
      throw unprocessable(
        `couponCodes[${i}]`,
        `coupon ${code} is in ${coupon.value.amount.currency}, the plan in ${currency}`,
      );
    }
    // An estimate prices the coupon's first period with it.
    found.push({ coupon: toCatalogCoupon(coupon), periodsApplied: 0 });
  }
  return found;
}

function anchoringOf(body: Body): Anchoring {
  const a = body.anchoring;
  if (!a || a.type === 'anniversary') return { type: 'anniversary' };
  if (a.type === 'calendar') return { type: 'calendar' };
  if (a.day === undefined)
    throw unprocessable('anchoring.day', 'billing_day anchoring needs a day (1–31)');
  return { type: 'billing_day', day: a.day };
}

async function createEstimate(app: FastifyInstance, body: Body): Promise<EstimateRecord> {
  const customer =
    body.customerId === undefined ? undefined : await getCustomer(app.db, body.customerId);
  if (body.customerId !== undefined && !customer) {
    throw unprocessable('customerId', `no customer has id ${body.customerId}`);
  }
  const priced = await pricedPlan(app.db, body);
  const { plan } = priced;
  if (customer && customer.currency !== plan.currency) {
    throw unprocessable(
      body.planCode !== undefined ? 'planCode' : 'plan.currency',
      `the plan is priced in ${plan.currency} but the customer is billed in ${customer.currency}`,
    );
  }
  if (customer) {
    const issues = validateTaxCustomer(taxCustomerOf(customer), app.tax.seller);
    if (issues.length > 0) {
      throw unprocessable(
        'customerId',
        `customer ${customer.id} cannot be taxed: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      );
    }
  }
  const timezone = customer?.timezone ?? body.timezone ?? 'UTC';
  if (!isValidTimezone(timezone)) throw unprocessable('timezone', `unknown time zone ${timezone}`);
  const locale = customer?.locale ?? body.locale ?? 'en-US';
  try {
    Intl.getCanonicalLocales(locale);
  } catch {
    throw unprocessable('locale', `${locale} is not a BCP 47 language tag`);
  }

  // The estimate's date and default start: the customer's now (a test clock's time).
  const now = customer ? await customerNow(app.db, customer) : new Date();
  const startAt = body.periodStart ?? now.toISOString();
  // The period priced: the full first period, or its stub from a start inside it.
  let full, period;
  try {
    const { start, end } = billingPeriod(
      scheduleCycle({
        interval: plan.billingCycle.interval,
        intervalCount: plan.billingCycle.intervalCount,
        timezone,
        startAt,
        anchoring: anchoringOf(body),
      }),
      0,
    );
    full = { start, end };
    period = { start: utcInstant(startAt), end };
  } catch (error) {
    if (error instanceof Problem) throw error;
    throw unprocessable('anchoring', (error as Error).message);
  }
  const coupons = await redemptions(app.db, body.couponCodes ?? [], plan.currency, now);
  // The one invoicing path: a whole period (or its stub) with its usage in arrears and its
  // advance charges, exactly as a subscription's invoice would price them.
  const terms = { plan, quantity: 0, quantities: body.quantities ?? {} };
  const invoice = ratePeriodInvoice({
    timezone,
    roundingMode: body.roundingMode ?? 'half_up',
    arrears: {
      period: full,
      segments: [
        {
          ...terms,
          from: period.start,
          to: period.end,
          usage: body.usage ?? {},
          transactions: body.transactions ?? {},
        },
      ],
    },
    advance: { period: full, from: period.start, terms },
    coupons,
  });
  const rated: RatedPeriod = {
    currency: invoice.currency,
    roundingMode: body.roundingMode ?? 'half_up',
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
    ? await app.tax.provider.calculate({
        seller: app.tax.seller,
        customer: taxCustomerOf(customer),
        currency: plan.currency,
        lines: toTaxLines(rated.netLines),
        supplyDate: period.start,
        taxBehavior: plan.taxBehavior,
        rounding: app.tax.rounding,
      })
    : null;
  return insertEstimate(app.db, {
    createdAt: now,
    customerId: customer?.id ?? null,
    planCode: priced.code,
    planVersion: priced.version,
    planName: priced.name,
    timezone,
    locale,
    period: { start: period.start, end: period.end },
    request: body,
    result: rated,
    tax,
  });
}

function toEstimate(record: EstimateRecord) {
  const { result, tax } = record;
  const totals = invoiceTotals(result, tax);
  return {
    id: record.id,
    customerId: record.customerId,
    plan: { code: record.planCode, version: record.planVersion, name: record.planName },
    currency: result.currency,
    period: record.period,
    lines: result.lines.map((line) => ({
      id: line.id,
      kind: line.kind,
      chargeKey: line.chargeKey,
      billing: line.billing,
      description: line.description,
      quantity: line.quantity,
      amount: line.amount,
      explanation: line.explanation,
    })),
    subtotal: result.subtotal,
    discounts: result.discounts.map((d) => ({
      couponCode: d.couponCode,
      description: d.description,
      amount: d.amount,
      explanation: d.explanation,
    })),
    discountTotal: result.discountTotal,
    totalBeforeTax: result.totalBeforeTax,
    tax: tax && {
      total: tax.totals.tax,
      taxBehavior: tax.taxBehavior,
      breakdown: tax.breakdown.map((entry) => ({
        jurisdiction: entry.jurisdiction,
        name: entry.taxName,
        rate: entry.rate,
        treatment: entry.treatment,
        taxableAmount: entry.taxableAmount,
        taxAmount: entry.taxAmount,
      })),
      notes: tax.notes.map((note) => note.text),
    },
    total: totals.total,
    createdAt: iso(record.createdAt),
  };
}

function estimateView(app: FastifyInstance, record: EstimateRecord): EstimateView {
  const { result } = record;
  return {
    seller: app.documents.seller,
    brand: app.documents.brand,
    customer: {
      ...(record.customerName ? { name: record.customerName } : {}),
      locale: record.locale,
      timezone: record.timezone,
    },
    estimate: {
      id: record.id,
      planName: record.planName,
      currency: result.currency,
      createdAt: iso(record.createdAt),
      periodStart: record.period.start,
      periodEnd: record.period.end,
      subtotal: result.subtotal.amount,
      discountTotal: result.discountTotal.amount,
      totalBeforeTax: result.totalBeforeTax.amount,
      total: invoiceTotals(result, record.tax).total.amount,
    },
    tax: record.tax && {
      lines: record.tax.breakdown
        .filter((entry) => entry.taxName !== null)
        .map((entry) => ({
          label: `${entry.taxName} ${entry.rate} % (${entry.jurisdiction})`,
          amount: entry.taxAmount.amount,
        })),
      inclusive: record.tax.taxBehavior === 'inclusive',
      notes: record.tax.notes.map((note) => note.text),
    },
    lines: result.lines.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      amount: line.amount.amount,
      explanation: line.explanation,
    })),
    discounts: result.discounts.map((d) => ({
      description: d.description,
      amount: d.amount.amount,
      explanation: d.explanation,
    })),
  };
}

const estimates: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/estimates',
    {
      schema: {
        tags: ['Estimates'],
        summary: 'Price a plan for one period',
        description:
          'Prices a catalog plan (planCode, optionally planVersion) or an inline plan for the given ' +
          'seats, usage and coupons over one billing period, exactly as an invoice would, with the ' +
          'arithmetic of every line. Stores the estimate; changes nothing else.',
        body: CreateEstimateBody,
        response: {
          201: described(EstimateSchema, 'The estimate, with every line’s arithmetic.'),
          422: problemResponse(
            'Unknown plan, customer or coupon; an invalid inline plan; a currency mismatch.',
          ),
        },
      },
    },
    async (request, reply) => {
      const record = await createEstimate(app, request.body);
      return reply.code(201).send(toEstimate(record));
    },
  );

  app.get(
    '/estimates/:id',
    {
      schema: {
        tags: ['Estimates'],
        summary: 'Get an estimate',
        description: 'The estimate as it was priced.',
        params: IdParams,
        response: {
          200: described(EstimateSchema, 'The estimate as it was priced.'),
          404: problemResponse('No estimate has this id.'),
        },
      },
    },
    async (request) => {
      const record = await getEstimate(app.db, request.params.id);
      if (!record) throw notFound(`no estimate has id ${request.params.id}`);
      return toEstimate(record);
    },
  );

  app.get(
    '/estimates/:id/html',
    {
      schema: {
        tags: ['Estimates'],
        summary: 'The estimate as a document',
        description: 'The estimate rendered from the estimate template (templates/estimate.hbs).',
        params: IdParams,
        produces: ['text/html'],
        response: { 200: HtmlDocument, 404: problemResponse('No estimate has this id.') },
      },
    },
    async (request, reply) => {
      const record = await getEstimate(app.db, request.params.id);
      if (!record) throw notFound(`no estimate has id ${request.params.id}`);
      return sendStoredHtml(
        reply,
        app.documents.renderer.renderEstimateHtml(estimateView(app, record)),
      );
    },
  );

  app.get(
    '/estimates/:id/pdf',
    {
      schema: {
        tags: ['Estimates'],
        summary: 'The estimate as a PDF',
        description:
          'The estimate document printed to PDF (A4) by the same warm Chromium as invoices.',
        params: IdParams,
        produces: ['application/pdf'],
        response: {
          200: described(Type.String({ format: 'binary' }), 'The PDF.'),
          404: problemResponse('No estimate has this id.'),
        },
      },
    },
    async (request, reply) => {
      const record = await getEstimate(app.db, request.params.id);
      if (!record) throw notFound(`no estimate has id ${request.params.id}`);
      const html = app.documents.renderer.renderEstimateHtml(estimateView(app, record));
      const pdf = await app.invoicePdfs.render(html);
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${record.id}.pdf"`)
        .send(pdf);
    },
  );

  done();
};

export default estimates;
