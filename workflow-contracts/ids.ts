// Every workflow's id, one business id each: what the workflows, their starters (API, services,
// the workflow_starts drainer) and the test clocks that advance them all agree on.

export function subscriptionWorkflowId(subscriptionId: string): string {
  return `subscription-${subscriptionId}`;
}

export function projectWorkflowId(projectId: string): string {
  return `project-${projectId}`;
}

export function manualInvoiceWorkflowId(invoiceId: string): string {
  return `invoice-${invoiceId}`;
}

export function collectionWorkflowId(invoiceId: string): string {
  return `collection-${invoiceId}`;
}

export function planMigrationWorkflowId(migrationId: string): string {
  return `plan-migration-${migrationId}`;
}

export function accountingSyncWorkflowId(syncId: string): string {
  return `accounting-sync-${syncId}`;
}

export function webhookDeliveryWorkflowId(endpointId: string): string {
  return `webhook-endpoint-${endpointId}`;
}

export function walletGrantExpiryWorkflowId(grantId: string): string {
  return `wallet-grant-expiry-${grantId}`;
}

export function quoteWorkflowId(quoteId: string): string {
  return `quote-${quoteId}`;
}

export function walletTopUpWorkflowId(walletId: string): string {
  return `wallet-top-up-${walletId}`;
}

export function customerBalanceWorkflowId(customerId: string): string {
  return `customer-balance-${customerId}`;
}
