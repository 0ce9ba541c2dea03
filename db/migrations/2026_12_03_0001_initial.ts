// The whole schema, squashed into one initial migration before the first release (no database
// exists that an older migration would have to carry forward). One statement per entry, so
// PostgreSQL and embedded PGlite (one statement per query) run it alike. Later changes are new,
// timestamped migration files that take Kysely<any>, never today's types.
import { sql, type Kysely } from 'kysely';
import { billingRuns } from './initial/billing-runs.ts';

import { accounting } from './initial/accounting.ts';
import { catalog } from './initial/catalog.ts';
import { collections } from './initial/collections.ts';
import { coupons } from './initial/coupons.ts';
import { customers } from './initial/customers.ts';
import { eInvoices } from './initial/e-invoices.ts';
import { invoices } from './initial/invoices.ts';
import { ledger } from './initial/ledger.ts';
import { onlinePayments } from './initial/online-payments.ts';
import { platform } from './initial/platform.ts';
import { portal } from './initial/portal.ts';
import { projects } from './initial/projects.ts';
import { subscriptions } from './initial/subscriptions.ts';
import { usage } from './initial/usage.ts';
import { wallets } from './initial/wallets.ts';
import { walletTopUps } from './initial/wallet-top-ups.ts';
import { webhooks } from './initial/webhooks.ts';
import { quotes } from './initial/quotes.ts';
import { spendAlerts } from './initial/spend-alerts.ts';

// Each concept's statements stand in its module under initial/; they run in the order the schema
// was squashed in (pg_dump's: the trigger's function, tables before the tables that reference them,
// then indexes, then the trigger).
const statements: string[] = [
  projects.time_entry_invoiced_is_final,
  ledger.journal_entry_balances,
  ledger.journal_is_append_only,
  platform.api_keys,
  platform.audit_events,
  usage.billable_metrics,
  coupons.coupons,
  customers.test_clocks,
  customers.customers,
  catalog.plans,
  subscriptions.subscriptions,
  coupons.coupon_redemptions,
  projects.projects,
  invoices.invoices,
  invoices.credit_notes,
  invoices.invoice_lines,
  invoices.credit_note_lines,
  collections.payments,
  collections.customer_credit_entries,
  collections.dunning_policies,
  platform.email_deliveries,
  catalog.estimates,
  platform.idempotency_keys,
  collections.invoice_collections,
  invoices.invoice_documents,
  invoices.customer_documents,
  invoices.number_series,
  platform.outbox_messages,
  subscriptions.plan_migrations,
  subscriptions.plan_migration_subscriptions,
  catalog.plan_versions,
  projects.project_change_orders,
  projects.project_events,
  projects.project_milestones,
  subscriptions.subscription_plan_version_changes,
  subscriptions.subscription_transitions,
  projects.time_entries,
  usage.usage_events,
  platform.workflow_starts,
  ledger.ledger_accounts,
  ledger.ledger_account_mappings,
  ledger.journal_entries,
  ledger.journal_lines,
  ledger.ledger_accounts_seed,
  ledger.ledger_account_mappings_seed,
  coupons.coupon_applications,
  platform.audit_events_resource,
  coupons.coupon_applications_invoice_idx,
  coupons.coupon_redemptions_customer_idx,
  coupons.coupon_redemptions_customer_key,
  coupons.coupon_redemptions_subscription_key,
  invoices.credit_note_lines_invoice_line_idx,
  invoices.credit_notes_billing_key,
  invoices.credit_notes_invoice_idx,
  collections.customer_credit_entries_customer,
  customers.customers_test_clock,
  collections.dunning_policies_customer,
  collections.dunning_policies_default,
  collections.dunning_policies_plan,
  invoices.invoices_customer_idx,
  invoices.invoices_project_billing_key,
  invoices.invoices_subscription_billing_key,
  projects.project_events_project,
  subscriptions.plan_migrations_plan,
  subscriptions.subscriptions_plan_idx,
  projects.projects_customer,
  subscriptions.subscription_plan_version_changes_key,
  subscriptions.subscription_plan_version_changes_subscription_idx,
  subscriptions.subscriptions_customer_idx,
  projects.time_entries_uninvoiced,
  platform.workflow_starts_workflow,
  platform.workflow_starts_pending,
  usage.usage_events_aggregation_idx,
  usage.usage_hourly_totals,
  usage.add_to_usage_hourly_totals,
  usage.recount_usage_hourly_totals,
  usage.usage_events_added,
  usage.usage_events_updated,
  usage.usage_events_deleted,
  usage.usage_events_truncated,
  projects.time_entries_invoiced_final,
  billingRuns.billing_run_failures,
  billingRuns.billing_run_failures_due,

  accounting.accounting_links,
  accounting.accounting_links_external,
  accounting.accounting_syncs,
  accounting.accounting_syncs_one_running,
  accounting.accounting_sync_outcomes,

  ledger.journal_entries_date,
  ledger.journal_lines_account,
  ledger.journal_entries_balanced,
  ledger.journal_lines_balanced,
  ledger.journal_entries_append_only,
  ledger.journal_lines_append_only,
  ledger.journal_entries_no_truncate,
  ledger.journal_lines_no_truncate,

  ...Object.values(webhooks),
  ...Object.values(onlinePayments),
  ...Object.values(wallets),
  ...Object.values(walletTopUps),
  ...Object.values(eInvoices),

  ...Object.values(portal),

  ...Object.values(quotes),

  ...Object.values(spendAlerts),
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop schema public cascade').execute(db);
  await sql.raw('create schema public').execute(db);
}
