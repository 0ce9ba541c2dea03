// The customer's side of a quote, outside /v1 and without a login: the signed link in the quote
// email opens the quote document with Accept (name, title) and Decline (reason) forms, in the
// customer's language. Answers go to the quote's workflow through the same use case for both,
// which refuses a second answer and an answer after the validity (409). Links are signed like
// hosted invoice links (HMAC, expiring): forged 403, expired 410, checked before anything is read.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { answerQuote, quoteDocument } from '../../services/quotes.ts';
import { SIGNED_LINK_HEADERS } from '../hosted-pages.ts';
import { answeredPage, withAnswerPanel } from '../hosted-quote-page.ts';
import { unprocessable } from '../problem.ts';
import { HtmlDocument, PdfDocument, problemResponse } from '../schemas/common.ts';
import { AcceptQuoteBody, DeclineQuoteBody, QuoteLinkQuery } from '../schemas/quotes.ts';
import { answeringRefusals, answeringUpdates, serviceDependencies } from '../services.ts';
import type { WorkflowSubject } from '../temporal-problem.ts';

const Params = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

const QUOTE_WORKFLOW: WorkflowSubject = {
  name: 'quote',
  ended: 'The quote is closed: it can no longer be answered.',
};

const refusals = {
  403: problemResponse('The link is not valid.'),
  404: problemResponse('No quote has this id.'),
  410: problemResponse('The link has expired.'),
  503: problemResponse('Quote links are not configured (BILLWRIGHT_SIGNING_SECRET).'),
};

// frame-ancestors is added by the security headers plugin (BILLWRIGHT_FRAME_ANCESTORS).
const PAGE_HEADERS = {
  ...SIGNED_LINK_HEADERS,
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; form-action 'self'; base-uri 'none'",
};

const hostedQuotes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  // The page's forms post url-encoded fields; only these routes accept that.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16384 },
    (_request, body, next) => {
      next(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  const documents = () => ({ ...serviceDependencies(app), documents: app.documents });

  app.get(
    '/hosted/quotes/:id',
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'A quote’s acceptance page',
        description:
          'Opened from the quote email: the quote document, with Accept (name and title) and Decline (a reason) while it is open.',
        params: Params,
        querystring: QuoteLinkQuery,
        response: { 200: HtmlDocument, ...refusals },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      app.hostedLinks.assertValidDocument('quotes', id, request.query);
      const { quote, html, locale } = await answeringRefusals(() => quoteDocument(documents(), id));
      const page = withAnswerPanel(html, {
        id,
        open: quote.status === 'open',
        locale,
        link: { expires: request.query.expires ?? '', signature: request.query.signature ?? '' },
      });
      return reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(page);
    },
  );

  app.get(
    '/hosted/quotes/:id/pdf',
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'Download a quote as PDF (customer link)',
        description: 'The quote document as it stands, for anyone holding its signed link.',
        params: Params,
        querystring: QuoteLinkQuery,
        response: { 200: PdfDocument, ...refusals },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      app.hostedLinks.assertValidDocument('quotes', id, request.query);
      const { quote, html } = await answeringRefusals(() => quoteDocument(documents(), id));
      const pdf = await app.invoicePdfs.render(html);
      return reply
        .type('application/pdf')
        .headers(SIGNED_LINK_HEADERS)
        .header('content-disposition', `inline; filename="${quote.number}.pdf"`)
        .send(pdf);
    },
  );

  app.post(
    '/hosted/quotes/:id/accept',
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'Accept a quote',
        description:
          'The customer accepts the quote through its signed link, naming who signs (and their title): the subscription it describes starts, once. The client address is recorded.',
        params: Params,
        querystring: QuoteLinkQuery,
        body: AcceptQuoteBody,
        response: {
          200: HtmlDocument,
          409: problemResponse('The quote is already answered, or its validity has ended.'),
          422: problemResponse('No name.'),
          ...refusals,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      // The link's fields come in the query (form action) or the body (hidden fields).
      app.hostedLinks.assertValidDocument('quotes', id, { ...request.body, ...request.query });
      const name = request.body.name?.trim();
      if (!name) throw unprocessable('name', 'say who accepts the quote');
      const title = request.body.title?.trim() || null;
      const { quote, locale } = await answeringUpdates(QUOTE_WORKFLOW, () =>
        answerQuote(serviceDependencies(app), id, {
          decision: 'accept',
          name,
          title,
          ip: request.ip,
        }),
      );
      return reply
        .type('text/html; charset=utf-8')
        .headers(PAGE_HEADERS)
        .send(answeredPage(locale, 'accepted', quote.number));
    },
  );

  app.post(
    '/hosted/quotes/:id/decline',
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'Decline a quote',
        description: 'The customer declines the quote through its signed link, with a reason.',
        params: Params,
        querystring: QuoteLinkQuery,
        body: DeclineQuoteBody,
        response: {
          200: HtmlDocument,
          409: problemResponse('The quote is already answered, or its validity has ended.'),
          422: problemResponse('No reason.'),
          ...refusals,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      app.hostedLinks.assertValidDocument('quotes', id, { ...request.body, ...request.query });
      const reason = request.body.reason?.trim();
      if (!reason) throw unprocessable('reason', 'say why the quote is declined');
      const { quote, locale } = await answeringUpdates(QUOTE_WORKFLOW, () =>
        answerQuote(serviceDependencies(app), id, { decision: 'decline', reason }),
      );
      return reply
        .type('text/html; charset=utf-8')
        .headers(PAGE_HEADERS)
        .send(answeredPage(locale, 'declined', quote.number));
    },
  );

  done();
};

export default hostedQuotes;
