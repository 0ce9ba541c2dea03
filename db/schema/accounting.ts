// The accounting sync: links from Billwright objects to the accounting system's, sync runs and
// what each run did to each object.
import type { ColumnType, Selectable } from 'kysely';
import type { CreatedAt, NullableTimestamp } from './columns.ts';

export type AccountingLinkKind = 'customer' | 'invoice' | 'credit_note' | 'payment';
export type AccountingOutcome = 'pushed' | 'skipped' | 'failed';

export interface AccountingLinksTable {
  provider: string;
  kind: AccountingLinkKind;
  object_id: string;
  /** The accounting system's id for the object (QuickBooks' Id). */
  external_id: string;
  /** sha256 of what was pushed: a push of the same content is skipped. */
  synced_hash: string;
  currency: string | null;
  /** The amount the system acknowledged (minor units); null for customers. */
  synced_amount: number | null;
  synced_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AccountingSyncsTable {
  id: string;
  provider: string;
  /** YYYY-MM-DD, inclusive; null: everything. */
  period_from: string | null;
  /** YYYY-MM-DD, exclusive. */
  period_to: string | null;
  status: ColumnType<'running' | 'completed', 'running' | undefined, 'completed'>;
  actor: string;
  created_at: CreatedAt;
  completed_at: NullableTimestamp;
}

export interface AccountingSyncOutcomesTable {
  sync_id: string;
  kind: AccountingLinkKind;
  object_id: string;
  outcome: AccountingOutcome;
  detail: string | null;
  occurred_at: CreatedAt;
}

export type AccountingLink = Selectable<AccountingLinksTable>;
export type AccountingSyncRow = Selectable<AccountingSyncsTable>;
