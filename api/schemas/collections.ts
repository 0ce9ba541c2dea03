// Collections as the API shows them and takes them: payments against an invoice, the invoice's
// collection (where its dunning stands), disputes, and dunning policies.
import { Type } from 'typebox';
import type { DunningPolicyRow, InvoiceCollection, Payment } from '../../db/database.ts';
import type { RecordedPayment } from '../../db/repositories/payments.ts';
import { ESCALATION_ACTIONS } from '../../domain/collections/dunning.ts';
import {
  CurrencyCode,
  described,
  iso,
  Money,
  NullableTimestamp,
  problemResponse,
  Timestamp,
} from './common.ts';
import { InvoiceSummarySchema, toInvoiceSummary } from './invoices.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const PaymentSchema = Type.Object(
  {
    id: Type.String({ examples: ['pay_abcdefghijklmnopqrst'] }),
    invoiceId: Type.String(),
    customerId: Type.String(),
    amount: Money,
    appliedAmount: described(Money, 'What went to the invoice’s balance.'),
    overpaidAmount: described(
      Money,
      'What exceeded the balance: kept as customer credit and taken off the next invoice.',
    ),
    method: Type.String(),
    reference: Type.String(),
    source: Type.String({ description: 'api, credit_balance, or a provider (stripe).' }),
    paidAt: Timestamp,
    createdAt: Timestamp,
  },
  { $id: 'Payment', title: 'Payment' },
);

export const PaymentResultSchema = Type.Object({
  payment: PaymentSchema,
  invoice: InvoiceSummarySchema,
});

/** The 503 of a change stored before the invoice's collection workflow is told of it. */
export const temporalNotTold = problemResponse(
  'Stored, but Temporal could not be told: retry the same request (it is idempotent).',
);

export const RecordPaymentBody = Type.Object(
  {
    amount: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Minor units of the invoice’s currency.',
    }),
    currency: Type.Optional(CurrencyCode),
    method: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'As the customer recognises it: "bank transfer", "Visa ending 4242".',
      examples: ['bank transfer'],
    }),
    reference: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Your reference for the payment: posting it again records nothing new.',
      examples: ['wire-2026-11-0042'],
    }),
    paidAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Default: now (on a test clock, the clock’s time).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CollectionSchema = Type.Object(
  {
    invoiceId: Type.String(),
    workflowId: Type.String({ examples: ['collection-inv_abcdefghijklmnopqrst'] }),
    status: Type.Union(
      ['open', 'overdue', 'disputed', 'paid', 'void', 'uncollectible'].map((s) => Type.Literal(s)),
    ),
    ended: Type.Boolean({ description: 'True once the collection has nothing left to do.' }),
    remindersSent: Type.Integer({ minimum: 0 }),
    nextAction: Nullable(
      Type.Object({
        action: Type.String({ examples: ['overdue-7d', 'final-notice', 'uncollectible'] }),
        at: Timestamp,
      }),
    ),
    dispute: Nullable(
      Type.Object({
        reason: Type.String(),
        disputedAt: Timestamp,
        resolvedAt: NullableTimestamp,
        resolution: Nullable(Type.String()),
      }),
    ),
    policyId: Nullable(Type.String({ description: 'Null: the built-in default policy.' })),
  },
  { $id: 'Collection', title: 'Collection' },
);

const Tone = Type.Union([Type.Literal('gentle'), Type.Literal('firm')]);
const Days = Type.Integer({ minimum: 0, maximum: 3650 });

const PolicyFields = {
  beforeDue: Nullable(
    Type.Object(
      { daysBefore: Type.Integer({ minimum: 1, maximum: 3650 }) },
      { additionalProperties: false },
    ),
  ),
  reminders: Type.Array(
    Type.Object({ daysAfterDue: Days, tone: Tone }, { additionalProperties: false }),
    { maxItems: 20, description: 'After the due date, in order: warm first, clearer later.' },
  ),
  finalNotice: Nullable(
    Type.Object(
      {
        daysAfterDue: Days,
        consequence: Type.Optional(
          Type.String({
            maxLength: 500,
            description: 'What happens next, in the customer’s words.',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  markUncollectibleAfterDays: Nullable(Days),
  escalation: Type.Array(
    Type.Object(
      {
        daysAfterDue: Days,
        action: Type.Enum([...ESCALATION_ACTIONS]),
      },
      { additionalProperties: false },
    ),
    {
      maxItems: 10,
      description:
        'What happens to the subscription while the invoice stays unpaid, in order, each step later ' +
        'and stronger than the one before: past_due, then pause, then cancel (nothing after it). ' +
        'A payment in between stops the rest and resumes a subscription the policy paused.',
    },
  ),
  sendWindow: Type.Object(
    {
      start: Type.String({ pattern: '^\\d\\d:\\d\\d$', examples: ['09:00'] }),
      end: Type.String({ pattern: '^\\d\\d:\\d\\d$', examples: ['17:00'] }),
      weekdaysOnly: Type.Boolean(),
    },
    {
      additionalProperties: false,
      description: 'Reminders go out in these local hours of the customer.',
    },
  ),
};

export const DunningPolicySchema = Type.Object(
  {
    id: Type.String({ examples: ['dpol_abcdefghijklmnopqrst'] }),
    name: Type.String(),
    planId: Nullable(Type.String()),
    customerId: Nullable(Type.String()),
    isDefault: Type.Boolean(),
    ...PolicyFields,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'DunningPolicy', title: 'DunningPolicy' },
);

export const CreatePolicyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    planCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    default: Type.Optional(Type.Boolean()),
    ...PolicyFields,
  },
  { additionalProperties: false },
);

export const DisputeBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);
export const ResolveBody = Type.Object(
  { resolution: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);

export function toPayment(row: Payment) {
  const money = (amount: number) => ({ amount, currency: row.currency });
  return {
    id: row.id,
    invoiceId: row.invoice_id,
    customerId: row.customer_id,
    amount: money(row.amount),
    appliedAmount: money(row.applied_amount),
    overpaidAmount: money(row.overpaid_amount),
    method: row.method,
    reference: row.reference,
    source: row.source,
    paidAt: iso(row.paid_at),
    createdAt: iso(row.created_at),
  };
}

/** A recorded payment and its invoice as it now stands (PaymentResultSchema). */
export function toPaymentResult(recorded: RecordedPayment) {
  return { payment: toPayment(recorded.payment), invoice: toInvoiceSummary(recorded.invoice) };
}

export function toCollection(row: InvoiceCollection) {
  return {
    invoiceId: row.invoice_id,
    workflowId: row.workflow_id,
    status: row.status,
    ended: row.ended,
    remindersSent: row.reminders_sent,
    nextAction:
      row.next_action && row.next_action_at
        ? { action: row.next_action, at: iso(row.next_action_at) }
        : null,
    dispute: row.disputed_at
      ? {
          reason: row.dispute_reason ?? '',
          disputedAt: iso(row.disputed_at),
          resolvedAt: row.resolved_at ? iso(row.resolved_at) : null,
          resolution: row.resolution,
        }
      : null,
    policyId: row.policy_id,
  };
}

export function toPolicy(row: DunningPolicyRow) {
  return {
    id: row.id,
    name: row.name,
    planId: row.plan_id,
    customerId: row.customer_id,
    isDefault: row.is_default,
    ...row.policy,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
