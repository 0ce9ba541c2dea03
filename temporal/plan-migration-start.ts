// How a plan migration's workflow is started: id, queue, the plan it filters under, and the
// title finance sees on top of it in the Temporal UI.
import type { WorkflowStartOptions } from '@temporalio/client';
import type { planMigrationWorkflow } from '../workflows/plan-migration.ts';
import {
  planMigrationTitle,
  type PlanMigrationInput,
} from '../workflows/plan-migration-messages.ts';
import { PlanCode } from '../workflow-contracts/search-attributes.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';
import { planMigrationWorkflowId } from '../workflow-contracts/ids.ts';

export function planMigrationStartOptions(
  input: PlanMigrationInput,
  request: { applyAt: 'now' | 'period_end'; actor: string; reason?: string | undefined },
): WorkflowStartOptions<typeof planMigrationWorkflow> {
  return {
    taskQueue: BILLING_TASK_QUEUE,
    workflowId: planMigrationWorkflowId(input.migrationId),
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [{ key: PlanCode, value: input.planCode }],
    staticSummary: planMigrationTitle(input),
    staticDetails: [
      `**Migration** ${input.migrationId}`,
      `**Applies** ${request.applyAt === 'now' ? 'now, prorated (credit note and invoice)' : 'at each subscription’s next boundary'}`,
      `**Asked by** ${request.actor}${request.reason ? `: ${request.reason}` : ''}`,
    ].join('\n\n'),
  };
}
