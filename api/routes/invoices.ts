// Invoices (read-only): GET /v1/invoices, GET /v1/invoices/:id, GET /v1/invoices/:id/html.
// Invoices are issued by subscription workflows; the API only reads them.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Invoice as InvoiceRow, InvoiceLine as InvoiceLineRow } from '../../db/database.ts';
import {
  getInvoice,
  getInvoiceDocument,
  getInvoiceLines,
  listInvoices,
} from '../../db/repositories/invoices.ts';
import { notFound } from '../problem.ts';
import {
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
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';
import { sendStoredHtml } from './stored-html.ts';

const invoiceFields = {
  id: Type.String({ examples: ['inv_abcdefghijklmnopqrst'] }),
  number: Type.String({
    description: 'Gap-free number within its yearly series, e.g. INV-2026-000123.',
  }),
  customerId: Type.String(),
  subscriptionId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ examples: ['open'] }),
  currency: CurrencyCode,
  period: described(NullablePeriod, 'The billing period invoiced, when the invoice is for one.'),
  subtotal: Money,
  tax: Money,
  total: Money,
  issuedAt: Timestamp,
  dueAt: Timestamp,
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
    amount: Money,
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

function period(start: Date | null, end: Date | null) {
  return start && end ? { start: iso(start), end: iso(end) } : null;
}

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
    subtotal: money(row.subtotal),
    tax: money(row.tax),
    total: money(row.total),
    issuedAt: iso(row.issued_at),
    dueAt: iso(row.due_at),
    createdAt: iso(row.created_at),
  };
}

export function toInvoiceLine(row: InvoiceLineRow, currency: string) {
  return {
    position: row.position,
    description: row.description,
    quantity: row.quantity,
    unitAmount: { amount: row.unit_amount, currency },
    amount: { amount: row.amount, currency },
    period: period(row.period_start, row.period_end),
  };
}

const invoices: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/invoices',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'List invoices',
        description:
          'Invoices, most recently issued first, optionally of one customer or subscription (without lines).',
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
        description: 'One invoice with its lines; every amount is money in minor units.',
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
      const lines = await getInvoiceLines(app.db, row.id);
      return {
        ...toInvoiceSummary(row),
        lines: lines.map((line) => toInvoiceLine(line, row.currency)),
      };
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
