// The catalog: plans and their immutable versions, and estimates priced from them.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Timestamp } from './columns.ts';

export interface PlansTable {
  id: string;
  code: string;
  name: string;
  currency: string;
  interval: string;
  interval_count: number;
  amount: number;
  created_at: CreatedAt;
  /** The version new subscriptions are pinned to (plan_versions.version). */
  current_version: Generated<number>;
  /** The billing threshold new subscriptions get unless they set their own; null: none. */
  billing_threshold: ColumnType<number | null, number | null | undefined, number | null>;
}

/** One immutable version of a plan's terms; editing a plan adds a version. */
export interface PlanVersionsTable {
  plan_id: string;
  version: number;
  currency: string;
  interval: string;
  interval_count: number;
  tax_behavior: string;
  /** domain/catalog/types.ts Charge[], validated before insert; written as a JSON string. */
  charges: ColumnType<unknown, string, never>;
  /** numeric: an exact decimal string of minor units, or null. */
  minimum_commitment: ColumnType<string | null, string | null | undefined, never>;
  created_at: CreatedAt;
  created_by: string;
}

export interface EstimatesTable {
  id: string;
  customer_id: string | null;
  plan_code: string | null;
  plan_version: number | null;
  plan_name: string;
  currency: string;
  timezone: string;
  locale: string;
  period_start: Timestamp;
  period_end: Timestamp;
  request: ColumnType<unknown, string, never>;
  result: ColumnType<unknown, string, never>;
  tax: ColumnType<unknown, string | null, never>;
  total_before_tax: number;
  created_at: CreatedAt;
}

export type Plan = Selectable<PlansTable>;

export type PlanVersionRow = Selectable<PlanVersionsTable>;
