// Collections over HTTP: payments against an invoice (idempotent by reference), the invoice's
// collection (where its dunning stands), disputes that pause it, dunning policies as data, and
// a customer's credit balance. Every change is written to PostgreSQL first, then the invoice's
// collection workflow is told (signal-with-start): the database is the truth it reads.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DunningPolicyRow, InvoiceCollection, Payment } from '../../db/database.ts';
import {
  CollectionStateError,
  deleteDunningPolicy,
  disputeCollection,
  getCollection,
  getDunningPolicy,
  listDunningPolicies,
  resolveDispute,
  upsertDunningPolicy,
  type PolicyScope,
} from '../../db/repositories/collections.ts';
import { getCustomer } from '../../db/repositories/customers.ts';
import { requireInvoice } from '../../db/repositories/invoices.ts';
import {
  creditBalances,
  listPayments,
  PaymentConflictError,
  recordPayment,
  type NewPayment,
} from '../../db/repositories/payments.ts';
import { checkDunningPolicy, ESCALATION_ACTIONS } from '../../domain/collections/dunning.ts';
import { conflict, notFound, Problem } from '../problem.ts';
import {
  CurrencyCode,
  DEFAULT_LIMIT,
  described,
  IdParams,
  iso,
  ListOf,
  Money,
  NullableTimestamp,
  pageAfter,
  PageQuery,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';
import { InvoiceSummarySchema, toInvoiceSummary } from '../schemas/invoices.ts';
import { invoiceProblem } from '../invoice-problems.ts';
import { tellCollection } from '../../services/collections.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

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

const PaymentResultSchema = Type.Object({
  payment: PaymentSchema,
  invoice: InvoiceSummarySchema,
});

const RecordPaymentBody = Type.Object(
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

const CollectionSchema = Type.Object(
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

const DunningPolicySchema = Type.Object(
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

const CreatePolicyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    planCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    default: Type.Optional(Type.Boolean()),
    ...PolicyFields,
  },
  { additionalProperties: false },
);

const DisputeBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);
const ResolveBody = Type.Object(
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

function toCollection(row: InvoiceCollection) {
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

function toPolicy(row: DunningPolicyRow) {
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

function collectionProblem(error: unknown): unknown {
  if (error instanceof PaymentConflictError) return conflict(error.message);
  if (error instanceof CollectionStateError) return conflict(error.message);
  return invoiceProblem(error);
}

const temporalDown = problemResponse(
  'Stored, but Temporal could not be told: retry the same request (it is idempotent).',
);

const collections: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/invoices/:id/payments',
    {
      schema: {
        tags: ['Collections'],
        summary: 'Record a payment',
        description:
          'Records money received against a finalized invoice, idempotent by `reference`: the ' +
          'same reference again answers 200 with the first payment (409 if its amount differs). ' +
          'A full payment settles the invoice and stops its reminders; a partial one lowers the ' +
          'balance the next reminder asks for; an overpayment becomes customer credit taken off ' +
          'the next invoice. The invoice’s collection sends one receipt per payment.',
        params: IdParams,
        body: RecordPaymentBody,
        response: {
          201: described(PaymentResultSchema, 'The payment and the invoice as it now stands.'),
          200: described(PaymentResultSchema, 'This reference was already recorded.'),
          404: problemResponse('No invoice has this id.'),
          409: problemResponse('A draft or void invoice, or the reference with another amount.'),
          422: problemResponse('Another currency than the invoice’s.'),
          503: temporalDown,
        },
      },
    },
    async (request, reply) => {
      const { amount, currency, method, reference, paidAt } = request.body;
      const payment: NewPayment = {
        invoiceId: request.params.id,
        amount,
        currency,
        method,
        reference,
        paidAt,
        source: 'api',
      };
      let recorded;
      try {
        recorded = await recordPayment(app.db, payment);
      } catch (error) {
        throw collectionProblem(error);
      }
      await answeringRefusals(() =>
        tellCollection(
          serviceDependencies(app),
          recorded.invoice.id,
          'payment',
          'The payment is recorded',
        ),
      );
      return reply.code(recorded.created ? 201 : 200).send({
        payment: toPayment(recorded.payment),
        invoice: toInvoiceSummary(recorded.invoice),
      });
    },
  );

  app.get(
    '/invoices/:id/payments',
    {
      schema: {
        tags: ['Collections'],
        summary: 'List an invoice’s payments',
        description: 'The payments recorded against the invoice, oldest first.',
        params: IdParams,
        querystring: PageQuery,
        response: {
          200: ListOf(PaymentSchema, 'A page of payments.'),
          404: problemResponse('No invoice has this id.'),
        },
      },
    },
    async (request) => {
      try {
        await requireInvoice(app.db, request.params.id);
      } catch (error) {
        throw collectionProblem(error);
      }
      const rows = await listPayments(app.db, request.params.id);
      return pageAfter(rows, request.query, (p) => p.id, toPayment);
    },
  );

  app.get(
    '/invoices/:id/collection',
    {
      schema: {
        tags: ['Collections'],
        summary: 'Get an invoice’s collection',
        description:
          'Where the invoice’s dunning stands: status, reminders sent, the next action and when, ' +
          'and any dispute. 404 until the invoice is finalized and its collection has started.',
        params: IdParams,
        response: {
          200: described(CollectionSchema, 'The collection.'),
          404: problemResponse('No collection for this invoice.'),
        },
      },
    },
    async (request) => {
      const row = await getCollection(app.db, request.params.id);
      if (!row) throw notFound(`Invoice ${request.params.id} has no collection.`);
      return toCollection(row);
    },
  );

  for (const [path, summary, body] of [
    ['dispute', 'Dispute an invoice', DisputeBody],
    ['resolve', 'Resolve an invoice’s dispute', ResolveBody],
  ] as const) {
    app.post(
      `/invoices/:id/${path}`,
      {
        schema: {
          tags: ['Collections'],
          summary,
          description:
            path === 'dispute'
              ? 'Pauses the invoice’s reminders and end actions while the dispute is looked into. ' +
                '409 when the invoice is not being collected or is already disputed.'
              : 'Ends the dispute: collection resumes, and every step left moves later by the ' +
                'time it was paused. 409 when the invoice is not disputed.',
          params: IdParams,
          body,
          response: {
            200: described(CollectionSchema, 'The collection as it now stands.'),
            409: problemResponse('Not being collected, or not in the right dispute state.'),
            503: temporalDown,
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const payload = request.body as { reason?: string; resolution?: string };
        let row: InvoiceCollection;
        try {
          row =
            path === 'dispute'
              ? await disputeCollection(app.db, id, { reason: payload.reason! })
              : await resolveDispute(app.db, id, { resolution: payload.resolution! });
        } catch (error) {
          throw collectionProblem(error);
        }
        await answeringRefusals(() =>
          tellCollection(serviceDependencies(app), id, path, `The ${path} is recorded`),
        );
        return toCollection(row);
      },
    );
  }

  app.post(
    '/dunning-policies',
    {
      schema: {
        tags: ['Collections'],
        summary: 'Create or replace a dunning policy',
        description:
          'A policy for one customer (`customerId`), one plan (`planCode`) or the default ' +
          '(`default: true`): exactly one of them. A policy with the same scope is replaced. ' +
          'A customer’s own policy wins over its plan’s, which wins over the default. ' +
          'Collections already running keep the policy they started with.',
        body: CreatePolicyBody,
        response: {
          201: described(DunningPolicySchema, 'The policy.'),
          404: problemResponse('No such plan or customer.'),
          422: problemResponse('Not exactly one scope, or steps out of order.'),
        },
      },
    },
    async (request, reply) => {
      const { name, planCode, customerId, default: isDefault, ...policy } = request.body;
      const scopes = [planCode, customerId, isDefault ? true : undefined].filter(
        (s) => s !== undefined,
      );
      if (scopes.length !== 1) {
        throw new Problem({
          status: 422,
          slug: 'unprocessable',
          detail: 'give exactly one of planCode, customerId or default: true',
          errors: [{ field: 'planCode', message: 'exactly one scope is required' }],
        });
      }
      const problems = checkDunningPolicy(policy);
      if (problems.length > 0) {
        throw new Problem({
          status: 422,
          slug: 'unprocessable',
          detail: problems.map((p) => `${p.field} ${p.message}`).join('; '),
          errors: problems,
        });
      }
      let scope: PolicyScope = { isDefault: true };
      if (planCode !== undefined) {
        const plan = await app.db
          .selectFrom('plans')
          .select('id')
          .where('code', '=', planCode)
          .executeTakeFirst();
        if (!plan) throw notFound(`Plan ${planCode} does not exist.`);
        scope = { planId: plan.id };
      } else if (customerId !== undefined) {
        if (!(await getCustomer(app.db, customerId))) {
          throw notFound(`Customer ${customerId} does not exist.`);
        }
        scope = { customerId };
      }
      const row = await upsertDunningPolicy(app.db, {
        name,
        scope,
        policy: policy,
      });
      return reply.code(201).send(toPolicy(row));
    },
  );

  app.get(
    '/dunning-policies',
    {
      schema: {
        tags: ['Collections'],
        summary: 'List dunning policies',
        description:
          'The policies, newest first (`isDefault` marks the default). Without one, a built-in default applies.',
        querystring: PageQuery,
        response: { 200: ListOf(DunningPolicySchema, 'A page of policies.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listDunningPolicies(app.db, { limit, startingAfter });
      return { data: page.items.map(toPolicy), hasMore: page.hasMore };
    },
  );

  app.get(
    '/dunning-policies/:id',
    {
      schema: {
        tags: ['Collections'],
        summary: 'Get a dunning policy',
        description: 'One policy: its steps, end actions and sending window.',
        params: IdParams,
        response: {
          200: described(DunningPolicySchema, 'The policy.'),
          404: problemResponse('No policy has this id.'),
        },
      },
    },
    async (request) => {
      const row = await getDunningPolicy(app.db, request.params.id);
      if (!row) throw notFound(`Dunning policy ${request.params.id} does not exist.`);
      return toPolicy(row);
    },
  );

  app.delete(
    '/dunning-policies/:id',
    {
      schema: {
        tags: ['Collections'],
        summary: 'Delete a dunning policy',
        description:
          'New collections fall back on the next policy in line; running ones keep theirs.',
        params: IdParams,
        response: {
          204: Type.Null({ description: 'Deleted.' }),
          404: problemResponse('No policy has this id.'),
        },
      },
    },
    async (request, reply) => {
      if (!(await deleteDunningPolicy(app.db, request.params.id))) {
        throw notFound(`Dunning policy ${request.params.id} does not exist.`);
      }
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/customers/:id/credit-balance',
    {
      schema: {
        tags: ['Collections'],
        summary: 'Get a customer’s credit balance',
        description:
          'Unused credit per currency (overpayments less what was taken off later invoices).',
        params: IdParams,
        response: {
          200: ListOf(Money, 'The balances, one per currency (all of them).'),
          404: problemResponse('No customer has this id.'),
        },
      },
    },
    async (request) => {
      if (!(await getCustomer(app.db, request.params.id))) {
        throw notFound(`Customer ${request.params.id} does not exist.`);
      }
      return { data: await creditBalances(app.db, request.params.id), hasMore: false };
    },
  );

  done();
};

export default collections;
