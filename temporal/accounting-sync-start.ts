// How an accounting sync's workflow is started: id, queue, and the title finance sees on top of
// it in the Temporal UI.
import type { WorkflowStartOptions } from '@temporalio/client';
import type { accountingSyncWorkflow } from '../workflows/accounting-sync.ts';
import {
  accountingSyncTitle,
  type AccountingSyncInput,
} from '../workflows/accounting-sync-messages.ts';
import { accountingSyncWorkflowId } from '../workflow-contracts/ids.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';

export function accountingSyncStartOptions(
  input: AccountingSyncInput,
  actor: string,
): WorkflowStartOptions<typeof accountingSyncWorkflow> {
  return {
    taskQueue: BILLING_TASK_QUEUE,
    workflowId: accountingSyncWorkflowId(input.syncId),
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: accountingSyncTitle(input),
    staticDetails: [
      `**Sync** ${input.syncId}`,
      '**Pushes** customers, then finalized invoices, then payments, then credit notes',
      `**Asked by** ${actor}`,
    ].join('\n\n'),
  };
}
