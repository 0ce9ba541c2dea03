// Credit notes: issued against a finalized invoice (POST /v1/invoices/:id/credit-notes; a void
// issues its own, POST /v1/invoices/:id/void), listed per invoice, read on their own, and shown
// as the customer's document (HTML, PDF). The use cases are in services/credit-notes.ts and
// services/customer-documents.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  creditInvoice,
  creditNoteOfInvoice,
  invoiceCreditNotes,
} from '../../services/credit-notes.ts';
import { customerDocument, customerDocumentPdf } from '../../services/customer-documents.ts';
import { unprocessable } from '../problem.ts';
import {
  described,
  HtmlDocument,
  IdParams,
  ListOf,
  pageAfter,
  PageQuery,
  PdfDocument,
  problemResponse,
} from '../schemas/common.ts';
import { CreditNoteSchema, toCreditNote } from '../schemas/credit-notes.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';
import { sendStoredHtml, sendStoredPdf } from '../stored-documents.ts';

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

const creditNotes: FastifyPluginCallbackTypebox = (app, _options, done) => {
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
      const { note, invoiceLines, told } = await answeringRefusals(() =>
        creditInvoice(serviceDependencies(app), request.params.id, {
          reason,
          memo,
          credit: amount !== undefined ? { amount } : { lines: lines! },
          numbering: app.invoicing.numbering,
        }),
      );
      if (!told) {
        request.log.warn(
          { creditNoteId: note.creditNote.id },
          'credit note issued but its collection not told: emailed when it is next told',
        );
      }
      return reply.code(201).send(toCreditNote(note, invoiceLines));
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
      const { notes, invoiceLines } = await answeringRefusals(() =>
        invoiceCreditNotes(app.db, request.params.id),
      );
      return pageAfter(
        notes,
        request.query,
        (n) => n.creditNote.id,
        (n) => toCreditNote(n, invoiceLines),
      );
    },
  );

  app.get(
    '/credit-notes/:id',
    {
      schema: {
        tags: ['Credit notes'],
        summary: 'Get a credit note',
        description: 'One credit note with its lines, each naming the invoice line it credits.',
        params: IdParams,
        response: {
          200: described(CreditNoteSchema, 'The credit note.'),
          404: problemResponse('No credit note has this id.'),
        },
      },
    },
    async (request) => {
      const { note, invoiceLines } = await answeringRefusals(() =>
        creditNoteOfInvoice(app.db, request.params.id),
      );
      return toCreditNote(note, invoiceLines);
    },
  );

  app.get(
    '/credit-notes/:id/html',
    {
      schema: {
        tags: ['Credit notes'],
        summary: 'Get a credit note as HTML',
        description:
          'The credit note document, rendered once (by its email or the first request) and ' +
          'served as stored ever after. Its ETag is the content hash.',
        params: IdParams,
        response: {
          200: HtmlDocument,
          404: problemResponse('No credit note has this id.'),
        },
      },
    },
    async (request, reply) => {
      const ref = { kind: 'credit_note', subjectId: request.params.id } as const;
      const document = await answeringRefusals(() => customerDocument(app.db, app.documents, ref));
      return sendStoredHtml(reply, document.content, document.contentHash);
    },
  );

  app.get(
    '/credit-notes/:id/pdf',
    {
      schema: {
        tags: ['Credit notes'],
        summary: 'Get a credit note as PDF',
        description:
          'The credit note printed to PDF from its stored HTML. The first request prints and ' +
          'stores it; every later request gets the same bytes (ETag: their hash).',
        params: IdParams,
        response: {
          200: PdfDocument,
          404: problemResponse('No credit note has this id.'),
        },
      },
    },
    async (request, reply) => {
      const ref = { kind: 'credit_note', subjectId: request.params.id } as const;
      const { stored, filename } = await answeringRefusals(() =>
        customerDocumentPdf(app.db, app.documents, app.invoicePdfs, ref),
      );
      return sendStoredPdf(request, reply, stored, filename);
    },
  );

  done();
};

export default creditNotes;
