// Manual invoices: one-off invoices an operator writes (a setup fee, consulting, a correction),
// created as editable drafts (PATCH /v1/invoices/:id) and finalized like any other invoice:
// numbered, taxed, then rendered and emailed by their workflow (invoice-<id>).
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { getCustomer } from '../../db/repositories/customers.ts';
import { getInvoiceLines } from '../../db/repositories/invoices.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { unprocessable } from '../problem.ts';
import { assertLineTotalsBounded, described, problemResponse } from '../schemas/common.ts';
import {
  DraftQuantity,
  DraftUnitAmount,
  InvoiceSchema,
  toInvoiceLine,
  toInvoiceSummary,
} from '../schemas/invoices.ts';
import { draftLine } from '../../services/invoices.ts';
import { invoiceProblem } from '../invoice-problems.ts';

export const TaxCategory = Type.Union(
  [Type.Literal('standard'), Type.Literal('ebook'), Type.Literal('exempt')],
  { description: 'What is sold, for tax (default standard).' },
);

const ManualLineBody = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 500 }),
    quantity: DraftQuantity(1),
    unitPrice: described(
      DraftUnitAmount,
      'Price of one unit in minor units: an integer, or a decimal string such as "0.06".',
    ),
    taxCategory: Type.Optional(TaxCategory),
  },
  { additionalProperties: false },
);

const CreateManualInvoiceBody = Type.Object(
  {
    customerId: Type.String({ minLength: 1, maxLength: 64 }),
    currency: Type.Optional(
      Type.String({ pattern: '^[A-Z]{3}$', description: 'Default: the customer’s currency.' }),
    ),
    taxBehavior: Type.Optional(Type.Union([Type.Literal('exclusive'), Type.Literal('inclusive')])),
    lines: Type.Array(ManualLineBody, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);

const manualInvoices: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/invoices',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'Create a manual invoice',
        description:
          'A one-off invoice as a draft: unnumbered, untaxed and editable (PATCH) until finalized ' +
          '(POST /v1/invoices/{id}/finalize), which numbers it, taxes it, renders it and emails it ' +
          'exactly as any other invoice.',
        body: CreateManualInvoiceBody,
        response: {
          201: described(InvoiceSchema, 'The draft.'),
          422: problemResponse(
            'Unknown customer, a currency other than the customer’s, or lines totalling more than 10^15.',
          ),
        },
      },
    },
    async (request, reply) => {
      const { customerId, currency, taxBehavior, lines } = request.body;
      assertLineTotalsBounded(lines, 'unitPrice');
      const customer = await getCustomer(app.db, customerId);
      if (!customer) throw unprocessable('customerId', `customer ${customerId} does not exist`);
      if (currency !== undefined && currency !== customer.currency) {
        throw unprocessable('currency', `customer ${customerId} is billed in ${customer.currency}`);
      }
      const row = await Promise.resolve()
        .then(() =>
          createDraftInvoice(app.db, {
            customerId,
            currency: customer.currency,
            taxBehavior,
            origin: 'manual',
            lines: lines.map((line, i) => ({
              ...draftLine({ ...line, unitAmount: line.unitPrice }, i, 1),
              taxCategory: line.taxCategory ?? 'standard',
            })),
          }),
        )
        .catch((error: unknown) => {
          throw invoiceProblem(error);
        });
      const stored = await getInvoiceLines(app.db, row.id);
      return reply.code(201).send({
        ...toInvoiceSummary(row),
        lines: stored.map((line) => toInvoiceLine(line, row.currency)),
      });
    },
  );
  done();
};

export default manualInvoices;
