// The registers finance exports as CSV for a period: invoices, credit notes and payments, each
// dated by its document's own date. Use cases in services/registers.ts, columns and CSV in
// api/schemas/registers.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { creditNoteRegister, invoiceRegister, paymentRegister } from '../../services/registers.ts';
import { problemResponse } from '../schemas/common.ts';
import {
  CSV_CONTENT_TYPE,
  CsvResponse,
  RegisterQuery,
  toCreditNoteRegisterCsv,
  toInvoiceRegisterCsv,
  toPaymentRegisterCsv,
} from '../schemas/registers.ts';
import { answeringRefusals } from '../services.ts';

const REFUSED = problemResponse(
  'A date that is not in the calendar, to before from, more than 366 days, or an unknown currency.',
);

function sendCsv(
  reply: FastifyReply,
  register: string,
  query: { from: string; to: string; currency?: string | undefined },
  csv: string,
) {
  const name = [register, query.from, query.to, query.currency].filter(Boolean).join('_');
  return reply
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .header('x-content-type-options', 'nosniff')
    .type(CSV_CONTENT_TYPE)
    .send(csv);
}

const registers: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/registers/invoices',
    {
      schema: {
        tags: ['Finance'],
        summary: 'Export the invoices register (CSV)',
        description:
          'Every finalized invoice dated in the period (its invoice date, in the customer’s time ' +
          'zone), void ones with their status, ordered by date, then issue instant, number and id. ' +
          'Amounts as exact decimals and as minor units. Columns: docs/FINANCE.md#registers.',
        querystring: RegisterQuery,
        response: { 200: CsvResponse('The invoices register.'), 422: REFUSED },
      },
    },
    async (request, reply) => {
      const entries = await answeringRefusals(() => invoiceRegister(app.db, request.query));
      return sendCsv(reply, 'invoices', request.query, toInvoiceRegisterCsv(entries));
    },
  );

  app.get(
    '/registers/credit-notes',
    {
      schema: {
        tags: ['Finance'],
        summary: 'Export the credit notes register (CSV)',
        description:
          'Every credit note dated in the period (a void’s among them), ordered by date, then ' +
          'issue instant, number and id. Columns: docs/FINANCE.md#registers.',
        querystring: RegisterQuery,
        response: { 200: CsvResponse('The credit notes register.'), 422: REFUSED },
      },
    },
    async (request, reply) => {
      const entries = await answeringRefusals(() => creditNoteRegister(app.db, request.query));
      return sendCsv(reply, 'credit-notes', request.query, toCreditNoteRegisterCsv(entries));
    },
  );

  app.get(
    '/registers/payments',
    {
      schema: {
        tags: ['Finance'],
        summary: 'Export the payments register (CSV)',
        description:
          'Every payment received in the period (its date in the customer’s time zone), ordered ' +
          'by date, then instant, invoice number and id. Columns: docs/FINANCE.md#registers.',
        querystring: RegisterQuery,
        response: { 200: CsvResponse('The payments register.'), 422: REFUSED },
      },
    },
    async (request, reply) => {
      const entries = await answeringRefusals(() => paymentRegister(app.db, request.query));
      return sendCsv(reply, 'payments', request.query, toPaymentRegisterCsv(entries));
    },
  );

  done();
};

export default registers;
