// Credit notes (read): GET /v1/credit-notes/:id. They are issued through their invoice:
// POST /v1/invoices/:id/credit-notes, or POST /v1/invoices/:id/void.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { getCreditNote } from '../../db/repositories/credit-notes.ts';
import { getInvoiceLines } from '../../db/repositories/invoices.ts';
import { notFound } from '../problem.ts';
import { described, IdParams, problemResponse } from '../schemas/common.ts';
import { CreditNoteSchema, toCreditNote } from '../schemas/credit-notes.ts';

const creditNotes: FastifyPluginCallbackTypebox = (app, _options, done) => {
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
      const found = await getCreditNote(app.db, request.params.id);
      if (!found) throw notFound(`Credit note ${request.params.id} does not exist.`);
      return toCreditNote(found, await getInvoiceLines(app.db, found.creditNote.invoice_id));
    },
  );

  done();
};

export default creditNotes;
