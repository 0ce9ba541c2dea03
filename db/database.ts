// Table types for Kysely. Money columns are bigint in SQL and plain integers (minor units) here:
// the connection parses int8 into a safe integer or fails loudly (see db/connect.ts).
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

export interface CustomersTable {
  id: string;
  name: string;
  email: string;
  currency: string;
  country: string;
  timezone: string;
  locale: string;
  created_at: CreatedAt;
}

export interface PlansTable {
  id: string;
  code: string;
  name: string;
  currency: string;
  interval: string;
  interval_count: number;
  amount: number;
  created_at: CreatedAt;
}

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

export interface NumberSeriesTable {
  series: string;
  last_value: Generated<number>;
}

export interface InvoicesTable {
  id: string;
  number: string;
  customer_id: string;
  subscription_id: string | null;
  status: string;
  currency: string;
  period_start: NullableTimestamp;
  period_end: NullableTimestamp;
  subtotal: number;
  tax: Generated<number>;
  total: number;
  issued_at: Timestamp;
  due_at: Timestamp;
  created_at: CreatedAt;
}

export interface InvoiceLinesTable {
  id: Generated<string>;
  invoice_id: string;
  position: number;
  description: string;
  quantity: number;
  unit_amount: number;
  amount: number;
  period_start: NullableTimestamp;
  period_end: NullableTimestamp;
}

export interface InvoiceDocumentsTable {
  invoice_id: string;
  format: string;
  content_hash: string;
  content: string;
  created_at: CreatedAt;
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

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  created_at: CreatedAt;
  revoked_at: NullableTimestamp;
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

export interface Database {
  customers: CustomersTable;
  plans: PlansTable;
  subscriptions: SubscriptionsTable;
  subscription_transitions: SubscriptionTransitionsTable;
  number_series: NumberSeriesTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  invoice_documents: InvoiceDocumentsTable;
  email_deliveries: EmailDeliveriesTable;
  outbox_messages: OutboxMessagesTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type Customer = Selectable<CustomersTable>;
export type NewCustomer = Insertable<CustomersTable>;
export type Plan = Selectable<PlansTable>;
export type Subscription = Selectable<SubscriptionsTable>;
export type Invoice = Selectable<InvoicesTable>;
export type InvoiceLine = Selectable<InvoiceLinesTable>;
export type OutboxMessage = Selectable<OutboxMessagesTable>;
