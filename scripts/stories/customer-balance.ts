// The customer balance story for the replay test's history (scripts/record-histories.ts): a
// customer with a wallet and no subscription yet sends usage in two batches, the second
// signalled twice (counted once); the workflow reads the balance after each and, with nothing
// billed to keep live, ends after an idle hour.
import { insertWallet } from '../../db/repositories/wallets.ts';
import { customerBalanceStartOptions } from '../../temporal/balance-start.ts';
import {
  balanceQuery,
  usageRecordedSignal,
  type UsageBatch,
} from '../../workflows/customer-balance-messages.ts';
import type { customerBalanceWorkflow } from '../../workflows/customer-balance.ts';
import { replayCustomer, type Story } from '../recording.ts';

export const customerBalance: Story = {
  name: 'customer-balance',
  summary: 'two usage batches (one signalled twice), each read, then ended after an idle hour',
  async play({ db, client, env }) {
    const customer = await replayCustomer(db, 'Europe/Paris');
    await insertWallet(db, {
      customerId: customer.id,
      currency: customer.currency,
      name: 'Prepaid usage',
      priority: 1,
      planCodes: null,
    });
    const batch = (n: number): UsageBatch => ({ batchId: `batch-${n}`, events: { api_calls: n } });
    const handle = await client.workflow.signalWithStart<
      typeof customerBalanceWorkflow,
      [UsageBatch]
    >('customerBalanceWorkflow', {
      ...customerBalanceStartOptions(customer.id),
      signal: usageRecordedSignal,
      signalArgs: [batch(1)],
    });
    await handle.signal(usageRecordedSignal, batch(2));
    await handle.signal(usageRecordedSignal, batch(2)); // a retried signal: counted once
    for (;;) {
      const state = await handle.query(balanceQuery);
      if (state.batches === 2 && state.pending === 0 && state.snapshot) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The time-skipping client skips the idle hour.
    const run = env.client.workflow.getHandle(handle.workflowId);
    await run.result();
    return run;
  },
};
