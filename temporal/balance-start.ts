// How a customer's balance workflow is started: id, queue, search attributes and the title seen
// on top of it in the Temporal UI. Started by its first signal (signalWithStart), never twice.
import type { WorkflowStartOptions } from '@temporalio/client';
import type { customerBalanceWorkflow } from '../workflows/customer-balance.ts';
import { CustomerId } from '../workflow-contracts/search-attributes.ts';
import { customerBalanceWorkflowId } from '../workflow-contracts/ids.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';

export function customerBalanceStartOptions(
  customerId: string,
): WorkflowStartOptions<typeof customerBalanceWorkflow> {
  return {
    taskQueue: BILLING_TASK_QUEUE,
    workflowId: customerBalanceWorkflowId(customerId),
    args: [{ customerId }],
    typedSearchAttributes: [{ key: CustomerId, value: customerId }],
    staticSummary: `Live balance of ${customerId}`,
  };
}
