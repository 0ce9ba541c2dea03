// Invoices: read them, edit drafts, finalize, void (with a credit note) and write off; credit
// notes are issued in credit-notes.ts, manual invoices created in manual-invoices.ts.
// Subscription invoices are issued (created and finalized) by the subscription workflows. The
// use cases are in services/invoices.ts and services/invoice-finalization.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { invoiceHtml } from '../../services/invoice-documents.ts';
import { finalizeAndFollow } from '../../services/invoice-finalization.ts';
import {
  editDraft,
  findInvoices,
  getInvoiceWithLines,
  voidInvoice,
  writeOffInvoice,
} from '../../services/invoices.ts';
import {
  pageOf,
  assertLineTotalsBounded,
  DEFAULT_LIMIT,
  described,
  HtmlDocument,
  IdParams,
  ListOf,
  problemResponse,
} from '../schemas/common.ts';
import {
  InvoiceSchema,
  InvoiceSummarySchema,
  ListInvoicesQuery,
  toInvoice,
  toInvoiceSummary,
  toVoidResult,
  UpdateDraftBody,
  VoidResultSchema,
} from '../schemas/invoices.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';
import { sendStoredHtml } from '../stored-documents.ts';

const invoices: FastifyPluginCallbackTypebox = (app, _options, done) => {
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
      const { limit = DEFAULT_LIMIT, ...filter } = request.query;
      const page = await findInvoices(app.db, { ...filter, limit });
      return pageOf(page, toInvoiceSummary);
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
    async (request) =>
      toInvoice(await answeringRefusals(() => getInvoiceWithLines(app.db, request.params.id))),
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
      return toInvoice(
        await answeringRefusals(() => editDraft(app.db, request.params.id, { lines, taxBehavior })),
      );
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
      const finalized = await answeringRefusals(() =>
        finalizeAndFollow(app.db, app.temporal, request.params.id, {
          tax: app.tax,
          numbering: app.invoicing.numbering,
          seller: app.documents.seller,
          starts: { timeoutMs: app.temporalTimeoutMs },
        }),
      );
      for (const { workflowId, error } of finalized.deferred) {
        request.log.warn({ err: error, workflowId }, 'workflow start deferred to the drainer');
      }
      return toInvoice(finalized);
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
      const voided = await answeringRefusals(() =>
        voidInvoice(
          { ...serviceDependencies(app), numbering: app.invoicing.numbering },
          request.params.id,
        ),
      );
      return toVoidResult(voided);
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
      return toInvoice(
        await answeringRefusals(() => writeOffInvoice(serviceDependencies(app), request.params.id)),
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
          'The rendered invoice document exactly as stored and sent, stamped VOID or ' +
          'Uncollectible (a copy; the original is kept) once the invoice is voided or written ' +
          'off. Its ETag is the content hash. 404 when the invoice does not exist or has not ' +
          'been rendered yet.',
        params: IdParams,
        response: {
          200: HtmlDocument,
          404: problemResponse('No invoice has this id, or it has not been rendered yet.'),
        },
      },
    },
    async (request, reply) => {
      const document = await answeringRefusals(() => invoiceHtml(app.db, request.params.id));
      return sendStoredHtml(reply, document.content, document.contentHash);
    },
  );

  done();
};

export default invoices;
