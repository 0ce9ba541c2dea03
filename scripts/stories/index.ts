// The recorded stories of each workflow type the worker registers (workflows/index.ts), for the
// replay test's histories: the first through the type's main paths, then one per branch the
// first cannot take in the same run (a quote is accepted or declined or expires, never two).
// A new workflow type does not typecheck until it has a story here. To add one: write it in
// this folder (`<name>.ts`, a branch of a type named `<type's story>-<branch>`), list it under
// its type, and run `npm run record-histories -- <name>`; the replay test fails until its
// history is recorded.
import type { Story, WorkflowType } from '../recording.ts';
import { accountingSync } from './accounting-sync.ts';
import { collection } from './collection.ts';
import { collectionWrittenOff } from './collection-written-off.ts';
import { customerBalance } from './customer-balance.ts';
import { customerBalanceAlerts } from './customer-balance-alerts.ts';
import { manualInvoice } from './manual-invoice.ts';
import { planMigration } from './plan-migration.ts';
import { project } from './project.ts';
import { projectBudget } from './project-budget.ts';
import { quote } from './quote.ts';
import { quoteDeclined } from './quote-declined.ts';
import { quoteExpired } from './quote-expired.ts';
import { quoteProject } from './quote-project.ts';
import { subscription } from './subscription.ts';
import { subscriptionDunned } from './subscription-dunned.ts';
import { testClockAdvanceStory } from './test-clock-advance.ts';
import { walletGrantExpiry } from './wallet-grant-expiry.ts';
import { walletTopUp } from './wallet-top-up.ts';
import { webhookDelivery } from './webhook-delivery.ts';

export const stories = {
  subscriptionWorkflow: [subscription, subscriptionDunned],
  projectWorkflow: [project, projectBudget],
  manualInvoiceWorkflow: [manualInvoice],
  collectionWorkflow: [collection, collectionWrittenOff],
  testClockAdvance: [testClockAdvanceStory],
  planMigrationWorkflow: [planMigration],
  accountingSyncWorkflow: [accountingSync],
  webhookDeliveryWorkflow: [webhookDelivery],
  walletGrantExpiryWorkflow: [walletGrantExpiry],
  walletTopUpWorkflow: [walletTopUp],
  quoteWorkflow: [quote, quoteProject, quoteDeclined, quoteExpired],
  customerBalanceWorkflow: [customerBalance, customerBalanceAlerts],
} satisfies Record<WorkflowType, readonly [Story, ...Story[]]>;

/** Every story, with the workflow type whose history it records, in the order listed. */
export const storyList: [WorkflowType, Story][] = Object.entries(stories).flatMap(([type, list]) =>
  list.map((story): [WorkflowType, Story] => [type as WorkflowType, story]),
);
