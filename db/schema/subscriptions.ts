// Subscriptions, their transitions and plan-version changes, and plan migrations.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns.ts';

export interface SubscriptionsTable {
  id: string;
  customer_id: string;
  plan_id: string;
  status: string;
  anchor_at: Timestamp;
  current_period_start: NullableTimestamp;
  current_period_end: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** The plan version this subscription is billed on, until moved explicitly. */
  plan_version: Generated<number>;
  /** Seats, for per-seat charges. */
  quantity: Generated<number>;
  /** Usage before this instant is invoiced (late events are judged against it). */
  usage_closed_through: NullableTimestamp;
  /** When it began (its trial, if any), on the customer's clock: the start of its history. */
  started_at: CreatedAt;
  /** Unbilled usage (minor units) at which an interim invoice is issued; null: none. */
  billing_threshold: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface SubscriptionTransitionsTable {
  id: Generated<string>;
  subscription_id: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  reason: string | null;
  occurred_at: Timestamp;
  idempotency_key: string;
}

export interface SubscriptionPlanVersionChangesTable {
  id: Generated<string>;
  subscription_id: string;
  from_version: number;
  to_version: number;
  actor: string;
  reason: string | null;
  occurred_at: CreatedAt;
  /** The lifecycle's business key for the change; null for moves made through the API. */
  change_key: string | null;
  from_plan_id: string | null;
  to_plan_id: string | null;
  from_quantity: number | null;
  to_quantity: number | null;
}

/** A move of a plan's running subscriptions to one version, walked by planMigrationWorkflow. */
export interface PlanMigrationsTable {
  id: string;
  plan_id: string;
  /** Only subscriptions on these versions; null: every version. */
  from_versions: number[] | null;
  to_version: number;
  apply_at: 'now' | 'period_end';
  reason: string | null;
  actor: string;
  status: ColumnType<'running' | 'completed', 'running' | 'completed' | undefined>;
  /** Running subscriptions of the plan when the walk began; null until it began. */
  total: number | null;
  created_at: CreatedAt;
  completed_at: NullableTimestamp;
}

/** What a migration did to one subscription, once (its key): moved, skipped or failed, and why. */
export interface PlanMigrationSubscriptionsTable {
  migration_id: string;
  subscription_id: string;
  outcome: 'moved' | 'skipped' | 'failed';
  detail: string | null;
  occurred_at: CreatedAt;
}

export type Subscription = Selectable<SubscriptionsTable>;
