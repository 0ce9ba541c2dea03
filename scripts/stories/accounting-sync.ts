// The accounting-sync story for the replay test's history (scripts/record-histories.ts): a
// customer with two finalized invoices and a payment, synced to the local QuickBooks stand-in
// through the real adapter as POST /v1/accounting/syncs does: one customer, two invoices and one
// payment pushed.
import { createQuickBooksSystem } from '../../accounting/quickbooks.ts';
import { recordPayment } from '../../db/repositories/payments.ts';
import { startAccountingSync } from '../../services/accounting-sync.ts';
import { startQuickBooksServer } from '../../test/support/quickbooks-server.ts';
import type { accountingSyncWorkflow } from '../../workflows/accounting-sync.ts';
import { accountingSyncWorkflowId } from '../../workflow-contracts/ids.ts';
import { issueInvoice, replayCustomer, type Story } from '../recording.ts';

export const accountingSync: Story = {
  name: 'accounting-sync',
  summary: 'a customer, two invoices and a payment pushed to QuickBooks in dependency order',
  async accounting() {
    const server = await startQuickBooksServer();
    const system = createQuickBooksSystem({
      realmId: server.realmId,
      accessToken: 'qbo-access-token',
      baseUrl: server.baseUrl,
      itemRefs: { default: '1' },
    });
    return { system, stop: () => server.close() };
  },
  async play(recording) {
    const { db, env } = recording;
    const customer = await replayCustomer(db, 'Europe/Paris');
    const at = new Date(await env.currentTimeMs()).toISOString();
    const first = await issueInvoice(recording, { customerId: customer.id, amount: 4900, at });
    await issueInvoice(recording, { customerId: customer.id, amount: 12000, at });
    await recordPayment(db, {
      invoiceId: first.id,
      amount: first.total,
      method: 'Bank transfer',
      reference: 'replay-1',
      source: 'api',
    });
    const { sync } = await startAccountingSync(
      { db, temporal: env.client, accounting: recording.accounting },
      { actor: 'key_recorder' },
    );
    const handle = env.client.workflow.getHandle<typeof accountingSyncWorkflow>(
      accountingSyncWorkflowId(sync.id),
    );
    await handle.result();
    return handle;
  },
};
