// One recorded story per workflow type the worker registers (workflows/index.ts), for the
// replay test's histories. A new workflow type does not typecheck until it has a story here:
// write one in this folder (a short script through its main paths), list it, and run
// `npm run record-histories -- <name>`.
import type { Story, WorkflowType } from '../recording.ts';
import { accountingSync } from './accounting-sync.ts';
import { collection } from './collection.ts';
import { customerBalance } from './customer-balance.ts';
import { manualInvoice } from './manual-invoice.ts';
import { planMigration } from './plan-migration.ts';
import { project } from './project.ts';
import { quote } from './quote.ts';
import { subscription } from './subscription.ts';
import { testClockAdvanceStory } from './test-clock-advance.ts';
import { walletGrantExpiry } from './wallet-grant-expiry.ts';
import { walletTopUp } from './wallet-top-up.ts';
import { webhookDelivery } from './webhook-delivery.ts';

export const stories = {
  subscriptionWorkflow: subscription,
  projectWorkflow: project,
  manualInvoiceWorkflow: manualInvoice,
  collectionWorkflow: collection,
  testClockAdvance: testClockAdvanceStory,
  planMigrationWorkflow: planMigration,
  accountingSyncWorkflow: accountingSync,
  webhookDeliveryWorkflow: webhookDelivery,
  walletGrantExpiryWorkflow: walletGrantExpiry,
  walletTopUpWorkflow: walletTopUp,
  quoteWorkflow: quote,
  customerBalanceWorkflow: customerBalance,
} satisfies Record<WorkflowType, Story>;
