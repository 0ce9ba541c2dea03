// How a wallet grant's expiry timer is started: id, queue, search attributes, and the title
// finance sees on top of it in the Temporal UI.
import type { WorkflowStartOptions } from '@temporalio/client';
import type { walletGrantExpiryWorkflow } from '../workflows/wallet-grant-expiry.ts';
import type { WalletGrantExpiryInput } from '../workflows/wallet-grant-expiry-messages.ts';
import type { walletTopUpWorkflow } from '../workflows/wallet-top-up.ts';
import type { WalletTopUpInput } from '../workflows/wallet-top-up-messages.ts';
import { CustomerId, TestClockId } from '../workflow-contracts/search-attributes.ts';
import { walletGrantExpiryWorkflowId, walletTopUpWorkflowId } from '../workflow-contracts/ids.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';

/** What both wallet timers start with: the billing queue and the customer's search attributes. */
function walletTimerOptions(customerId: string, testClock: { id: string } | undefined) {
  return {
    taskQueue: BILLING_TASK_QUEUE,
    typedSearchAttributes: [
      { key: CustomerId, value: customerId },
      ...(testClock ? [{ key: TestClockId, value: testClock.id }] : []),
    ],
  };
}

export function walletGrantExpiryStartOptions(
  input: WalletGrantExpiryInput & { customerId: string },
): WorkflowStartOptions<typeof walletGrantExpiryWorkflow> {
  const { customerId, ...args } = input;
  return {
    ...walletTimerOptions(customerId, input.testClock),
    workflowId: walletGrantExpiryWorkflowId(input.grantId),
    args: [args],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: `Wallet credit ${input.grantId} of ${customerId} expires at ${input.expiresAt}`,
  };
}

/** A wallet's recurring top-up timer; started again when a rule is set after one ended. */
export function walletTopUpStartOptions(
  input: WalletTopUpInput & { customerId: string },
): WorkflowStartOptions<typeof walletTopUpWorkflow> {
  const { customerId, ...args } = input;
  return {
    ...walletTimerOptions(customerId, input.testClock),
    workflowId: walletTopUpWorkflowId(input.walletId),
    args: [args],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: `Recurring top-up of wallet ${input.walletId} of ${customerId}`,
  };
}
