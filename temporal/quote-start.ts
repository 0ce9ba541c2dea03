// How a quote's workflow is started: id, queue, search attributes, and the summary finance sees
// at the top of the workflow in the Temporal UI.
import type { WorkflowStartOptions } from '@temporalio/client';
import type { quoteWorkflow } from '../workflows/quote.ts';
import type { QuoteWorkflowInput } from '../workflows/quote-messages.ts';
import { quoteWorkflowId } from '../workflow-contracts/ids.ts';
import {
  BillingStatus,
  CustomerId,
  PlanCode,
  TestClockId,
} from '../workflow-contracts/search-attributes.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';

export function quoteStartOptions(
  input: QuoteWorkflowInput,
): WorkflowStartOptions<typeof quoteWorkflow> {
  return {
    taskQueue: BILLING_TASK_QUEUE,
    workflowId: quoteWorkflowId(input.quoteId),
    args: [input],
    // One workflow per quote, ever.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: CustomerId, value: input.customerId },
      ...(input.planCode !== null ? [{ key: PlanCode, value: input.planCode }] : []),
      { key: BillingStatus, value: 'quote_open' },
      ...(input.testClock ? [{ key: TestClockId, value: input.testClock.id }] : []),
    ],
    staticSummary: `Quote ${input.number} (${input.quoteId}) to ${input.customerId}, valid until ${input.validUntil}`,
    staticDetails: [
      `**Customer** ${input.customerId}`,
      input.planCode !== null ? `**Plan** ${input.planCode}` : '**Project**',
      `**Valid until** ${input.validUntil}`,
      ...(input.testClock ? [`**Test clock** ${input.testClock.id} (virtual time)`] : []),
    ].join('\n\n'),
  };
}
