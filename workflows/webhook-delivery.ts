// One workflow per webhook endpoint: delivers the events the dispatcher signals, one at a time in
// commit order, so an object's events never overtake each other. Each delivery is retried with
// exponential backoff for up to three days; then the endpoint is paused, the operator told, and
// the workflow ends (the dispatcher starts it again once the endpoint is enabled and has events).
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks.ts';
import { quickStep } from './activity-options.ts';

/** An event to deliver: its id, and its commit order (webhook_events.seq). */
export interface WebhookDeliveryItem {
  eventId: string;
  seq: number;
}

export interface WebhookDeliveryInput {
  endpointId: string;
  /** Events signalled to the run before this one that it had not delivered yet. */
  pending?: WebhookDeliveryItem[];
}

export const webhookEventsSignal = defineSignal<[WebhookDeliveryItem[]]>('webhookEvents');

/** How long one endpoint may keep failing one event before it is paused. */
export const WEBHOOK_RETRY_WINDOW = '3 days';

const { deliverWebhookEvent } = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: WEBHOOK_RETRY_WINDOW,
  retry: {
    initialInterval: '30 seconds',
    backoffCoefficient: 2,
    maximumInterval: '6 hours',
    nonRetryableErrorTypes: [],
  },
});
const { pauseFailingWebhookEndpoint } = proxyActivities<WebhookActivities>(quickStep);

/** Deliveries per run before continuing as new, so history stays bounded. */
const DELIVERIES_PER_RUN = 500;
/** An endpoint's workflow with nothing to send ends after this; the next event starts it again. */
const IDLE = '1 hour';

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<string> {
  const queue: WebhookDeliveryItem[] = [...(input.pending ?? [])];
  const seen = new Set(queue.map((item) => item.eventId));
  setHandler(webhookEventsSignal, (items) => {
    for (const item of items) {
      if (seen.has(item.eventId)) continue;
      seen.add(item.eventId);
      queue.push(item);
    }
    queue.sort((a, b) => a.seq - b.seq);
  });

  let delivered = 0;
  for (;;) {
    if (!(await condition(() => queue.length > 0, IDLE))) {
      await condition(allHandlersFinished);
      if (queue.length === 0) return `idle after ${delivered} deliveries`;
    }
    const item = queue[0]!;
    try {
      const outcome = await deliverWebhookEvent({
        endpointId: input.endpointId,
        eventId: item.eventId,
      });
      if (outcome === 'gone') return 'endpoint deleted';
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      await pauseFailingWebhookEndpoint({
        endpointId: input.endpointId,
        eventId: item.eventId,
        reason: (error.cause?.message ?? error.message).slice(0, 500),
      });
      return `paused on ${item.eventId}`;
    }
    queue.shift();
    delivered++;
    if (delivered >= DELIVERIES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof webhookDeliveryWorkflow>({
        endpointId: input.endpointId,
        pending: queue,
      });
    }
  }
}
