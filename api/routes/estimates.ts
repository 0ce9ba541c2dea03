// Estimates: POST /v1/estimates prices a plan (from the catalog or inline) for given quantities
// and usage over one billing period, with the arithmetic of every line shown; nothing changes
// but the stored estimate. GET /v1/estimates/:id, /html and /pdf show it again exactly as
// priced. The use cases are in services/estimates.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createEstimate, estimateHtml, getEstimate } from '../../services/estimates.ts';
import { described, HtmlDocument, IdParams, problemResponse } from '../schemas/common.ts';
import { CreateEstimateBody, EstimateSchema, toEstimate } from '../schemas/estimates.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';
import { sendRenderedPdf, sendStoredHtml } from '../stored-documents.ts';

const estimates: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const documentDependencies = () => ({ ...serviceDependencies(app), documents: app.documents });

  app.post(
    '/estimates',
    {
      schema: {
        tags: ['Estimates'],
        summary: 'Price a plan for one period',
        description:
          'Prices a catalog plan (planCode, optionally planVersion) or an inline plan for the given ' +
          'seats, usage and coupons over one billing period, exactly as an invoice would, with the ' +
          'arithmetic of every line. Stores the estimate; changes nothing else.',
        body: CreateEstimateBody,
        response: {
          201: described(EstimateSchema, 'The estimate, with every line’s arithmetic.'),
          422: problemResponse(
            'Unknown plan, customer or coupon; an invalid inline plan; a currency mismatch.',
          ),
        },
      },
    },
    async (request, reply) => {
      const record = await answeringRefusals(() =>
        createEstimate({ ...serviceDependencies(app), tax: app.tax }, request.body),
      );
      return reply.code(201).send(toEstimate(record));
    },
  );

  app.get(
    '/estimates/:id',
    {
      schema: {
        tags: ['Estimates'],
        summary: 'Get an estimate',
        description: 'The estimate as it was priced.',
        params: IdParams,
        response: {
          200: described(EstimateSchema, 'The estimate as it was priced.'),
          404: problemResponse('No estimate has this id.'),
        },
      },
    },
    async (request) =>
      toEstimate(
        await answeringRefusals(() => getEstimate(serviceDependencies(app), request.params.id)),
      ),
  );

  app.get(
    '/estimates/:id/html',
    {
      schema: {
        tags: ['Estimates'],
        summary: 'The estimate as a document',
        description: 'The estimate rendered from the estimate template (templates/estimate.hbs).',
        params: IdParams,
        produces: ['text/html'],
        response: { 200: HtmlDocument, 404: problemResponse('No estimate has this id.') },
      },
    },
    async (request, reply) => {
      const html = await answeringRefusals(() =>
        estimateHtml(documentDependencies(), request.params.id),
      );
      return sendStoredHtml(reply, html);
    },
  );

  app.get(
    '/estimates/:id/pdf',
    {
      schema: {
        tags: ['Estimates'],
        summary: 'The estimate as a PDF',
        description:
          'The estimate document printed to PDF (A4) by the same warm Chromium as invoices.',
        params: IdParams,
        produces: ['application/pdf'],
        response: {
          200: described(Type.String({ format: 'binary' }), 'The PDF.'),
          404: problemResponse('No estimate has this id.'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const html = await answeringRefusals(() => estimateHtml(documentDependencies(), id));
      return sendRenderedPdf(reply, await app.invoicePdfs.render(html), id);
    },
  );

  done();
};

export default estimates;
