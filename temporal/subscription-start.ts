// How a subscription's workflow is started: id, queue, search attributes, and the summary
// finance sees at the top of the workflow in the Temporal UI.
import type { WorkflowStartOptions } from '@temporalio/client';
import { toMajorUnitString } from '../domain/core/money.ts';
import type { subscriptionWorkflow } from '../workflows/subscription.ts';
import type { SubscriptionWorkflowInput } from '../workflows/subscription-messages.ts';
import {
  BillingStatus,
  CustomerId,
  PlanCode,
  SubscriptionId,
  TestClockId,
} from '../workflow-contracts/search-attributes.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';
import { subscriptionWorkflowId } from '../workflow-contracts/ids.ts';

export function subscriptionStartOptions(
  input: SubscriptionWorkflowInput,
): WorkflowStartOptions<typeof subscriptionWorkflow> {
  const { cycle, price } = input;
  const every =
    cycle.intervalCount === 1 ? cycle.interval : `${cycle.intervalCount} ${cycle.interval}s`;
  return {
    taskQueue: BILLING_TASK_QUEUE,
    workflowId: subscriptionWorkflowId(input.subscriptionId),
    args: [input],
    // A second start for the same subscription is a bug, not a retry to absorb.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: CustomerId, value: input.customerId },
      { key: SubscriptionId, value: input.subscriptionId },
      { key: PlanCode, value: input.planCode },
      { key: BillingStatus, value: input.trialEnd ? 'trialing' : 'active' },
      ...(input.testClock ? [{ key: TestClockId, value: input.testClock.id }] : []),
    ],
    // Static: what never changes. The plan and price billed now are in the workflow's current
    // details, which follow every change (and the PlanCode search attribute).
    staticSummary: `Subscription ${input.subscriptionId} of ${input.customerId}, billed every ${every}`,
    staticDetails: [
      `**Customer** ${input.customerId}`,
      `**Started on** ${input.planCode} v${input.plan.version} (${input.planName}), ${price.currency} ${toMajorUnitString(price)} billed in advance every ${every}` +
        (input.plan.charges.some((c) => c.billing === 'arrears')
          ? ', plus charges in arrears'
          : ''),
      `**Anchor** ${cycle.anchor} (${cycle.timezone})`,
      `**Charges at the start** ${input.plan.charges.map((c) => `${c.description} (${c.type}, ${c.billing})`).join(', ')}; quantity ${input.quantity ?? 1}`,
      ...(input.trialEnd ? [`**Trial** until ${input.trialEnd}`] : []),
      ...(input.testClock ? [`**Test clock** ${input.testClock.id} (virtual time)`] : []),
    ].join('\n\n'),
  };
}
