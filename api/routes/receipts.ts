// A payment's receipt as the customer's document: GET /v1/payments/:id/receipt/html and /pdf.
// One receipt per recorded payment, rendered once (by its email or the first request) and
// served as stored; the PDF printed once from it. Use cases in services/customer-documents.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { customerDocument, customerDocumentPdf } from '../../services/customer-documents.ts';
import { HtmlDocument, IdParams, PdfDocument, problemResponse } from '../schemas/common.ts';
import { answeringRefusals } from '../services.ts';
import { sendStoredHtml, sendStoredPdf } from '../stored-documents.ts';

const notFound = problemResponse('No payment has this id.');

const receipts: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/payments/:id/receipt/html',
    {
      schema: {
        tags: ['Collections'],
        summary: 'Get a payment’s receipt as HTML',
        description:
          'The receipt of one recorded payment (id as listed by GET /v1/invoices/{id}/payments), ' +
          'rendered once and served as stored ever after. Its ETag is the content hash.',
        params: IdParams,
        response: { 200: HtmlDocument, 404: notFound },
      },
    },
    async (request, reply) => {
      const ref = { kind: 'receipt', subjectId: request.params.id } as const;
      const document = await answeringRefusals(() => customerDocument(app.db, app.documents, ref));
      return sendStoredHtml(reply, document.content, document.contentHash);
    },
  );

  app.get(
    '/payments/:id/receipt/pdf',
    {
      schema: {
        tags: ['Collections'],
        summary: 'Get a payment’s receipt as PDF',
        description:
          'The receipt printed to PDF from its stored HTML: printed and stored on the first ' +
          'request, the same bytes (ETag: their hash) ever after.',
        params: IdParams,
        response: { 200: PdfDocument, 404: notFound },
      },
    },
    async (request, reply) => {
      const ref = { kind: 'receipt', subjectId: request.params.id } as const;
      const { stored, filename } = await answeringRefusals(() =>
        customerDocumentPdf(app.db, app.documents, app.invoicePdfs, ref),
      );
      return sendStoredPdf(request, reply, stored, filename);
    },
  );

  done();
};

export default receipts;
