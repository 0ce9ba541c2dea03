// Invoices: read them, edit drafts, finalize, void (with a credit note), write off, and credit.
// Subscription invoices are issued (created and finalized) by the subscription workflows.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Invoice as InvoiceRow } from '../../db/database.ts';
import { issueCreditNote, listCreditNotes } from '../../db/repositories/credit-notes.ts';
import {
  getInvoice,
  getInvoiceLines,
  listInvoices,
  requireInvoice,
} from '../../db/repositories/invoices.ts';
import { getInvoiceDocument } from '../../db/repositories/invoice-documents.ts';
import { updateDraft } from '../../db/repositories/invoice-drafts.ts';
import { markUncollectible, voidInvoice } from '../../db/repositories/invoice-lifecycle.ts';
import { finalizeAndFollow } from '../../services/invoice-finalization.ts';
import { notFound, unprocessable } from '../problem.ts';
import {
  assertLineTotalsBounded,
  DEFAULT_LIMIT,
  described,
  HtmlDocument,
  IdParams,
  Limit,
  ListOf,
  pageAfter,
  PageQuery,
  problemResponse,
  StartingAfter,
} from '../schemas/common.ts';
import { sendStoredHtml } from '../stored-documents.ts';
import { CreditNoteSchema, toCreditNote } from '../schemas/credit-notes.ts';
import {
  DraftQuantity,
  DraftUnitAmount,
  InvoiceSchema,
  InvoiceSummarySchema,
  MinorUnits,
  toInvoiceLine,
  toInvoiceSummary,
} from '../schemas/invoices.ts';
import { invoiceProblem } from '../invoice-problems.ts';
import { draftLine } from '../../services/invoices.ts';
import { tellCollection } from '../../services/collections.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const ListInvoicesQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    subscriptionId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

const DraftLineBody = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 500 }),
    quantity: DraftQuantity(0),
    unitAmount: DraftUnitAmount,
    discountAmount: Type.Optional(MinorUnits),
    taxCategory: Type.Optional(
      Type.Union([Type.Literal('standard'), Type.Literal('ebook'), Type.Literal('exempt')]),
    ),
  },
  { additionalProperties: false },
);

const UpdateDraftBody = Type.Object(
  {
    lines: Type.Optional(Type.Array(DraftLineBody, { minItems: 1, maxItems: 500 })),
    taxBehavior: Type.Optional(Type.Union([Type.Literal('exclusive'), Type.Literal('inclusive')])),
  },
  { additionalProperties: false },
);

const CreateCreditNoteBody = Type.Object(
  {
    reason: Type.Union([Type.Literal('refund'), Type.Literal('correction'), Type.Literal('other')]),
    memo: Type.Optional(Type.String({ maxLength: 1000 })),
    amount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Tax included, spread over the lines in proportion to what each has left.',
      }),
    ),
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          {
            position: Type.Integer({ minimum: 0 }),
            amount: Type.Integer({
              minimum: 1,
              maximum: Number.MAX_SAFE_INTEGER,
              description: 'Tax included.',
            }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 500 },
      ),
    ),
  },
  { additionalProperties: false },
);

const VoidResultSchema = Type.Object(
  {
    invoice: InvoiceSchema,
    creditNote: Type.Union([CreditNoteSchema, Type.Null()], {
      description: 'The credit note taking back what was not yet credited (null if nothing was).',
    }),
  },
  { description: 'The void invoice and its credit note.' },
);

async function answering<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw invoiceProblem(error);
  }
}

