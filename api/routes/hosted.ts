// The customer's view of an invoice, outside /v1 and without a login: GET /hosted/invoices/:id
// shows the stored invoice document (stamped when void or uncollectible) under a banner with its
// current status and how to pay, and GET /hosted/invoices/:id/pdf its stored PDF. Both need the link's signature (see
// documents/hosted-links.ts): a forged or mangled link is a 403 and an expired one a 410, checked
// before the database is read, so neither says whether an invoice exists. A credit note's and a
// receipt's pages (GET /hosted/credit-notes/:id, /hosted/receipts/:paymentId, each with /pdf)
// are linked from their emails and signed the same way, each kind under its own purpose.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { HostedDocumentKind } from '../../documents/hosted-links.ts';
import { customerDocument, customerDocumentPdf } from '../../services/customer-documents.ts';
import { hostedInvoice, hostedPdf } from '../../services/invoice-documents.ts';
import { insertAtBodyStart } from '../../documents/html.ts';
import { hostedBanner, localeOf, SIGNED_LINK_HEADERS } from '../hosted-pages.ts';
import { onlinePaymentOf, payOnlineFormAction } from '../pay-online.ts';
import { HtmlDocument, PdfDocument, problemResponse } from '../schemas/common.ts';
import { answeringRefusals } from '../services.ts';
import { sendStoredHtml, sendStoredPdf } from '../stored-documents.ts';

const HostedParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

// Optional in the schema: a link missing either part is a 403 like any other bad link, not a 400.
const SignedQuery = Type.Object({
  expires: Type.Optional(
    Type.String({ maxLength: 20, description: 'Expiry of the link, Unix seconds.' }),
  ),
  signature: Type.Optional(
    Type.String({ maxLength: 100, description: 'HMAC-SHA256 of the invoice id and expiry.' }),
  ),
});

const refusals = {
  403: problemResponse('The link is not valid (wrong or missing signature).'),
  410: problemResponse('The link has expired.'),
  404: problemResponse('The invoice of this (valid) link has no document to show.'),
  503: problemResponse('Hosted links are not configured (BILLWRIGHT_SIGNING_SECRET).'),
};

const hosted: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SIGNED_LINK_HEADERS);
  });

  app.get(
    '/hosted/invoices/:id',
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'View an invoice (customer link)',
        description:
          'The invoice document as it was sent (stamped when void or uncollectible), with its ' +
          'current status and how to pay, for anyone holding a signed link ' +
          '(POST /v1/invoices/{id}/hosted-link). No API key.',
        params: HostedParams,
        querystring: SignedQuery,
        response: { 200: HtmlDocument, ...refusals },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      app.hostedLinks.assertValid(id, request.query);
      const { invoice, html, locale, timezone } = await answeringRefusals(() =>
        hostedInvoice(app.db, id),
      );
      const query = new URLSearchParams({
        expires: request.query.expires!,
        signature: request.query.signature!,
      });
      const banner = hostedBanner({
        invoice,
        locale: localeOf(locale),
        timezone,
        paymentInstructions: app.documents.seller.paymentInstructions,
        contactEmail: app.documents.seller.email,
        pdfHref: `${encodeURIComponent(id)}/pdf?${query.toString()}`,
        online: await onlinePaymentOf(app, invoice, query.toString()),
      });
      const formAction = payOnlineFormAction(app);
      return sendStoredHtml(reply, insertAtBodyStart(html, banner), undefined, formAction);
    },
  );

  app.get(
    '/hosted/invoices/:id/pdf',
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'Download an invoice PDF (customer link)',
        description:
          'The invoice’s stored PDF, for anyone holding a signed link; the same query as the page.',
        params: HostedParams,
        querystring: SignedQuery,
        response: { 200: PdfDocument, ...refusals },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      app.hostedLinks.assertValid(id, request.query);
      const { stored, filename } = await answeringRefusals(() =>
        hostedPdf(app.db, app.invoicePdfs, id),
      );
      return sendStoredPdf(request, reply, stored, filename);
    },
  );

  const documents: { kind: HostedDocumentKind; ref: 'credit_note' | 'receipt'; name: string }[] = [
    { kind: 'credit-notes', ref: 'credit_note', name: 'a credit note' },
    { kind: 'receipts', ref: 'receipt', name: 'a payment receipt' },
  ];
  for (const { kind, ref, name } of documents) {
    app.get(
      `/hosted/${kind}/:id`,
      {
        schema: {
          tags: ['Hosted pages'],
          summary: `View ${name} (customer link)`,
          description: `The stored document, for anyone holding the signed link its email carries. No API key.`,
          params: HostedParams,
          querystring: SignedQuery,
          response: { 200: HtmlDocument, ...refusals },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        app.hostedLinks.assertValidDocument(kind, id, request.query);
        const document = await answeringRefusals(() =>
          customerDocument(app.db, app.documents, { kind: ref, subjectId: id }),
        );
        return sendStoredHtml(reply, document.content, document.contentHash);
      },
    );

    app.get(
      `/hosted/${kind}/:id/pdf`,
      {
        schema: {
          tags: ['Hosted pages'],
          summary: `Download ${name} as PDF (customer link)`,
          description:
            'The stored PDF, for anyone holding a signed link; the same query as the page.',
          params: HostedParams,
          querystring: SignedQuery,
          response: { 200: PdfDocument, ...refusals },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        app.hostedLinks.assertValidDocument(kind, id, request.query);
        const { stored, filename } = await answeringRefusals(() =>
          customerDocumentPdf(app.db, app.documents, app.invoicePdfs, { kind: ref, subjectId: id }),
        );
        return sendStoredPdf(request, reply, stored, filename);
      },
    );
  }

  done();
};

export default hosted;
