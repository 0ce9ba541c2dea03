// Collections over HTTP: payments against an invoice (idempotent by reference), the invoice's
// collection (where its dunning stands), disputes that pause it, dunning policies as data, and
// a customer's credit balance. The use cases are in services/payments.ts,
// services/collections.ts and services/dunning-policies.ts: each change is stored first, then
// the invoice's collection workflow is told.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  disputeInvoice,
  invoiceCollection,
  resolveInvoiceDispute,
} from '../../services/collections.ts';
import {
  dunningPolicy,
  findDunningPolicies,
  removeDunningPolicy,
  saveDunningPolicy,
} from '../../services/dunning-policies.ts';
import {
  customerCreditBalances,
  invoicePayments,
  receivePayment,
} from '../../services/payments.ts';
import {
  CollectionSchema,
  CreatePolicyBody,
  DisputeBody,
  DunningPolicySchema,
  PaymentResultSchema,
  PaymentSchema,
  RecordPaymentBody,
  ResolveBody,
  temporalNotTold,
  toCollection,
  toPayment,
  toPaymentResult,
  toPolicy,
} from '../schemas/collections.ts';
import {
  pageAfter,
  pageOf,
  PageQuery,
  DEFAULT_LIMIT,
  described,
  IdParams,
  ListOf,
  Money,
  problemResponse,
} from '../schemas/common.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

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
          503: temporalNotTold,
        },
      },
    },
    async (request, reply) => {
      const recorded = await answeringRefusals(() =>
        receivePayment(serviceDependencies(app), {
          ...request.body,
          invoiceId: request.params.id,
          source: 'api',
        }),
      );
      return reply.code(recorded.created ? 201 : 200).send(toPaymentResult(recorded));
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
      const rows = await answeringRefusals(() => invoicePayments(app.db, request.params.id));
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
    async (request) =>
      toCollection(await answeringRefusals(() => invoiceCollection(app.db, request.params.id))),
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
            503: temporalNotTold,
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const payload = request.body as { reason?: string; resolution?: string };
        const row = await answeringRefusals(() =>
          path === 'dispute'
            ? disputeInvoice(serviceDependencies(app), id, payload.reason!)
            : resolveInvoiceDispute(serviceDependencies(app), id, payload.resolution!),
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
      const row = await answeringRefusals(() =>
        saveDunningPolicy(app.db, { name, planCode, customerId, isDefault, policy }),
      );
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
      const page = await findDunningPolicies(app.db, { limit, startingAfter });
      return pageOf(page, toPolicy);
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
    async (request) =>
      toPolicy(await answeringRefusals(() => dunningPolicy(app.db, request.params.id))),
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
      await answeringRefusals(() => removeDunningPolicy(app.db, request.params.id));
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
      const balances = await answeringRefusals(() =>
        customerCreditBalances(app.db, request.params.id),
      );
      return { data: balances, hasMore: false };
    },
  );

  done();
};

export default collections;
