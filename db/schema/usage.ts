// Billable metrics and the usage events rated against them.
import type { ColumnType } from 'kysely';
import type { CreatedAt, Timestamp } from './columns.ts';

export interface BillableMetricsTable {
  code: string;
  name: string;
  aggregation: string;
  field: string | null;
  created_at: CreatedAt;
}

/** numeric columns arrive as exact decimal strings (node-postgres does not parse them). */
export interface UsageEventsTable {
  customer_id: string;
  transaction_id: string;
  metric_code: string;
  subscription_id: string | null;
  timestamp: Timestamp;
  billing_timestamp: Timestamp;
  properties: ColumnType<Record<string, unknown>, string | undefined, string>;
  value: string | null;
  unique_key: string | null;
  received_at: CreatedAt;
}

/** Per customer, metric and UTC hour: kept by triggers on usage_events (never written directly). */
export interface UsageHourlyTotalsTable {
  customer_id: string;
  metric_code: string;
  hour: Timestamp;
  event_count: ColumnType<string, string | number, string | number>;
  value_sum: string | null;
  value_max: string | null;
  first_at: Timestamp;
  last_at: Timestamp;
}
