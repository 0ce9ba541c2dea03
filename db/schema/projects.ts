// Projects: their milestones, change orders, events and time entries.
import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns.ts';

export interface ProjectsTable {
  id: string;
  customer_id: string;
  name: string;
  currency: string;
  contract_value: number;
  terms: ColumnType<unknown, string, string>;
  version: ColumnType<number, number | undefined, number>;
  status: ColumnType<'active' | 'completed', 'active' | 'completed' | undefined, 'completed'>;
  budget_warned_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type MilestoneStatus = 'pending' | 'awaiting_approval' | 'approved' | 'invoiced';

export interface ProjectMilestonesTable {
  project_id: string;
  key: string;
  position: number;
  name: string;
  amount: number;
  status: ColumnType<MilestoneStatus, MilestoneStatus | undefined, MilestoneStatus>;
  invoice_id: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ProjectEventsTable {
  id: Generated<string>;
  project_id: string;
  event_key: string;
  milestone_key: string | null;
  kind: string;
  actor: string;
  reason: string | null;
  occurred_at: Timestamp;
}

export interface ProjectChangeOrdersTable {
  project_id: string;
  version: number;
  change: ColumnType<unknown, string, never>;
  contract_value_before: number;
  contract_value_after: number;
  actor: string;
  reason: string | null;
  occurred_at: Timestamp;
}

export interface TimeEntriesTable {
  id: string;
  project_id: string;
  person: string;
  role: string | null;
  /** YYYY-MM-DD (the pg connection returns dates as text). */
  work_date: ColumnType<string, string, string>;
  minutes: number;
  billed_minutes: number;
  hourly_rate: number;
  amount: number;
  description: string;
  billable: boolean;
  invoice_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}
