// How a project's workflow is started: id, queue, search attributes, and the summary finance
// sees at the top of the workflow in the Temporal UI.
import type { WorkflowStartOptions } from '@temporalio/client';
import { money, toMajorUnitString } from '../domain/core/money.ts';
import type { projectWorkflow } from '../workflows/project.ts';
import type { ProjectWorkflowInput } from '../workflows/project-messages.ts';
import type { manualInvoiceWorkflow } from '../workflows/manual-invoice.ts';
import type { ManualInvoiceInput } from '../workflows/manual-invoice-messages.ts';
import {
  BillingStatus,
  CustomerId,
  ProjectId,
  TestClockId,
} from '../workflow-contracts/search-attributes.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';
import { projectWorkflowId, manualInvoiceWorkflowId } from '../workflow-contracts/ids.ts';

export function projectStartOptions(
  input: ProjectWorkflowInput,
): WorkflowStartOptions<typeof projectWorkflow> {
  const { terms } = input;
  const contract = `${terms.currency} ${toMajorUnitString(money(terms.contractValue, terms.currency))}`;
  return {
    taskQueue: BILLING_TASK_QUEUE,
    workflowId: projectWorkflowId(input.projectId),
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: ProjectId, value: input.projectId },
      { key: CustomerId, value: input.customerId },
      { key: BillingStatus, value: 'active' },
      ...(input.testClock ? [{ key: TestClockId, value: input.testClock.id }] : []),
    ],
    staticSummary: `Project ${input.projectId} of ${input.customerId}, ${contract}`,
    staticDetails: [
      `**Customer** ${input.customerId}`,
      `**Contract** ${contract}`,
      ...(terms.deposit
        ? [
            `**Deposit** ${'percent' in terms.deposit ? `${terms.deposit.percent} %` : toMajorUnitString(money(terms.deposit.amount, terms.currency))}`,
          ]
        : []),
      `**Milestones** ${terms.milestones.map((m) => m.name).join(', ')}`,
      ...(terms.retainagePercent ? [`**Retainage** ${terms.retainagePercent} %`] : []),
      ...(terms.hours ? [`**Hours** invoiced ${terms.hours.invoicing.replace('_', ' ')}`] : []),
    ].join('\n\n'),
  };
}

export function manualInvoiceStartOptions(
  input: ManualInvoiceInput & { customerId: string },
): WorkflowStartOptions<typeof manualInvoiceWorkflow> {
  const { customerId, ...args } = input;
  return {
    taskQueue: BILLING_TASK_QUEUE,
    workflowId: manualInvoiceWorkflowId(input.invoiceId),
    args: [args],
    // A repeated finalize finds the delivery under way, or done; a failed one starts again.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    typedSearchAttributes: [
      { key: CustomerId, value: customerId },
      ...(input.testClock ? [{ key: TestClockId, value: input.testClock.id }] : []),
    ],
    staticSummary: `Manual invoice ${input.invoiceId}: render and email`,
  };
}
