// Every activity the worker registers, built from its dependencies (no module-level state).
// Workflows never see this registry: each proxies only its own concept's activities, through the
// type exported next to their implementations (SubscriptionActivities, ProjectActivities, …).
// Registered names are what recorded histories replay by: rename an activity only with new ones.
import {
  createAccountingSyncActivities,
  type AccountingSyncDependencies,
} from './accounting-sync.ts';
import { createBalanceActivities, type BalanceDependencies } from './balance.ts';
import { createCollectionActivities, type CollectionDependencies } from './collections.ts';
import {
  createDocumentActivities,
  createRenderActivities,
  type DocumentDependencies,
} from './documents.ts';
import { createEmailActivities, type EmailDependencies, type EmailSettings } from './email.ts';
import { createManualInvoiceActivities } from './manual-invoices.ts';
import {
  createPlanMigrationActivities,
  type PlanMigrationDependencies,
} from './plan-migrations.ts';
import { createProjectActivities } from './projects.ts';
import { createQuoteActivities, type QuoteDependencies } from './quotes.ts';
import {
  createSubscriptionActivities,
  type InvoicingDependencies,
  type InvoicingSettings,
} from './subscriptions.ts';
import { createSpendAlertActivities } from './spend-alerts.ts';
import { createTestClockActivities, type TestClockDependencies } from './test-clocks.ts';
import { createThresholdActivities } from './thresholds.ts';
import { createWalletActivities } from './wallets.ts';
import {
  createWebhookActivities,
  type WebhookDependencies,
  type WebhookSettings,
} from './webhooks.ts';

/** The settings activities work with: values config/ read, passed down by the runtime. */
export type ActivitySettings = InvoicingSettings & EmailSettings & WebhookSettings;

export type ActivityDependencies = InvoicingDependencies &
  DocumentDependencies &
  EmailDependencies &
  TestClockDependencies &
  CollectionDependencies &
  PlanMigrationDependencies &
  AccountingSyncDependencies &
  WebhookDependencies &
  QuoteDependencies &
  BalanceDependencies;

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createSubscriptionActivities(deps),
    ...createDocumentActivities(deps),
    // Registered here too, so one worker can poll both queues with one registry (tests).
    ...createRenderActivities(deps),
    ...createEmailActivities(deps),
    ...createTestClockActivities(deps),
    ...createProjectActivities(deps),
    ...createManualInvoiceActivities(deps),
    ...createCollectionActivities(deps),
    ...createPlanMigrationActivities(deps),
    ...createAccountingSyncActivities(deps),
    ...createWebhookActivities(deps),
    ...createWalletActivities(deps),
    ...createQuoteActivities(deps),
    ...createBalanceActivities(deps),
    ...createSpendAlertActivities(deps),

    ...createThresholdActivities(deps),
  };
}

/** What a render worker registers: printing PDFs alone (temporal/worker.ts). */
export { createRenderActivities };
