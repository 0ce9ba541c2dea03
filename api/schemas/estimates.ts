// The estimate routes' request and response shapes, and how a stored estimate is shown.
import { Type } from 'typebox';
import type { EstimateRecord } from '../../db/repositories/estimates.ts';
import { taxNoteText } from '../../documents/tax-mentions.ts';
import { ROUNDING_MODES } from '../../domain/core/decimal.ts';
import { invoiceTotals } from '../../domain/invoicing/totals.ts';
import { INTERVALS } from '../../domain/core/periods.ts';
import { ChargeSchema, Decimal, MinimumCommitment, TaxBehaviorSchema } from './catalog.ts';
import { CurrencyCode, described, iso, Money, Timestamp } from './common.ts';

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

export const CreateEstimateBody = Type.Object(
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
export const EstimateSchema = Type.Object(
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

export function toEstimate(record: EstimateRecord) {
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
      notes: tax.notes.map((note) => taxNoteText(record.locale, note)),
    },
    total: totals.total,
    createdAt: iso(record.createdAt),
  };
}
