// A billable metric's code and the event fields it may aggregate (what metrics are created with
// and usage events name), and the metric routes' request and response shapes.
import { Type } from 'typebox';
import type { MetricRecord } from '../../db/repositories/metrics.ts';
import { AGGREGATIONS } from '../../domain/catalog/metrics.ts';
import { CodeCursorQuery, iso, Timestamp } from './common.ts';

export const METRIC_CODE_PATTERN = '^[a-z0-9][a-z0-9_-]{1,62}$';
/** Event property names a metric may aggregate: identifiers, so `properties.<field>` is a path. */
export const METRIC_FIELD_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';

export const MetricCode = Type.String({
  pattern: METRIC_CODE_PATTERN,
  description: 'Unique slug: lower-case letters, digits, `-` and `_`, 2–63 characters.',
  examples: ['api_calls'],
});

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

export const CreateMetricBody = Type.Object(
  {
    code: MetricCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    aggregation: AggregationSchema,
    field: Type.Optional(MetricField),
  },
  { additionalProperties: false },
);

export const ListMetricsQuery = CodeCursorQuery('metric', 64);

export function toMetric(row: MetricRecord) {
  return {
    code: row.code,
    name: row.name,
    aggregation: row.aggregation,
    field: row.field ?? null,
    createdAt: iso(row.createdAt),
  };
}
