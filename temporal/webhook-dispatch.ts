// The webhook dispatcher: hands the events repositories wrote (webhook_events, committed with the
// changes that caused them) to the delivery workflow of every enabled endpoint that subscribes to
// them, with signal-with-start (the endpoint's workflow is started if it is not running), in
// commit order, and marks them dispatched. One dispatcher at a time holds the advisory lock;
// every worker runs the loop, so one takes over when another stops.
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connect.ts';
import { enabledWebhookEndpoints } from '../db/repositories/webhook-endpoints.ts';
import { dispatchPendingEvents } from '../db/repositories/webhook-events.ts';
import { subscribesTo } from '../domain/webhooks/events.ts';
import type { webhookDeliveryWorkflow } from '../workflows/webhook-delivery.ts';
import { webhookDeliveryWorkflowId } from '../workflow-contracts/ids.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';

/**
 * One pass: dispatches up to `limit` events; the number dispatched. A failed signal rolls the
 * pass back: its events stay pending for the next pass (the workflow drops repeats).
 */
export async function dispatchWebhookEvents(
  db: Db,
  client: Client,
  options: { limit?: number; taskQueue?: string; timeoutMs?: number } = {},
): Promise<number> {
  return dispatchPendingEvents(db, options.limit ?? 200, async (events) => {
    const endpoints = await enabledWebhookEndpoints(db);
    await Promise.all(
      endpoints.map(async (endpoint) => {
        const items = events
          .filter((event) => subscribesTo(endpoint.event_types, event.type))
          .map((event) => ({ eventId: event.id, seq: Number(event.seq) }));
        if (items.length === 0) return;
        // Under a deadline: the dispatch transaction (and its lock) stays open meanwhile.
        await client.connection.withDeadline(Date.now() + (options.timeoutMs ?? 10_000), () =>
          client.workflow.signalWithStart<typeof webhookDeliveryWorkflow, [typeof items]>(
            'webhookDeliveryWorkflow',
            {
              workflowId: webhookDeliveryWorkflowId(endpoint.id),
              taskQueue: options.taskQueue ?? BILLING_TASK_QUEUE,
              args: [{ endpointId: endpoint.id }],
              signal: 'webhookEvents',
              signalArgs: [items],
              staticSummary: `Webhook endpoint ${endpoint.id}: ${endpoint.url}`,
            },
          ),
        );
      }),
    );
  });
}

export interface WebhookDispatcher {
  stop(): Promise<void>;
}

/** Every `intervalMs` (and at once again while a backlog lasts), dispatches pending events. */
export function runWebhookDispatcher(
  db: Db,
  client: Client,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): WebhookDispatcher {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      let dispatched = 0;
      try {
        dispatched = await dispatchWebhookEvents(db, client);
      } catch (error) {
        options.onError?.(error);
      }
      if (stopped || dispatched > 0) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, options.intervalMs ?? 1_000);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
