// A billable metric's code and the event fields it may aggregate: what metrics are created with
// and usage events name.
import { Type } from 'typebox';

export const METRIC_CODE_PATTERN = '^[a-z0-9][a-z0-9_-]{1,62}$';
/** Event property names a metric may aggregate: identifiers, so `properties.<field>` is a path. */
export const METRIC_FIELD_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';

export const MetricCode = Type.String({
  pattern: METRIC_CODE_PATTERN,
  description: 'Unique slug: lower-case letters, digits, `-` and `_`, 2–63 characters.',
  examples: ['api_calls'],
});
