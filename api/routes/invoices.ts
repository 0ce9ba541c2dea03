// Invoices: read them, edit drafts, finalize, void (with a credit note), write off, and credit.
// Subscription invoices are issued (created and finalized) by the subscription workflows.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Invoice as InvoiceRow, InvoiceLine as InvoiceLineRow } from '../../db/database.ts';
import { issueCreditNote, listCreditNotes } from '../../db/repositories/credit-notes.ts';
import {
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
import { decimal } from '../../domain/decimal.ts';
import { decimalOf, lineAmount, type DecimalInput } from '../../domain/invoicing/line-amount.ts';
import type { NewInvoiceLine } from '../../db/repositories/invoices.ts';
import { TaxRequestError } from '../../domain/tax/validation.ts';
import { finalizeAndFollow } from '../../services/invoice-finalization.ts';
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
  ListOf,
  Money,
  NullablePeriod,
  NullableTimestamp,
  pageAfter,
  PageQuery,
  problemResponse,
  StartingAfter,
  Timestamp,
} from '../schemas/common.ts';
import { Decimal } from '../schemas/catalog.ts';
import { LineArithmeticSchema } from '../schemas/line-arithmetic.ts';
import { CreditNoteSchema, toCreditNote } from './credit-notes.ts';
import { tellCollection } from './collections.ts';
import { sendStoredHtml } from './stored-html.ts';

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
    quantity: { ...Decimal, description: 'Units billed, exact: "1", "12.5" (GB), "2.25" (hours).' },
    unitAmount: Type.Union([Decimal, Type.Null()], {
      description:
        'Minor units per unit, exact and possibly finer than the currency ("0.06" is €0.0006); ' +
        'null when no single price makes the line (tiers, a minimum’s true-up).',
    }),
    amount: described(Money, 'Before discount and tax: the line’s one rounded amount.'),
    discountAmount: Money,
    taxAmount: Money,
    taxRate: Nullable(Type.String({ description: 'Percent; null until finalized.' })),
    taxJurisdiction: Nullable(Type.String()),
    taxTreatment: Nullable(Type.String()),
    total: described(Money, 'What the customer pays for the line, tax included.'),
    period: NullablePeriod,
    arithmetic: Type.Union([LineArithmeticSchema, Type.Null()], {
      description: 'How a rated line’s amount was reached; null for lines priced by hand.',
    }),
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

const MAX_QUANTITY = 1_000_000_000;
const UnsignedDecimal = Type.String({ pattern: '^\\d+(\\.\\d+)?$', maxLength: 40 });

/** A line's quantity in a request: an integer, or an exact decimal string ("2.5"). */
export function DraftQuantity(minimum: 0 | 1) {
  return Type.Union([Type.Integer({ minimum, maximum: MAX_QUANTITY }), UnsignedDecimal], {
    description: `Units, ${minimum === 0 ? 'at least 0' : 'above 0'} and at most 10^9: an integer or a decimal string such as "2.5".`,
  });
}

/** A line's unit price in a request: integer minor units, or a decimal string ("0.06"). */
export const DraftUnitAmount = Type.Union([MinorUnits, UnsignedDecimal], {
  description: 'Price of one unit in minor units: an integer, or a decimal string such as "0.06".',
});

/**
 * A line priced by hand: amount = quantity × unit price, rounded half up once (exact for whole
 * numbers). Refuses a quantity out of range, or an amount past a safe integer, naming the field.
 */
export function draftLine(
  line: { description: string; quantity: DecimalInput; unitAmount: DecimalInput },
  i: number,
  minimumQuantity: 0 | 1,
): Pick<NewInvoiceLine, 'description' | 'quantity' | 'unitAmount' | 'amount'> {
  const quantity = decimal(line.quantity);
  if ((minimumQuantity === 1 ? quantity.lte(0) : quantity.lt(0)) || quantity.gt(MAX_QUANTITY)) {
    throw new InvalidInvoiceRequestError(
      `lines[${i}].quantity`,
      `must be ${minimumQuantity === 1 ? 'above 0' : 'at least 0'} and at most 10^9`,
    );
  }
  let amount: number;
  try {
    amount = lineAmount(line.quantity, line.unitAmount);
  } catch {
    throw new InvalidInvoiceRequestError(`lines[${i}].amount`, 'is too large');
  }
  return {
    description: line.description,
    quantity: decimalOf(line.quantity),
    unitAmount: decimalOf(line.unitAmount),
    amount,
  };
}

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
    unitAmount: row.unit_amount,
    amount: money(row.amount),
    discountAmount: money(row.discount_amount),
    taxAmount: money(row.tax_amount),
    taxRate: row.tax_rate === null ? null : String(Number(row.tax_rate)),
    taxJurisdiction: row.tax_jurisdiction,
    taxTreatment: row.tax_treatment,
    total: money(row.total_amount),
    period: period(row.period_start, row.period_end),
    arithmetic: row.arithmetic,
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
