// The webhook-delivery story for the replay test's history: an endpoint on a loopback receiver
// that fails twice then answers, an invoice's events dispatched to it (signal-with-start), the
// first retried with backoff and all delivered in order; then the idle workflow ends.
import { createWebhookEndpoint } from '../../services/webhook-endpoints.ts';
import { dispatchWebhookEvents } from '../../temporal/webhook-dispatch.ts';
import { startWebhookReceiver } from '../../test/support/webhook-receiver.ts';
import type { webhookDeliveryWorkflow } from '../../workflows/webhook-delivery.ts';
import { webhookDeliveryWorkflowId } from '../../workflow-contracts/ids.ts';
import { issueInvoice, replayCustomer, type Story } from '../recording.ts';

export const webhookDelivery: Story = {
  name: 'webhook-delivery',
  summary: 'an invoice’s events delivered in order to an endpoint that fails twice, then idles out',
  environment: { BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE: 'on' },
  async play(recording) {
    const { db, env } = recording;
    const receiver = await startWebhookReceiver();
    try {
      const { secret, endpoint } = await createWebhookEndpoint(
        { db, temporal: env.client },
        { allowPrivate: true },
        { url: receiver.url, eventTypes: ['*'] },
      );
      receiver.useSecret(secret);
      receiver.failNext(2);
      const customer = await replayCustomer(db, 'Europe/Paris');
      const at = new Date(await env.currentTimeMs()).toISOString();
      await issueInvoice(recording, { customerId: customer.id, amount: 4900, at });
      await dispatchWebhookEvents(db, env.client, { taskQueue: recording.taskQueue });
      const handle = env.client.workflow.getHandle<typeof webhookDeliveryWorkflow>(
        webhookDeliveryWorkflowId(endpoint.id),
      );
      await handle.result();
      return handle;
    } finally {
      await receiver.close();
    }
  },
};
