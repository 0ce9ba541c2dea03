// Manual invoices: one-off invoices an operator writes (a setup fee, consulting, a correction),
// created as editable drafts (PATCH /v1/invoices/:id) and finalized like any other invoice:
// numbered, taxed, then rendered and emailed by their workflow (invoice-<id>).
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createManualInvoice } from '../../services/invoices.ts';
import { assertLineTotalsBounded, described, problemResponse } from '../schemas/common.ts';
import {
  DraftQuantity,
  DraftUnitAmount,
  InvoiceSchema,
  TaxCategory,
  toInvoice,
} from '../schemas/invoices.ts';
import { answeringRefusals } from '../services.ts';

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
      const draft = await answeringRefusals(() =>
        createManualInvoice(app.db, {
          customerId,
          currency,
          taxBehavior,
          lines: lines.map(({ unitPrice, ...line }) => ({ ...line, unitAmount: unitPrice })),
        }),
      );
      return reply.code(201).send(toInvoice(draft));
    },
  );
  done();
};

export default manualInvoices;
