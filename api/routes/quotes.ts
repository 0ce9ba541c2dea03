// Quotes: POST /v1/estimates/:id/quote issues an estimate to its customer as a numbered quote
// (emailed with a signed acceptance link by the quote's workflow); GET /v1/quotes, /:id, /html
// and /pdf show it. The customer answers on the hosted page (api/routes/hosted-quotes.ts). The
// use cases are in services/quotes.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { issueProjectQuote } from '../../services/project-quotes.ts';
import { getQuote, issueQuote, listQuotes, quoteHtml } from '../../services/quotes.ts';
import {
  DEFAULT_LIMIT,
  described,
  HtmlDocument,
  IdParams,
  ListOf,
  problemResponse,
} from '../schemas/common.ts';
import {
  IssueProjectQuoteBody,
  IssueQuoteBody,
  ListQuotesQuery,
  QuoteSchema,
  toQuote,
} from '../schemas/quotes.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';
import { sendRenderedPdf, sendStoredHtml } from '../stored-documents.ts';

const NOT_FOUND = problemResponse('No quote has this id.');

const quotes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const documentDependencies = () => ({ ...serviceDependencies(app), documents: app.documents });

  app.post(
    '/estimates/:id/quote',
    {
      schema: {
        tags: ['Quotes'],
        summary: 'Issue an estimate as a quote',
        description:
          'Numbers the estimate as a quote (Q-YYYY-NNNNNN) valid until validUntil, with terms, and ' +
          'starts its workflow: the quote is emailed to the customer with a signed link to accept ' +
          '(starting the subscription it describes) or decline it, and expires unanswered at the ' +
          'end of its validity (docs/QUOTES.md).',
        params: IdParams,
        body: IssueQuoteBody,
        response: {
          201: described(QuoteSchema, 'The quote, open.'),
          404: problemResponse('No estimate has this id.'),
          409: problemResponse('The customer’s test clock is advancing; retry when ready.'),
          422: problemResponse(
            'An estimate without a customer or of an inline plan, seat counts no single subscription bills, a validUntil not after now.',
          ),
          503: problemResponse('Temporal is unavailable; nothing was issued.'),
        },
      },
    },
    async (request, reply) => {
      const quote = await answeringRefusals(() =>
        issueQuote(
          { ...serviceDependencies(app), numbering: app.invoicing.numbering },
          { ...request.body, estimateId: request.params.id },
        ),
      );
      return reply.code(201).send(toQuote(quote));
    },
  );

  app.post(
    '/project-quotes',
    {
      schema: {
        tags: ['Quotes'],
        summary: 'Quote a project',
        description:
          'Prices a project (the body of POST /v1/projects, under project) into its deposit and ' +
          'milestones and issues it as a quote, like an estimate’s: accepting it starts that ' +
          'project, once (docs/QUOTES.md).',
        body: IssueProjectQuoteBody,
        response: {
          201: described(QuoteSchema, 'The quote, open.'),
          409: problemResponse('The customer’s test clock is advancing; retry when ready.'),
          422: problemResponse(
            'Terms, customer or currency POST /v1/projects would refuse, a validUntil not after now.',
          ),
          503: problemResponse('Temporal is unavailable; nothing was issued.'),
        },
      },
    },
    async (request, reply) => {
      const quote = await answeringRefusals(() =>
        issueProjectQuote(
          { ...serviceDependencies(app), numbering: app.invoicing.numbering, tax: app.tax },
          request.body,
        ),
      );
      return reply.code(201).send(toQuote(quote));
    },
  );

  app.get(
    '/quotes',
    {
      schema: {
        tags: ['Quotes'],
        summary: 'List quotes',
        description: 'Quotes, newest first, optionally of one customer or in one status.',
        querystring: ListQuotesQuery,
        response: { 200: ListOf(QuoteSchema, 'A page of quotes.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, ...query } = request.query;
      const page = await listQuotes(serviceDependencies(app), { ...query, limit });
      return { data: page.data.map(toQuote), hasMore: page.hasMore };
    },
  );

  app.get(
    '/quotes/:id',
    {
      schema: {
        tags: ['Quotes'],
        summary: 'Get a quote',
        description: 'The quote, with its answer (who accepted it, when and from where) or expiry.',
        params: IdParams,
        response: { 200: described(QuoteSchema, 'The quote.'), 404: NOT_FOUND },
      },
    },
    async (request) =>
      toQuote(await answeringRefusals(() => getQuote(serviceDependencies(app), request.params.id))),
  );

  app.get(
    '/quotes/:id/html',
    {
      schema: {
        tags: ['Quotes'],
        summary: 'The quote as a document',
        description:
          'The quote rendered from the estimate template (templates/estimate.hbs) in the customer’s language: number, validity, terms and status.',
        params: IdParams,
        produces: ['text/html'],
        response: { 200: HtmlDocument, 404: NOT_FOUND },
      },
    },
    async (request, reply) => {
      const html = await answeringRefusals(() =>
        quoteHtml(documentDependencies(), request.params.id),
      );
      return sendStoredHtml(reply, html);
    },
  );

  app.get(
    '/quotes/:id/pdf',
    {
      schema: {
        tags: ['Quotes'],
        summary: 'The quote as a PDF',
        description:
          'The quote document printed to PDF (A4) by the same warm Chromium as invoices.',
        params: IdParams,
        produces: ['application/pdf'],
        response: {
          200: described(Type.String({ format: 'binary' }), 'The PDF.'),
          404: NOT_FOUND,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const html = await answeringRefusals(() => quoteHtml(documentDependencies(), id));
      return sendRenderedPdf(reply, await app.invoicePdfs.render(html), id);
    },
  );

  done();
};

export default quotes;
