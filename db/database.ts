// Table types for Kysely. Money columns are bigint in SQL and plain integers (minor units) here:
// the connection parses int8 into a safe integer or fails loudly (see db/connect.ts).
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { TaxBehavior } from '../domain/catalog/types.ts';
import type { DecimalString } from '../domain/core/decimal.ts';
import type { CollectionStatus, DunningPolicy } from '../domain/collections/dunning.ts';
import type { LineArithmetic } from '../domain/invoicing/line-arithmetic.ts';
import type { InvoiceStatus } from '../domain/invoicing/lifecycle.ts';
import type {
  TaxBreakdownEntry,
  TaxCategory,
  TaxComponent,
  TaxNote,
  TaxRegistrations,
} from '../domain/tax/types.ts';

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
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  customer_type: ColumnType<'business' | 'individual', 'business' | 'individual' | undefined>;
  vat_number: string | null;
  tax_exempt_reference: string | null;
  payment_terms_days: ColumnType<number, number | undefined>;
  /** The test clock the customer is billed on; null for real customers. */
  test_clock_id: ColumnType<string | null, string | null | undefined, never>;
  created_at: CreatedAt;
}

export type TestClockStatus = 'ready' | 'advancing' | 'deleting';

export interface TestClocksTable {
  id: string;
  name: string | null;
  frozen_time: Timestamp;
  status: TestClockStatus;
  advancing_to: NullableTimestamp;
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
  /** The version new subscriptions are pinned to (plan_versions.version). */
  current_version: Generated<number>;
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
  /** The plan version this subscription is billed on, until moved explicitly. */
  plan_version: Generated<number>;
  /** Seats, for per-seat charges. */
  quantity: Generated<number>;
  /** Usage before this instant is invoiced (late events are judged against it). */
  usage_closed_through: NullableTimestamp;
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
  /** Null while a draft: assigned at finalization, gap-free within its series. */
  number: string | null;
  customer_id: string;
  subscription_id: string | null;
  status: ColumnType<InvoiceStatus, InvoiceStatus, InvoiceStatus>;
  currency: string;
  period_start: NullableTimestamp;
  period_end: NullableTimestamp;
  subtotal: number;
  tax: Generated<number>;
  total: number;
  /** Null while a draft; the invoice date once finalized. */
  issued_at: NullableTimestamp;
  /** Null while a draft; finalization + the customer's payment terms. */
  due_at: NullableTimestamp;
  created_at: CreatedAt;
  tax_behavior: ColumnType<TaxBehavior, TaxBehavior | undefined, TaxBehavior>;
  discount_total: Generated<number>;
  amount_paid: Generated<number>;
  amount_credited: Generated<number>;
  /** max(total − amount_paid − amount_credited, 0), computed by the database. */
  amount_due: ColumnType<number, never, never>;
  tax_breakdown: ColumnType<TaxBreakdownEntry[], string | undefined, string>;
  tax_notes: ColumnType<TaxNote[], string | undefined, string>;
  tax_provider: string | null;
  /** The date the rates were taken at, YYYY-MM-DD. */
  tax_date: ColumnType<string | null, string | null | undefined, string | null>;
  customer_details: ColumnType<
    InvoiceCustomerDetails | null,
    string | null | undefined,
    string | null
  >;
  seller_details: ColumnType<InvoiceSellerDetails | null, string | null | undefined, string | null>;
  finalized_at: NullableTimestamp;
  paid_at: NullableTimestamp;
  voided_at: NullableTimestamp;
  marked_uncollectible_at: NullableTimestamp;
  /** A subscription lifecycle invoice's business key ("<boundary>/<kind>"); null otherwise. */
  billing_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** The project it bills (its billing_key is unique within the project). */
  project_id: ColumnType<string | null, string | null | undefined, never>;
  /** manual (POST /v1/invoices) or project; null for subscription invoices. */
  origin: ColumnType<'manual' | 'project' | null, 'manual' | 'project' | null | undefined, never>;
}

/** The customer's billing details as they were when the invoice was finalized. */
export interface InvoiceCustomerDetails {
  name: string;
  email: string;
  address: {
    line1?: string;
    line2?: string;
    city?: string;
    region?: string;
    postalCode?: string;
    country: string;
  };
  customerType: 'business' | 'individual';
  vatNumber?: string;
  taxExemptReference?: string;
}

/** The seller's legal and tax identity as it was when the invoice was finalized. */
export interface InvoiceSellerDetails {
  legalName: string;
  addressLines: string[];
  taxId?: string;
  email: string;
  country: string;
  region?: string;
  registrations: TaxRegistrations;
}

export interface InvoiceLinesTable {
  id: Generated<string>;
  invoice_id: string;
  position: number;
  description: string;
  /** numeric: an exact decimal string ("1", "12.5"); node-postgres and PGlite both give text. */
  quantity: DecimalString;
  /** numeric minor units per unit ("4900", "0.06"); null when no single price makes the line. */
  unit_amount: DecimalString | null;
  /** The line's one rounded amount (minor units), before discount and tax. */
  amount: number;
  period_start: NullableTimestamp;
  period_end: NullableTimestamp;
  discount_amount: Generated<number>;
  tax_category: ColumnType<TaxCategory, TaxCategory | undefined, TaxCategory>;
  tax_amount: Generated<number>;
  /** numeric percent, an exact decimal string ("20"); null until taxed. */
  tax_rate: string | null;
  tax_jurisdiction: string | null;
  tax_treatment: string | null;
  tax_components: ColumnType<TaxComponent[], string | undefined, string>;
  /** Tax included: what the customer pays for the line. */
  total_amount: number;
  /** How the amount was reached (used quantity, free units, priced parts, proration, cap). */
  arithmetic: ColumnType<LineArithmetic | null, string | null | undefined, string | null>;
}

