// The subscription routes' request and response shapes, and how a preview is shown.
import { Type } from 'typebox';
import { ANCHORINGS } from '../../domain/subscriptions/billing-cycles.ts';
import type { ChangePreview, InvoicePreview } from '../../services/invoice-previews.ts';
import { STATUSES } from '../../services/subscription-views.ts';
import {
  described,
  Limit,
  NullablePeriod,
  Money,
  NullableTimestamp,
  problemResponse,
  Reason,
  StartingAfter,
  Timestamp,
} from './common.ts';
import { BillingThreshold, BillingThresholdValue } from './thresholds.ts';

export const SubscriptionSchema = Type.Object(
  {
    id: Type.String({ examples: ['sub_abcdefghijklmnopqrst'] }),
    customerId: Type.String(),
    planCode: Type.String(),
    planVersion: Type.Integer({
      minimum: 1,
      description:
        'The plan version the subscription is billed on: the plan’s current version when it was created, until moved explicitly.',
    }),
    quantity: Type.Integer({ minimum: 1, description: 'Seats, for per-seat charges.' }),
    status: Type.Enum([...STATUSES]),
    anchorAt: described(
      Timestamp,
      'The billing anchor: full periods start at this local wall time, every interval. A first, ' +
        'prorated stub period (calendar or billing-day anchoring) runs from the start to here.',
    ),
    currentPeriod: described(
      NullablePeriod,
      'The period the customer is in now; null unless active.',
    ),
    nextBillingAt: described(
      NullableTimestamp,
      'When the next invoice is issued; null unless active.',
    ),
    invoicesIssued: Type.Integer({ minimum: 0 }),
    pausedAt: described(NullableTimestamp, 'When billing was paused; null unless paused.'),
    canceledAt: described(
      NullableTimestamp,
      'When the subscription was canceled; null unless canceled.',
    ),
    pendingChange: Type.Union(
      [
        Type.Object({
          planCode: Type.String(),
          planVersion: Type.Integer({ minimum: 1 }),
          quantity: Type.Integer({ minimum: 1 }),
          appliesAt: described(
            NullableTimestamp,
            'The next boundary, when the new terms start; null while not billing (paused: the first boundary after the resume).',
          ),
          requestedBy: Type.String({
            description: 'Who asked: an API key id, or a plan migration.',
          }),
          reason: Type.Union([Type.String(), Type.Null()]),
        }),
        Type.Null(),
      ],
      {
        description:
          'New terms waiting for the next boundary (a downgrade, or a change asked for period end); null when none.',
      },
    ),
    billingThreshold: BillingThreshold,
    createdAt: Timestamp,
  },
  { $id: 'Subscription', title: 'Subscription' },
);

