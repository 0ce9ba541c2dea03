// What runs the platform rather than bills: API keys, their audit trail and idempotency
// keys, the email ledger and development outbox, and the workflow-start outbox.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, NullableTimestamp } from './columns.ts';

/** One field a change set: old and new values, or only its name when it holds personal data. */
export interface AuditChange {
  field: string;
  from?: string | number | null;
  to?: string | number | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  scopes: string[];
  /** The secret before the last rotation, accepted until previous_expires_at. */
  previous_key_hash: string | null;
  previous_expires_at: NullableTimestamp;
  created_by: string | null;
  created_at: CreatedAt;
  rotated_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

/** Who made an audited change: a request under an API key, or Billwright itself (a worker). */
export type AuditActor = 'api_key' | 'system';

export interface AuditEventsTable {
  id: Generated<string>;
  actor: ColumnType<AuditActor, AuditActor | undefined, never>;
  /** Null exactly when the actor is the system, as are method, path and status. */
  api_key_id: string | null;
  operator: string | null;
  action: string;
  method: string | null;
  path: string | null;
  resource_id: string | null;
  status: number | null;
  /** The fields the change set, when its route says (audit-events.ts AuditChange[]). */
  changes: ColumnType<AuditChange[] | null, string | null | undefined, never>;
  occurred_at: CreatedAt;
}

export interface IdempotencyKeysTable {
  api_key_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status_code: number | null;
  response_body: string | null;
  created_at: CreatedAt;
  completed_at: NullableTimestamp;
}

export interface EmailDeliveriesTable {
  idempotency_key: string;
  kind: string;
  invoice_id: string | null;
  recipient: string;
  subject: string;
  provider: string;
  provider_message_id: string | null;
  status: 'pending' | 'sent';
  attempts: Generated<number>;
  created_at: CreatedAt;
  sent_at: NullableTimestamp;
}

export interface OutboxMessagesTable {
  id: string;
  idempotency_key: string;
  from_address: string;
  to_addresses: string[];
  subject: string;
  html: string;
  text: string;
  attachments: ColumnType<OutboxAttachment[], string | undefined, string>;
  created_at: CreatedAt;
}

export interface OutboxAttachment {
  filename: string;
  contentType: string;
  /** Base64 content. */
  content: string;
}

/** What a workflow_starts row starts: an invoice's collection, or a manual invoice's delivery. */
export type WorkflowStartKind = 'collection' | 'manual_invoice_delivery';

export interface WorkflowStartsTable {
  id: string;
  kind: WorkflowStartKind;
  workflow_id: string;
  /** What the start needs that the database does not say: { invoiceId, reason? }. */
  payload: ColumnType<{ invoiceId: string; reason?: string }, string, string>;
  attempts: Generated<number>;
  last_error: string | null;
  /** When the drainer may try it (later while the API's own attempt runs, then backing off). */
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
  started_at: NullableTimestamp;
}

export type OutboxMessage = Selectable<OutboxMessagesTable>;

export type WorkflowStart = Selectable<WorkflowStartsTable>;
