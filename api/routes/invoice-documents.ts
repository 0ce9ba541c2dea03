// An invoice's documents beyond its HTML: GET /v1/invoices/:id/pdf (printed once from the stored
// HTML it shows, as issued or stamped void or uncollectible, then served as stored) and POST /v1/invoices/:id/hosted-link (a signed, expiring URL of
// its public page).
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DEFAULT_HOSTED_LINK_DAYS } from '../../documents/hosted-links.ts';
import { invoicePdf, requireLinkableInvoice } from '../../services/invoice-documents.ts';
import { described, IdParams, PdfDocument, problemResponse, Timestamp } from '../schemas/common.ts';
import { answeringRefusals } from '../services.ts';
import { sendStoredPdf } from '../stored-documents.ts';

const HostedLinkBody = Type.Object(
  {
    expiresInDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 365,
        default: DEFAULT_HOSTED_LINK_DAYS,
        description: `How long the link works, in days (default ${DEFAULT_HOSTED_LINK_DAYS}).`,
      }),
    ),
  },
  { additionalProperties: false },
);

const HostedLinkSchema = Type.Object(
  {
    url: Type.String({
      description: 'Public page of the invoice: no login, anyone holding the link can view it.',
      examples: ['https://billing.example.com/hosted/invoices/inv_…?expires=…&signature=…'],
    }),
    expiresAt: Timestamp,
  },
  { $id: 'HostedLink', title: 'HostedLink' },
);

const invoiceDocuments: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/invoices/:id/pdf',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'Get an invoice as PDF',
        description:
          'The invoice printed to PDF from its stored HTML (stamped when the invoice is void or ' +
          'uncollectible). The first request prints and stores it; every later request gets the ' +
          'same bytes. 404 when the invoice does not exist or has not been rendered yet.',
        params: IdParams,
        response: {
          200: PdfDocument,
          404: problemResponse('No invoice has this id, or it has not been rendered yet.'),
        },
      },
    },
    async (request, reply) => {
      const { stored, filename } = await answeringRefusals(() =>
        invoicePdf(app.db, app.invoicePdfs, request.params.id),
      );
      return sendStoredPdf(request, reply, stored, filename);
    },
  );

  app.post(
    '/invoices/:id/hosted-link',
    {
      schema: {
        tags: ['Invoices'],
        summary: 'Create a hosted invoice link',
        description:
          'A signed URL of the invoice’s public page (its stored document, its status and how to ' +
          'pay, and a PDF download), usable without a login until it expires. Links are not ' +
          'stored: create one whenever you need one. 409 when the invoice has not been rendered yet.',
        params: IdParams,
        body: Type.Optional(HostedLinkBody),
        response: {
          200: described(HostedLinkSchema, 'The link and when it stops working.'),
          404: problemResponse('No invoice has this id.'),
          409: problemResponse(
            'The invoice has not been rendered yet, or the Idempotency-Key was used for another request.',
          ),
          503: problemResponse('BILLWRIGHT_SIGNING_SECRET is not set.'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      await answeringRefusals(() => requireLinkableInvoice(app.db, id));
      const link = app.hostedLinks.create(id, request.body?.expiresInDays);
      return { url: link.url, expiresAt: link.expiresAt.toISOString() };
    },
  );

  done();
};

export default invoiceDocuments;
