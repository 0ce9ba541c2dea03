// Invoices: read them, edit drafts, finalize, void (with a credit note), write off, and credit.
// Subscription invoices are issued (created and finalized) by the subscription workflows.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Invoice as InvoiceRow, InvoiceLine as InvoiceLineRow } from '../../db/database.ts';
import { issueCreditNote, listCreditNotes } from '../../db/repositories/credit-notes.ts';
import {
  finalizeInvoice,
  getInvoice,
  getInvoiceDocument,
  getInvoiceLines,
  InvalidInvoiceRequestError,
  InvalidInvoiceTransitionError,
  InvoiceNotFoundError,
  listInvoices,
  markUncollectible,
  requireInvoice,
  updateDraft,
  voidInvoice,
} from '../../db/repositories/invoices.ts';
import { TaxRequestError } from '../../domain/tax/validation.ts';
import { conflict, notFound, Problem, unprocessable } from '../problem.ts';
import {
  assertLineTotalsBounded,
  CurrencyCode,
  DEFAULT_LIMIT,
  described,
  HtmlDocument,
  IdParams,
  iso,
  Limit,
  StartingAfter,
  ListOf,
  Money,
  NullablePeriod,
  NullableTimestamp,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';
import { CreditNoteSchema, toCreditNote } from './credit-notes.ts';
import { tellCollection } from './collections.ts';
import { sendStoredHtml } from './stored-html.ts';
import { startManualInvoiceDelivery } from './manual-invoice-delivery.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const TaxBreakdownEntrySchema = Type.Object(
  {
    treatment: Type.String({
      description: 'taxable, reverse_charge, exempt_customer, outside_scope, …',
      examples: ['taxable'],
    }),
    jurisdiction: Type.String({ examples: ['FR'] }),
    taxName: Nullable(Type.String({ examples: ['VAT'] })),
    rate: Type.String({ description: 'Percent, an exact decimal string.', examples: ['20'] }),
    taxableAmount: Money,
    taxAmount: Money,
  },
  { description: 'Tax per (jurisdiction, tax, rate), and per untaxed treatment.' },
);

const TaxNoteSchema = Type.Object({
  code: Type.String({ examples: ['reverse_charge'] }),
  text: Type.String({ description: 'The legal mention the invoice prints.' }),
});

const invoiceFields = {
  id: Type.String({ examples: ['inv_abcdefghijklmnopqrst'] }),
  number: Nullable(
    Type.String({
      description:
        'Gap-free number within its series (INVOICE_NUMBER_FORMAT), e.g. INV-2026-000123; null while a draft.',
    }),
  ),
  customerId: Type.String(),
  subscriptionId: Nullable(Type.String()),
  status: Type.Union(
    [
      Type.Literal('draft'),
      Type.Literal('open'),
      Type.Literal('paid'),
      Type.Literal('partially_paid'),
      Type.Literal('void'),
      Type.Literal('uncollectible'),
    ],
    {
      description:
        'draft (editable, unnumbered) → open (finalized, immutable) → paid, partially_paid, void or uncollectible.',
    },
  ),
  currency: CurrencyCode,
  period: described(NullablePeriod, 'The billing period invoiced, when the invoice is for one.'),
  taxBehavior: Type.Union([Type.Literal('exclusive'), Type.Literal('inclusive')], {
    description: 'exclusive: total = subtotal − discount + tax; inclusive: tax is inside.',
  }),
  subtotal: Money,
  discountTotal: Money,
  tax: Money,
  total: Money,
  amountPaid: Money,
  amountCredited: described(Money, 'The total of the credit notes issued against it.'),
  amountDue: described(Money, 'What is still owed: total − paid − credited, never below 0.'),
  taxBreakdown: Type.Array(TaxBreakdownEntrySchema),
  taxNotes: Type.Array(TaxNoteSchema),
  issuedAt: described(NullableTimestamp, 'The invoice date (finalization); null for drafts.'),
  dueAt: described(
    NullableTimestamp,
    'Issue date + the customer’s payment terms; null for drafts.',
  ),
  finalizedAt: NullableTimestamp,
  paidAt: NullableTimestamp,
  voidedAt: NullableTimestamp,
  markedUncollectibleAt: NullableTimestamp,
  createdAt: Timestamp,
};

export const InvoiceSummarySchema = Type.Object(invoiceFields, {
  $id: 'InvoiceSummary',
  title: 'InvoiceSummary',
});

export const InvoiceLineSchema = Type.Object(
  {
    position: Type.Integer({ minimum: 0 }),
    description: Type.String(),
    quantity: Type.Integer(),
    unitAmount: Money,
    amount: described(Money, 'Before discount and tax.'),
    discountAmount: Money,
    taxAmount: Money,
    taxRate: Nullable(Type.String({ description: 'Percent; null until finalized.' })),
    taxJurisdiction: Nullable(Type.String()),
    taxTreatment: Nullable(Type.String()),
    total: described(Money, 'What the customer pays for the line, tax included.'),
    period: NullablePeriod,
  },
  { $id: 'InvoiceLine', title: 'InvoiceLine' },
);

export const InvoiceSchema = Type.Object(
  { ...invoiceFields, lines: Type.Array(InvoiceLineSchema) },
  { $id: 'Invoice', title: 'Invoice' },
);

const ListInvoicesQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    subscriptionId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

const MinorUnits = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

const DraftLineBody = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 500 }),
    quantity: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    unitAmount: MinorUnits,
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

function period(start: Date | null, end: Date | null) {
  return start && end ? { start: iso(start), end: iso(end) } : null;
}

const isoOrNull = (d: Date | null) => (d ? iso(d) : null);

export function toInvoiceSummary(row: InvoiceRow) {
  const money = (amount: number) => ({ amount, currency: row.currency });
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    subscriptionId: row.subscription_id,
    status: row.status,
    currency: row.currency,
    period: period(row.period_start, row.period_end),
    taxBehavior: row.tax_behavior,
    subtotal: money(row.subtotal),
    discountTotal: money(row.discount_total),
    tax: money(row.tax),
    total: money(row.total),
    amountPaid: money(row.amount_paid),
    amountCredited: money(row.amount_credited),
    amountDue: money(row.amount_due),
    taxBreakdown: row.tax_breakdown,
    taxNotes: row.tax_notes.map(({ code, text }) => ({ code, text })),
    issuedAt: isoOrNull(row.issued_at),
    dueAt: isoOrNull(row.due_at),
    finalizedAt: isoOrNull(row.finalized_at),
    paidAt: isoOrNull(row.paid_at),
    voidedAt: isoOrNull(row.voided_at),
    markedUncollectibleAt: isoOrNull(row.marked_uncollectible_at),
    createdAt: iso(row.created_at),
  };
}

export function toInvoiceLine(row: InvoiceLineRow, currency: string) {
  const money = (amount: number) => ({ amount, currency });
  return {
    position: row.position,
    description: row.description,
    quantity: row.quantity,
    unitAmount: money(row.unit_amount),
    amount: money(row.amount),
    discountAmount: money(row.discount_amount),
    taxAmount: money(row.tax_amount),
    taxRate: row.tax_rate === null ? null : String(Number(row.tax_rate)),
    taxJurisdiction: row.tax_jurisdiction,
    taxTreatment: row.tax_treatment,
    total: money(row.total_amount),
    period: period(row.period_start, row.period_end),
  };
}

/** The repository's refusals as problems: 404, 409 (invalid transition), 422. */
export function invoiceProblem(error: unknown): unknown {
  if (error instanceof InvoiceNotFoundError) return notFound(error.message);
  if (error instanceof InvalidInvoiceTransitionError) return conflict(error.message);
  if (error instanceof InvalidInvoiceRequestError) {
    return unprocessable(error.field, error.message);
  }
  if (error instanceof TaxRequestError) {
    return new Problem({
      status: 422,
      slug: 'unprocessable',
      detail: `the invoice cannot be taxed: ${error.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      errors: error.issues,
    });
  }
  return error;
}

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
          'Replaces a draft’s lines (amount = quantity × unitAmount) or its price basis. ' +
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
            lines: lines.map((line) => ({
              description: line.description,
              quantity: line.quantity,
              unitAmount: line.unitAmount,
              amount: line.quantity * line.unitAmount,
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
          'A manual invoice (POST /v1/invoices) is then rendered and emailed by its workflow. An ' +
          'invoice with money owing gets its collection workflow (reminders until paid); a 503 ' +
          'after finalizing means its collection is not started yet: finalize again.',
        params: IdParams,
        response: {
          200: described(InvoiceSchema, 'The finalized invoice.'),
          404: problemResponse('No invoice has this id.'),
          422: problemResponse('The invoice cannot be taxed (customer data) or has no lines.'),
          503: problemResponse(
            'Temporal is unavailable: a manual invoice stays a draft; another invoice is finalized ' +
              'but its collection is not started (finalize again).',
          ),
        },
      },
    },
    async (request) => {
      const options = {
        tax: app.tax,
        numbering: app.invoicing.numbering,
        seller: app.documents.seller,
      };
      const found = await answering(() => requireInvoice(app.db, request.params.id));
      // A manual invoice is delivered by its workflow: the finalization commits only if the
      // workflow started (and a repeat finds it running or done), so none is left unsent.
      const row =
        found.origin !== 'manual'
          ? await answering(() => finalizeInvoice(app.db, found.id, options))
          : await answering(() =>
              app.db.transaction().execute(async (trx) => {
                // Dated now, or at the customer's test-clock time (finalizeInvoice's default).
                const finalized = await finalizeInvoice(trx, found.id, options);
                await startManualInvoiceDelivery(app, trx, finalized);
                return finalized;
              }),
            );
      if (row.status === 'open' || row.status === 'partially_paid') {
        await tellCollection(app, row.id, 'finalized', 'The invoice is finalized');
      }
      return fullInvoice(row);
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
      await tellCollection(app, invoice.id, 'void', 'The invoice is void');
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
      await tellCollection(app, row.id, 'uncollectible', 'The invoice is written off');
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
        description: 'Every credit note issued against the invoice, in issue order.',
        params: IdParams,
        response: {
          200: ListOf(CreditNoteSchema, 'The credit notes (all of them: hasMore is false).'),
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
      return { data: notes.map((n) => toCreditNote(n, lines)), hasMore: false };
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
