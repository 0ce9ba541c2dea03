// Document designs: GET /v1/document-designs lists them (and which one the brand uses), and
// GET /v1/document-designs/:design/:documentType/preview shows one design's sample invoice,
// estimate, receipt or credit note as HTML or PDF. The use cases are in
// services/document-designs.ts; customers choose a design with their documentDesign field.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listDocumentDesigns, previewDocument } from '../../services/document-designs.ts';
import { problemResponse } from '../schemas/common.ts';
import {
  DocumentDesignList,
  PreviewParams,
  PreviewQuery,
  toDocumentDesign,
} from '../schemas/document-designs.ts';
import { answeringRefusals } from '../services.ts';
import { sendStoredHtml } from '../stored-documents.ts';

const documentDesigns: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const dependencies = () => ({ documents: app.documents, pdf: app.invoicePdfs });

  app.get(
    '/document-designs',
    {
      schema: {
        tags: ['Document designs'],
        summary: 'List document designs',
        description:
          'The designs invoices, estimates, receipts and credit notes can be rendered in, the ' +
          'brand’s default among them, and where to preview each.',
        response: { 200: DocumentDesignList },
      },
    },
    () => {
      const designs = listDocumentDesigns(dependencies());
      return { data: designs.map(toDocumentDesign), hasMore: false };
    },
  );

  app.get(
    '/document-designs/:design/:documentType/preview',
    {
      schema: {
        tags: ['Document designs'],
        summary: 'Preview a design',
        description:
          'A sample document of the type (invoice, estimate, receipt, credit-note) rendered in ' +
          'the design with this installation’s seller and brand: the HTML, or the PDF printed ' +
          'from it by the same Chromium as invoices.',
        params: PreviewParams,
        querystring: PreviewQuery,
        produces: ['text/html', 'application/pdf'],
        response: {
          200: {
            description: 'The sample document: HTML (format=html) or an A4 PDF (format=pdf).',
            content: {
              'text/html': { schema: Type.String() },
              'application/pdf': { schema: Type.String({ format: 'binary' }) },
            },
          },
          404: problemResponse('No design or document type has this name.'),
        },
      },
    },
    async (request, reply) => {
      const { design, documentType } = request.params;
      const format = request.query.format ?? 'html';
      const preview = await answeringRefusals(() =>
        previewDocument(dependencies(), { design, documentType, format, ...request.query }),
      );
      if (preview.format === 'html') return sendStoredHtml(reply, preview.html);
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${design}-${documentType}.pdf"`)
        .send(preview.pdf);
    },
  );

  done();
};

export default documentDesigns;
