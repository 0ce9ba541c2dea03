// Billable metrics: POST /v1/metrics, GET /v1/metrics, GET /v1/metrics/:code. The use cases
// are in services/usage.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { createMetric, getMetric, listMetrics } from '../../services/usage.ts';
import { badRequest } from '../problem.ts';
import {
  pageOf,
  CodeParams,
  DEFAULT_LIMIT,
  described,
  ListOf,
  problemResponse,
} from '../schemas/common.ts';
import { CreateMetricBody, ListMetricsQuery, MetricSchema, toMetric } from '../schemas/metrics.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const metrics: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/metrics',
    {
      schema: {
        tags: ['Usage'],
        summary: 'Create a billable metric',
        description:
          'Defines what usage events count and how a period’s events reduce to one quantity. ' +
          'Metrics are immutable: events are validated against their metric when they arrive.',
        body: CreateMetricBody,
        response: {
          201: described(MetricSchema, 'The created metric.'),
          409: problemResponse(
            'A metric with this code exists (or the Idempotency-Key conflicts).',
          ),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      // A schema-level rule: `field` is absent exactly for count.
      if (body.aggregation === 'count' && body.field !== undefined)
        throw badRequest('field: must be absent for aggregation count', [
          { field: 'field', message: 'must be absent for aggregation count' },
        ]);
      if (body.aggregation !== 'count' && body.field === undefined)
        throw badRequest(`field: is required for aggregation ${body.aggregation}`, [
          { field: 'field', message: `is required for aggregation ${body.aggregation}` },
        ]);
      const created = await answeringRefusals(() => createMetric(serviceDependencies(app), body));
      return reply.code(201).send(toMetric(created));
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['Usage'],
        summary: 'List billable metrics',
        description: 'Metrics, newest first.',
        querystring: ListMetricsQuery,
        response: { 200: ListOf(MetricSchema, 'A page of metrics.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listMetrics(serviceDependencies(app), { limit, startingAfter });
      return pageOf(page, toMetric);
    },
  );

  app.get(
    '/metrics/:code',
    {
      schema: {
        tags: ['Usage'],
        summary: 'Get a billable metric',
        description: 'One metric by its code.',
        params: CodeParams,
        response: {
          200: described(MetricSchema, 'The metric.'),
          404: problemResponse('No metric has this code.'),
        },
      },
    },
    async (request) =>
      toMetric(
        await answeringRefusals(() => getMetric(serviceDependencies(app), request.params.code)),
      ),
  );

  done();
};

export default metrics;
