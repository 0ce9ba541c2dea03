// The e-invoices of invoices and credit notes: GET /v1/invoices/:id/e-invoice and
// GET /v1/credit-notes/:id/e-invoice, in the format the customer receives (docs/E-INVOICES.md).
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredEInvoice } from '../../db/database.ts';
import { documentEInvoice } from '../../services/e-invoices.ts';
import { IdParams, problemResponse } from '../schemas/common.ts';
import { EInvoiceDocument } from '../schemas/e-invoices.ts';
import { answeringRefusals } from '../services.ts';

/** The stored bytes with their hash as ETag; a matching If-None-Match gets a 304. */
function sendEInvoice(request: FastifyRequest, reply: FastifyReply, stored: StoredEInvoice) {
  const etag = `"${stored.content_hash}"`;
  reply.header('etag', etag);
  if (request.headers['if-none-match']?.split(',').some((tag) => tag.trim() === etag)) {
    return reply.code(304).send();
  }
  return reply
    .header('content-disposition', `inline; filename="${stored.filename.replace(/[^\w.-]/g, '_')}"`)
    .header('x-content-type-options', 'nosniff')
    .type(stored.content_type)
    .send(stored.content);
}

const eInvoices: FastifyPluginCallbackTypebox = (app, _options, done) => {
  for (const [kind, path, tag, noun] of [
    ['invoice', '/invoices/:id/e-invoice', 'Invoices', 'invoice'],
    ['credit_note', '/credit-notes/:id/e-invoice', 'Credit notes', 'credit note'],
  ] as const) {
    app.get(
      path,
      {
        schema: {
          tags: [tag],
          summary: `Get a ${noun} as e-invoice`,
          description:
            `The ${noun} as the e-invoice its customer receives (their eInvoiceFormat): ` +
            'application/xml for XRechnung (CII or UBL) and Peppol BIS Billing 3.0 (UBL), ' +
            'application/pdf for Factur-X/ZUGFeRD (EN 16931 profile: the PDF/A-3 with its CII ' +
            'XML inside). Generated on the first request (or by its email) and stored: every ' +
            'later request gets the same bytes (ETag: their hash). 409 when it is a draft, its ' +
            'customer receives none, or it is priced tax-inclusive.',
          params: IdParams,
          response: {
            200: EInvoiceDocument,
            304: { description: 'Unchanged (If-None-Match matched the ETag).', type: 'null' },
            404: problemResponse(`No ${noun} has this id.`),
            409: problemResponse(
              `The ${noun} is a draft, its customer receives no e-invoice, it is priced ` +
                'tax-inclusive, or (Factur-X) it has not been rendered yet.',
            ),
          },
        },
      },
      async (request, reply) => {
        const ref = { kind, id: request.params.id };
        const stored = await answeringRefusals(() =>
          documentEInvoice(app.db, app.documents, app.invoicePdfs, ref),
        );
        return sendEInvoice(request, reply, stored);
      },
    );
  }
  done();
};

export default eInvoices;
