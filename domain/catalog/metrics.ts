// Billable metrics: what usage is counted, and how a period's events reduce to one quantity.
// The reduction runs in SQL over indexed columns (db/repositories/usage-aggregation.ts); these
// definitions are the contract both the SQL and the pure rating engine share.

export const AGGREGATIONS = [
  'count',
  'sum',
  'max',
  'unique_count',
  'latest',
  'weighted_sum',
] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface BillableMetric {
  /** Stable code events refer to, e.g. "api_calls". */
  code: string;
  name: string;
  aggregation: Aggregation;
  /**
   * The event property aggregated: required for sum, max, unique_count, latest and
   * weighted_sum; absent for count.
   */
  field?: string;
}

/**
 * A period's aggregated usage of one metric, as an exact decimal string ("1234", "0.5"):
 * event properties may be fractional (GB, hours), and rating must not see floats.
 */
export type UsageQuantity = string;
