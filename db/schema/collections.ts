// Collecting invoices: dunning policies, each invoice's collection, payments and customer credit.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CollectionStatus, DunningPolicy } from '../../domain/collections/dunning.ts';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns.ts';

export interface DunningPoliciesTable {
  id: string;
  name: string;
  plan_id: string | null;
  customer_id: string | null;
  is_default: ColumnType<boolean, boolean | undefined, boolean>;
  policy: ColumnType<DunningPolicy, string, string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface InvoiceCollectionsTable {
  invoice_id: string;
  customer_id: string;
  workflow_id: string;
  policy_id: string | null;
  status: CollectionStatus;
  ended: ColumnType<boolean, boolean | undefined, boolean>;
  dispute_reason: string | null;
  disputed_at: NullableTimestamp;
  resolved_at: NullableTimestamp;
  resolution: string | null;
  reminders_sent: ColumnType<number, number | undefined, number>;
  /** When the latest reminder was due to go out (the step's instant); null before the first. */
  last_reminder_at: NullableTimestamp;
  /** The last dunning step performed (its key) and its instant: where a later run picks up. */
  last_step: string | null;
  last_step_at: NullableTimestamp;
  /** Steps performed (each one emitted collection.step_sent); counts only forward. */
  steps_performed: ColumnType<number, number | undefined, number>;
  next_action_at: NullableTimestamp;
  next_action: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PaymentsTable {
  id: string;
  invoice_id: string;
  customer_id: string;
  currency: string;
  amount: number;
  applied_amount: number;
  overpaid_amount: number;
  method: string;
  reference: string;
  source: string;
  paid_at: Timestamp;
  created_at: CreatedAt;
}

export interface CustomerCreditEntriesTable {
  id: Generated<number>;
  customer_id: string;
  currency: string;
  amount: number;
  payment_id: string | null;
  invoice_id: string | null;
  idempotency_key: string;
  description: string;
  created_at: CreatedAt;
}

export type DunningPolicyRow = Selectable<DunningPoliciesTable>;

export type InvoiceCollection = Selectable<InvoiceCollectionsTable>;

export type Payment = Selectable<PaymentsTable>;
