// The database as Kysely sees it: every table, by name. The tables are declared by concept in
// schema/ (customers, catalog, subscriptions, coupons, usage, invoices, collections, ledger, projects,
// platform); this is the one module importers use, for the Database and the row types alike.
// Money columns are bigint in SQL and plain integers (minor units) here: the connection parses
// int8 into a safe integer or fails loudly (see db/connect.ts).
import type { BillingRunFailuresTable } from './schema/billing-runs.ts';
import type { PortalLinksTable, PortalSessionsTable } from './schema/portal.ts';

import type {
  AccountingLinksTable,
  AccountingSyncOutcomesTable,
  AccountingSyncsTable,
} from './schema/accounting.ts';
import type { EstimatesTable, PlanVersionsTable, PlansTable } from './schema/catalog.ts';
import type {
  CustomerCreditEntriesTable,
  DunningPoliciesTable,
  InvoiceCollectionsTable,
  PaymentsTable,
} from './schema/collections.ts';
import type {
  CouponApplicationsTable,
  CouponRedemptionsTable,
  CouponsTable,
} from './schema/coupons.ts';
import type { CustomersTable, TestClocksTable } from './schema/customers.ts';
import type { EInvoicesTable } from './schema/e-invoices.ts';
import type {
  CreditNoteLinesTable,
  CreditNotesTable,
  CustomerDocumentsTable,
  InvoiceDocumentsTable,
  InvoiceLinesTable,
  InvoicesTable,
  NumberSeriesTable,
} from './schema/invoices.ts';
import type {
  JournalEntriesTable,
  JournalLinesTable,
  LedgerAccountMappingsTable,
  LedgerAccountsTable,
} from './schema/ledger.ts';
import type {
  ApiKeysTable,
  AuditEventsTable,
  EmailDeliveriesTable,
  IdempotencyKeysTable,
  OutboxMessagesTable,
  WorkflowStartsTable,
} from './schema/platform.ts';
import type {
  ProjectChangeOrdersTable,
  ProjectEventsTable,
  ProjectMilestonesTable,
  ProjectsTable,
  TimeEntriesTable,
} from './schema/projects.ts';
import type {
  PlanMigrationSubscriptionsTable,
  PlanMigrationsTable,
  SubscriptionPlanVersionChangesTable,
  SubscriptionTransitionsTable,
  SubscriptionsTable,
} from './schema/subscriptions.ts';
import type { PaymentCheckoutsTable, PaymentFailuresTable } from './schema/online-payments.ts';

import type { QuotesTable } from './schema/quotes.ts';
import type { SpendAlertCrossingsTable, SpendAlertsTable } from './schema/spend-alerts.ts';
import type {
  BillableMetricsTable,
  UsageEventsTable,
  UsageHourlyTotalsTable,
} from './schema/usage.ts';
import type { WalletGrantsTable, WalletTransactionsTable, WalletsTable } from './schema/wallets.ts';
import type { WalletTopUpPurchasesTable, WalletTopUpsTable } from './schema/wallet-top-ups.ts';
import type {
  WebhookAttemptsTable,
  WebhookEndpointsTable,
  WebhookEventsTable,
} from './schema/webhooks.ts';

export type * from './schema/billing-runs.ts';

export type * from './schema/accounting.ts';
export type * from './schema/catalog.ts';
export type * from './schema/collections.ts';
export type * from './schema/coupons.ts';
export type * from './schema/customers.ts';
export type * from './schema/e-invoices.ts';
export type * from './schema/invoices.ts';
export type * from './schema/ledger.ts';
export type * from './schema/online-payments.ts';
export type * from './schema/platform.ts';
export type * from './schema/portal.ts';
export type * from './schema/projects.ts';
export type * from './schema/subscriptions.ts';
export type * from './schema/usage.ts';
export type * from './schema/webhooks.ts';
export type * from './schema/wallets.ts';
export type * from './schema/wallet-top-ups.ts';

export type * from './schema/quotes.ts';
export type * from './schema/spend-alerts.ts';

export interface Database {
  customers: CustomersTable;
  test_clocks: TestClocksTable;

  estimates: EstimatesTable;
  plans: PlansTable;
  plan_versions: PlanVersionsTable;

  subscriptions: SubscriptionsTable;
  subscription_transitions: SubscriptionTransitionsTable;
  subscription_plan_version_changes: SubscriptionPlanVersionChangesTable;
  plan_migrations: PlanMigrationsTable;
  plan_migration_subscriptions: PlanMigrationSubscriptionsTable;

  coupons: CouponsTable;
  coupon_redemptions: CouponRedemptionsTable;
  coupon_applications: CouponApplicationsTable;

  billable_metrics: BillableMetricsTable;
  usage_events: UsageEventsTable;
  usage_hourly_totals: UsageHourlyTotalsTable;

  number_series: NumberSeriesTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  invoice_documents: InvoiceDocumentsTable;
  customer_documents: CustomerDocumentsTable;
  credit_notes: CreditNotesTable;
  credit_note_lines: CreditNoteLinesTable;

  dunning_policies: DunningPoliciesTable;
  payments: PaymentsTable;
  customer_credit_entries: CustomerCreditEntriesTable;
  invoice_collections: InvoiceCollectionsTable;

  ledger_accounts: LedgerAccountsTable;
  ledger_account_mappings: LedgerAccountMappingsTable;
  journal_entries: JournalEntriesTable;
  journal_lines: JournalLinesTable;

  projects: ProjectsTable;
  project_milestones: ProjectMilestonesTable;
  project_events: ProjectEventsTable;
  project_change_orders: ProjectChangeOrdersTable;
  time_entries: TimeEntriesTable;

  email_deliveries: EmailDeliveriesTable;
  outbox_messages: OutboxMessagesTable;
  api_keys: ApiKeysTable;
  audit_events: AuditEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  workflow_starts: WorkflowStartsTable;

  billing_run_failures: BillingRunFailuresTable;

  wallets: WalletsTable;
  wallet_grants: WalletGrantsTable;
  wallet_transactions: WalletTransactionsTable;
  wallet_top_ups: WalletTopUpsTable;
  wallet_top_up_purchases: WalletTopUpPurchasesTable;
  portal_links: PortalLinksTable;
  portal_sessions: PortalSessionsTable;

  accounting_links: AccountingLinksTable;
  accounting_syncs: AccountingSyncsTable;
  accounting_sync_outcomes: AccountingSyncOutcomesTable;

  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_attempts: WebhookAttemptsTable;

  payment_checkouts: PaymentCheckoutsTable;
  payment_failures: PaymentFailuresTable;

  e_invoices: EInvoicesTable;

  quotes: QuotesTable;

  spend_alerts: SpendAlertsTable;
  spend_alert_crossings: SpendAlertCrossingsTable;
}
