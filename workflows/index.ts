// Every workflow the worker registers (the bundle's entry point).
export { subscriptionWorkflow } from './subscription.ts';
export { testClockAdvance } from './test-clock.ts';
export { projectWorkflow } from './project.ts';
export { manualInvoiceWorkflow } from './manual-invoice.ts';
export { collectionWorkflow } from './collection.ts';
export { planMigrationWorkflow } from './plan-migration.ts';
export { accountingSyncWorkflow } from './accounting-sync.ts';
export { webhookDeliveryWorkflow } from './webhook-delivery.ts';
export { walletGrantExpiryWorkflow } from './wallet-grant-expiry.ts';
export { walletTopUpWorkflow } from './wallet-top-up.ts';
export { quoteWorkflow } from './quote.ts';
export { customerBalanceWorkflow } from './customer-balance.ts';
