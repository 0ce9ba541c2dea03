// Spend alerts set on a customer or a plan, and their crossings (one per alert, customer and
// period). Levels: units as a numeric (decimal string), amounts as bigint minor units.
import type { ColumnType, Selectable } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns.ts';

export interface SpendAlertsTable {
  id: string;
  customer_id: string | null;
  plan_code: string | null;
  name: string | null;
  kind: 'usage' | 'amount';
  metric_code: string | null;
  /** Usage level (numeric, decimal string). */
  units: string | null;
  /** Amount level, minor units of `currency`, before tax. */
  amount: number | null;
  currency: string | null;
  hard_stop: ColumnType<boolean, boolean | undefined, boolean>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  disabled_at: NullableTimestamp;
}

export interface SpendAlertCrossingsTable {
  id: string;
  alert_id: string;
  customer_id: string;
  period_start: Timestamp;
  period_end: NullableTimestamp;
  /** The value read when the level was reached (numeric). */
  value: string;
  /** The customer's clock at that read. */
  crossed_at: Timestamp;
  resolved_at: NullableTimestamp;
  resolved_value: string | null;
}

export type SpendAlert = Selectable<SpendAlertsTable>;
export type SpendAlertCrossing = Selectable<SpendAlertCrossingsTable>;
