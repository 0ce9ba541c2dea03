// Billable metrics: POST /v1/metrics, GET /v1/metrics, GET /v1/metrics/:code.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  createMetric,
  getMetric,
  listMetrics,
  type MetricRecord,
} from '../../db/repositories/metrics.ts';
import { AGGREGATIONS } from '../../domain/catalog/metrics.ts';
import { badRequest, conflict, notFound } from '../problem.ts';
import {
  DEFAULT_LIMIT,
  described,
  iso,
  Limit,
  ListOf,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';
import { METRIC_FIELD_PATTERN, MetricCode } from '../schemas/metrics.ts';

const AggregationSchema = Type.Enum([...AGGREGATIONS], {
  description:
    'How a period’s events reduce to one quantity: `count` events; `sum`, `max` or `latest` ' +
    'value of `field`; `unique_count` distinct values of `field`; `weighted_sum`: `field` is a ' +
    'delta to a running total (carried across periods) and the quantity is the time-weighted ' +
    'average of that total over the period.',
});

const MetricField = Type.String({
  pattern: METRIC_FIELD_PATTERN,
  description:
    'The event property aggregated (`properties.<field>`). Required except for `count`, where it must be absent.',
  examples: ['bytes'],
});

export const MetricSchema = Type.Object(
  {
    code: MetricCode,
    name: Type.String(),
    aggregation: AggregationSchema,
    field: Type.Union([MetricField, Type.Null()]),
    createdAt: Timestamp,
  },
  { $id: 'BillableMetric', title: 'BillableMetric' },
);

const CreateMetricBody = Type.Object(
  {
    code: MetricCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    aggregation: AggregationSchema,
    field: Type.Optional(MetricField),
  },
  { additionalProperties: false },
);

const ListMetricsQuery = Type.Object(
  {
    limit: Limit,
    startingAfter: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Cursor: the code of the last metric of the previous page.',
      }),
    ),
  },
  { additionalProperties: false },
);

export function toMetric(row: MetricRecord) {
  return {
    code: row.code,
    name: row.name,
    aggregation: row.aggregation,
    field: row.field ?? null,
    createdAt: iso(row.createdAt),
  };
}

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
      if (body.aggregation === 'count' && body.field !== undefined)
        throw badRequest('field: must be absent for aggregation count', [
          { field: 'field', message: 'must be absent for aggregation count' },
        ]);
      if (body.aggregation !== 'count' && body.field === undefined)
        throw badRequest(`field: is required for aggregation ${body.aggregation}`, [
          { field: 'field', message: `is required for aggregation ${body.aggregation}` },
        ]);
      const row = await createMetric(app.db, body);
      if (!row) throw conflict(`A metric with code "${body.code}" already exists.`);
      return reply.code(201).send(toMetric(row));
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
      const page = await listMetrics(app.db, { limit, startingAfter });
      return { data: page.items.map(toMetric), hasMore: page.hasMore };
    },
  );

  app.get(
    '/metrics/:code',
    {
      schema: {
        tags: ['Usage'],
        summary: 'Get a billable metric',
        description: 'One metric by its code.',
        params: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 63 }) },
          { additionalProperties: false },
        ),
        response: {
          200: described(MetricSchema, 'The metric.'),
          404: problemResponse('No metric has this code.'),
        },
      },
    },
    async (request) => {
      const row = await getMetric(app.db, request.params.code);
      if (!row) throw notFound(`Metric ${request.params.code} does not exist.`);
      return toMetric(row);
    },
  );

  done();
};

export default metrics;