const invoices: FastifyPluginCallbackTypebox = (app, _options, done) => {
  async function fullInvoice(row: InvoiceRow) {
    const lines = await getInvoiceLines(app.db, row.id);
    return {
      ...toInvoiceSummary(row),
      lines: lines.map((line) => toInvoiceLine(line, row.currency)),
    };
  }

  app.get(
    '/invoices',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'List invoices',
        description:
          'Invoices, most recently issued first (drafts by creation), optionally of one customer or subscription (without lines).',
        querystring: ListInvoicesQuery,
        response: { 200: ListOf(InvoiceSummarySchema, 'A page of invoices.') },
      },
    },
    async (request) => {
      const { customerId, subscriptionId, startingAfter, limit = DEFAULT_LIMIT } = request.query;
      const rows = await listInvoices(app.db, {
        customerId,
        subscriptionId,
        startingAfter,
        limit: limit + 1,
      });
      return { data: rows.slice(0, limit).map(toInvoiceSummary), hasMore: rows.length > limit };
    },
  );

  app.get(
    '/invoices/:id',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'Get an invoice',
        description:
          'One invoice with its lines, discount, tax per rate and legal notes; every amount is money in minor units.',
        params: IdParams,
        response: {
          200: described(InvoiceSchema, 'The invoice.'),
          404: problemResponse('No invoice has this id.'),
        },
      },
    },
    async (request) => {
      const row = await getInvoice(app.db, request.params.id);
      if (!row) throw notFound(`Invoice ${request.params.id} does not exist.`);
      return fullInvoice(row);
    },
  );

  app.patch(
    '/invoices/:id',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'Edit a draft invoice',
        description:
          'Replaces a draft’s lines (amount = quantity × unitAmount, rounded half up once) or ' +
          'its price basis. ' +
          'A finalized invoice is immutable: 409 (issue a credit note instead).',
        params: IdParams,
        body: UpdateDraftBody,
        response: {
          200: described(InvoiceSchema, 'The draft as changed.'),
          404: problemResponse('No invoice has this id.'),
          409: problemResponse('The invoice is finalized.'),
          422: problemResponse('A line the invoice cannot take.'),
        },
      },
    },
    async (request) => {
      const { lines, taxBehavior } = request.body;
      if (lines) assertLineTotalsBounded(lines, 'unitAmount');
      const row = await answering(() =>
        updateDraft(app.db, request.params.id, {
          taxBehavior,
          ...(lines && {
            lines: lines.map((line, i) => ({
              ...draftLine(line, i, 0),
              discountAmount: line.discountAmount ?? 0,
              ...(line.taxCategory && { taxCategory: line.taxCategory }),
            })),
          }),
        }),
      );
      return fullInvoice(row);
    },
  );

  app.post(
    '/invoices/:id/finalize',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'Finalize a draft invoice',
        description:
          'Taxes the draft for its customer, numbers it in its series, dates it (due after the ' +
          'customer’s payment terms) and keeps the customer’s and seller’s details, in one ' +
          'transaction. Idempotent: an invoice already finalized is returned unchanged (200). ' +
          'The same transaction records what follows: a manual invoice (POST /v1/invoices) is ' +
          'rendered and emailed by its workflow, and an invoice with money owing gets its ' +
          'collection workflow (reminders until paid). Both are started right after the commit, ' +
          'and retried by the worker until Temporal has them, so the answer is 200 whatever ' +
          'Temporal did.',
        params: IdParams,
        response: {
          200: described(
            InvoiceSchema,
            'The finalized invoice, committed; its delivery and collection follow.',
          ),
          404: problemResponse('No invoice has this id.'),
          422: problemResponse('The invoice cannot be taxed (customer data) or has no lines.'),
        },
      },
    },
    async (request) => {
      const { invoice, deferred } = await answering(() =>
        finalizeAndFollow(app.db, app.temporal, request.params.id, {
          tax: app.tax,
          numbering: app.invoicing.numbering,
          seller: app.documents.seller,
          starts: { timeoutMs: app.temporalTimeoutMs },
        }),
      );
      for (const { workflowId, error } of deferred) {
        request.log.warn({ err: error, workflowId }, 'workflow start deferred to the drainer');
      }
      return fullInvoice(invoice);
    },
  );

  app.post(
    '/invoices/:id/void',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'Void an invoice',
        description:
          'Voids an open (or uncollectible) invoice: a credit note takes back everything not yet ' +
          'credited, and nothing is owed any more. A paid or partially paid invoice cannot be ' +
          'voided (409): credit it instead. Voiding a void invoice returns it. Its collection ' +
          'ends and emails the credit note to the customer.',
        params: IdParams,
        response: {
          200: VoidResultSchema,
          404: problemResponse('No invoice has this id.'),
          409: problemResponse('The invoice is a draft, paid or partially paid.'),
          503: problemResponse(
            'Voided, but Temporal is unavailable: void again to end collection.',
          ),
        },
      },
    },
    async (request) => {
      const { invoice, creditNote } = await answering(() =>
        voidInvoice(app.db, request.params.id, { numbering: app.invoicing.numbering }),
      );
      await answeringRefusals(() =>
        tellCollection(serviceDependencies(app), invoice.id, 'void', 'The invoice is void'),
      );
      const lines = await getInvoiceLines(app.db, invoice.id);
      return {
        invoice: {
          ...toInvoiceSummary(invoice),
          lines: lines.map((line) => toInvoiceLine(line, invoice.currency)),
        },
        creditNote: creditNote && toCreditNote(creditNote, lines),
      };
    },
  );

  app.post(
    '/invoices/:id/mark-uncollectible',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'Write an invoice off',
        description:
          'Marks an open or partially paid invoice uncollectible (it may still be paid later). ' +
          'Idempotent on an uncollectible invoice; 409 otherwise. Its reminders stop and its ' +
          'subscription no longer counts it as overdue.',
        params: IdParams,
        response: {
          200: described(InvoiceSchema, 'The invoice, uncollectible.'),
          404: problemResponse('No invoice has this id.'),
          409: problemResponse('The invoice is a draft, paid or void.'),
          503: problemResponse('Written off, but Temporal is unavailable: repeat the request.'),
        },
      },
    },
    async (request) => {
      const row = await answering(() => markUncollectible(app.db, request.params.id));
      await answeringRefusals(() =>
        tellCollection(
          serviceDependencies(app),
          row.id,
          'uncollectible',
          'The invoice is written off',
        ),
      );
      return fullInvoice(row);
    },
  );

  app.post(
    '/invoices/:id/credit-notes',
    {
      schema: {
        tags: ['Credit notes'],
        summary: 'Credit an invoice',
        description:
          'Issues a credit note against a finalized invoice, for given lines (by position, tax ' +
          'included) or an amount spread over the lines. Never more than the invoice has left to ' +
          'credit (422). Drafts are edited instead and void invoices are fully credited (409).',
        params: IdParams,
        body: CreateCreditNoteBody,
        response: {
          201: described(CreditNoteSchema, 'The credit note, numbered in its series.'),
          404: problemResponse('No invoice has this id.'),
          409: problemResponse('The invoice is a draft or void.'),
          422: problemResponse(
            'Neither or both of amount and lines, an unknown line, or more than is left.',
          ),
        },
      },
    },
    async (request, reply) => {
      const { reason, memo, amount, lines } = request.body;
      if ((amount === undefined) === (lines === undefined)) {
        throw unprocessable('amount', 'give either amount or lines');
      }
      const issued = await answering(() =>
        issueCreditNote(app.db, request.params.id, {
          reason,
          memo,
          credit: amount !== undefined ? { amount } : { lines: lines! },
          numbering: app.invoicing.numbering,
        }),
      );
      const invoiceLines = await getInvoiceLines(app.db, request.params.id);
      return reply.code(201).send(toCreditNote(issued, invoiceLines));
    },
  );

  app.get(
    '/invoices/:id/credit-notes',
    {
      schema: {
        tags: ['Credit notes'],
        summary: 'List an invoice’s credit notes',
        description: 'The credit notes issued against the invoice, in issue order.',
        params: IdParams,
        querystring: PageQuery,
        response: {
          200: ListOf(CreditNoteSchema, 'A page of credit notes.'),
          404: problemResponse('No invoice has this id.'),
        },
      },
    },
    async (request) => {
      const invoice = await answering(() => requireInvoice(app.db, request.params.id));
      const [notes, lines] = await Promise.all([
        listCreditNotes(app.db, invoice.id),
        getInvoiceLines(app.db, invoice.id),
      ]);
      return pageAfter(
        notes,
        request.query,
        (n) => n.creditNote.id,
        (n) => toCreditNote(n, lines),
      );
    },
  );

  app.get(
    '/invoices/:id/html',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'Get an invoice as HTML',
        description:
          'The rendered invoice document exactly as stored and sent. Its ETag is the content hash. ' +
          '404 when the invoice does not exist or has not been rendered yet.',
        params: IdParams,
        response: {
          200: HtmlDocument,
          404: problemResponse('No invoice has this id, or it has not been rendered yet.'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const document = await getInvoiceDocument(app.db, id, 'html');
      if (!document) {
        const exists = await getInvoice(app.db, id);
        throw notFound(
          exists ? `Invoice ${id} has not been rendered yet.` : `Invoice ${id} does not exist.`,
        );
      }
      return sendStoredHtml(reply, document.content, document.contentHash);
    },
  );

  done();
};

export default invoices;