export const CreateSubscriptionBody = Type.Object(
  {
    customerId: Type.String({ minLength: 1, maxLength: 64 }),
    planCode: Type.String({ minLength: 1, maxLength: 63 }),
    quantity: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        default: 1,
        description: 'Seats, for per-seat charges (default 1).',
      }),
    ),
    billingThreshold: Type.Optional(BillingThresholdValue),
    trialDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 730,
        description:
          'A free trial of this many days (in the customer’s time zone): status trialing, no invoice ' +
          'until it ends; the first paid period starts when it ends.',
      }),
    ),
    startAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'When billing starts (default now), with a UTC offset. With anniversary anchoring it is the ' +
          'billing anchor: the first period starts here and later ones at the same local time in the ' +
          'customer’s time zone.',
      }),
    ),
    anchoring: Type.Optional(
      Type.Object(
        {
          type: Type.Enum([...ANCHORINGS], {
            description:
              'anniversary (default): periods repeat the start. calendar: periods align to calendar ' +
              'units (months on the 1st, weeks on Monday, …). billing_day: months, quarters or years ' +
              'start on `day`. A calendar or billing-day subscription started mid-period opens with ' +
              'a prorated first invoice up to the next boundary.',
          }),
          day: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 31, description: 'For billing_day: 1–31.' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ListSubscriptionsQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

const ApplyAt = (description: string) => Type.Enum(['now', 'period_end'], { description });

export const PlanVersionBody = Type.Object(
  {
    version: Type.Integer({
      minimum: 1,
      maximum: 2_147_483_647,
      description: 'The plan version to bill the subscription on.',
    }),
    applyAt: Type.Optional(
      ApplyAt(
        'period_end (default): the new version is billed from the next boundary. now: the unused part ' +
          'of the current advance charges is credited (credit note) and the new version invoiced for the ' +
          'rest of the period.',
      ),
    ),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);

export const ActionBody = Type.Object(
  { reason: Type.Optional(Reason) },
  { additionalProperties: false },
);
export const CancelBody = Type.Object(
  {
    cancelAt: Type.Optional(
      Type.Enum(['now', 'period_end'], {
        default: 'now',
        description:
          'now (default): a final invoice with usage to date, and a credit note for the unused part of ' +
          'the period’s advance charges. period_end: billing stops when the current period closes.',
      }),
    ),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);
export const ChangeBody = Type.Object(
  {
    planCode: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    applyAt: Type.Optional(
      ApplyAt(
        'Default: an upgrade applies now (unused time credited, the new terms charged for the rest ' +
          'of the period); a downgrade at the next boundary.',
      ),
    ),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);
export const PreviewChangeQuery = Type.Object(
  {
    planCode: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
const PreviewLine = Type.Object({
  description: Type.String(),
  quantity: Type.String({ description: 'Billed quantity, an exact decimal.' }),
  unitAmount: Type.Union([Type.String(), Type.Null()], {
    description: 'Minor units per unit when the line has one price (exact decimal).',
  }),
  amount: Money,
  discount: Money,
  periodStart: Type.String(),
  periodEnd: Type.String(),
  billing: Type.String({ description: 'advance or arrears.' }),
  explanation: Type.Array(Type.String()),
});
const invoicePreviewProperties = {
  issuedAt: Type.String({ description: 'When the workflow will issue it.' }),
  periodStart: Type.String(),
  periodEnd: Type.String(),
  lines: Type.Array(PreviewLine),
  subtotal: Money,
  discounts: Type.Array(Type.Object({ couponCode: Type.String(), amount: Money })),
  discountTotal: Money,
  totalBeforeTax: Money,
  tax: Money,
  total: Money,
};
export const UpcomingSchema = Type.Object(invoicePreviewProperties, {
  $id: 'UpcomingInvoice',
  title: 'UpcomingInvoice',
});
export const PreviewSchema = Type.Object(
  {
    applyAt: Type.Enum(['now', 'period_end']),
    credit: described(Money, 'The credit note for unused time, tax included.'),
    charge: described(Money, 'The change’s invoice total, tax included.'),
    net: described(Money, 'charge − credit.'),
    nextPeriod: described(Money, 'A whole period on the new terms, in advance, before tax.'),
    invoice: Type.Union([Type.Object(invoicePreviewProperties), Type.Null()], {
      description: 'The change’s invoice, line by line (null when nothing is charged now).',
    }),
  },
  { $id: 'SubscriptionChangePreview', title: 'SubscriptionChangePreview' },
);
export const ResumeBody = Type.Object(
  {
    anchor: Type.Optional(
      Type.Enum(['keep', 'reset'], {
        default: 'keep',
        description:
          'keep (default): billing continues on the original anchor from the next period boundary. ' +
          'reset: the anchor moves to now and a new period is invoiced at once.',
      }),
    ),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);

/** What a change would credit and charge now, as the API shows it (PreviewSchema). */
export function changePreviewOf(preview: ChangePreview) {
  return { ...preview, invoice: preview.invoice && invoicePreviewOf(preview.invoice) };
}

/** An invoice preview as the API shows it. */
export function invoicePreviewOf(preview: InvoicePreview) {
  return {
    issuedAt: preview.issuedAt,
    periodStart: preview.period!.start,
    periodEnd: preview.period!.end,
    lines: preview.lines.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      unitAmount: line.unitAmount,
      amount: line.amount,
      discount: line.discount,
      periodStart: line.periodStart,
      periodEnd: line.periodEnd,
      billing: line.arithmetic.billing,
      explanation: line.arithmetic.explanation,
    })),
    subtotal: preview.subtotal,
    discounts: preview.discounts.map((d) => ({ couponCode: d.couponCode, amount: d.amount })),
    discountTotal: preview.discountTotal,
    totalBeforeTax: preview.totalBeforeTax,
    tax: preview.tax,
    total: preview.total,
  };
}

export const subscriptionResponses = (action: string) => ({
  200: described(SubscriptionSchema, `The subscription after the ${action}.`),
  404: problemResponse('No subscription has this id.'),
  409: problemResponse(
    `The ${action} conflicts with the subscription’s state (e.g. already paused, or canceled), or the Idempotency-Key conflicts.`,
  ),
  503: problemResponse('Temporal is unavailable or did not answer in time.'),
});