export interface CreditNotesTable {
  id: string;
  number: string;
  invoice_id: string;
  customer_id: string;
  currency: string;
  reason: 'void' | 'refund' | 'correction' | 'other';
  memo: string | null;
  subtotal: number;
  tax: number;
  total: number;
  issued_at: Timestamp;
  created_at: CreatedAt;
  /** Set when the subscription lifecycle issued it (unused time credited on cancel). */
  billing_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CreditNoteLinesTable {
  id: Generated<string>;
  credit_note_id: string;
  position: number;
  invoice_line_id: string;
  description: string;
  amount: number;
  tax_amount: number;
}

export interface InvoiceDocumentsTable {
  invoice_id: string;
  format: string;
  content_hash: string;
  content: string;
  created_at: CreatedAt;
  /** Hash of the document this one was printed from (a PDF's HTML); null for the HTML itself. */
  source_hash: string | null;
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
  scopes: string[];
  /** The secret before the last rotation, accepted until previous_expires_at. */
  previous_key_hash: string | null;
  previous_expires_at: NullableTimestamp;
  created_by: string | null;
  created_at: CreatedAt;
  rotated_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditEventsTable {
  id: Generated<string>;
  api_key_id: string;
  operator: string | null;
  action: string;
  method: string;
  path: string;
  resource_id: string | null;
  status: number;
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

export interface CouponsTable {
  id: string;
  code: string;
  description: string;
  /** numeric: an exact decimal string such as "12.5". */
  percent_off: ColumnType<string | null, string | null | undefined, never>;
  amount_off: number | null;
  currency: string | null;
  duration: string;
  duration_periods: number | null;
  /** Charge keys (string[]), or null for every charge; written as a JSON string. */
  applies_to: ColumnType<string[] | null, string | null | undefined, never>;
  max_redemptions: number | null;
  times_redeemed: Generated<number>;
  expires_at: NullableTimestamp;
  created_at: CreatedAt;
  created_by: string;
}

export interface CouponRedemptionsTable {
  id: string;
  coupon_id: string;
  customer_id: string;
  subscription_id: string | null;
  periods_applied: Generated<number>;
  created_at: CreatedAt;
  created_by: string;
}

/** A coupon's discount on one invoice; period_key is "<subscription>/<period start>". */
export interface CouponApplicationsTable {
  redemption_id: string;
  invoice_id: string;
  period_key: string;
  amount: number;
}

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
  next_action_at: NullableTimestamp;
  next_action: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  estimates: EstimatesTable;
  customers: CustomersTable;
  test_clocks: TestClocksTable;
  plans: PlansTable;
  subscriptions: SubscriptionsTable;
  subscription_transitions: SubscriptionTransitionsTable;
  number_series: NumberSeriesTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  invoice_documents: InvoiceDocumentsTable;
  credit_notes: CreditNotesTable;
  credit_note_lines: CreditNoteLinesTable;
  email_deliveries: EmailDeliveriesTable;
  outbox_messages: OutboxMessagesTable;
  api_keys: ApiKeysTable;
  audit_events: AuditEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  plan_versions: PlanVersionsTable;
  subscription_plan_version_changes: SubscriptionPlanVersionChangesTable;
  plan_migrations: PlanMigrationsTable;
  plan_migration_subscriptions: PlanMigrationSubscriptionsTable;
  coupons: CouponsTable;
  coupon_redemptions: CouponRedemptionsTable;
  coupon_applications: CouponApplicationsTable;
  billable_metrics: BillableMetricsTable;
  usage_events: UsageEventsTable;
  projects: ProjectsTable;
  project_milestones: ProjectMilestonesTable;
  project_events: ProjectEventsTable;
  project_change_orders: ProjectChangeOrdersTable;
  time_entries: TimeEntriesTable;
  dunning_policies: DunningPoliciesTable;
  payments: PaymentsTable;
  customer_credit_entries: CustomerCreditEntriesTable;
  invoice_collections: InvoiceCollectionsTable;
  workflow_starts: WorkflowStartsTable;
}

export type Customer = Selectable<CustomersTable>;
export type NewCustomer = Insertable<CustomersTable>;
export type TestClock = Selectable<TestClocksTable>;
export type Plan = Selectable<PlansTable>;
export type PlanVersionRow = Selectable<PlanVersionsTable>;
export type CouponRow = Selectable<CouponsTable>;
export type CouponRedemptionRow = Selectable<CouponRedemptionsTable>;
export type Subscription = Selectable<SubscriptionsTable>;
export type Invoice = Selectable<InvoicesTable>;
export type InvoiceLine = Selectable<InvoiceLinesTable>;
export type CreditNote = Selectable<CreditNotesTable>;
export type CreditNoteLine = Selectable<CreditNoteLinesTable>;
export type OutboxMessage = Selectable<OutboxMessagesTable>;
export type DunningPolicyRow = Selectable<DunningPoliciesTable>;
export type Payment = Selectable<PaymentsTable>;
export type InvoiceCollection = Selectable<InvoiceCollectionsTable>;
export type WorkflowStart = Selectable<WorkflowStartsTable>;
