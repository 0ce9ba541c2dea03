// Outgoing webhooks' side effects: deliver one event to one endpoint (signed, through the SSRF
// check, every attempt logged), and pause an endpoint that kept failing, telling the operator.
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import { recordWebhookAttempt, wasDelivered } from '../db/repositories/webhook-attempts.ts';
import { getWebhookEndpoint, pauseWebhookEndpoint } from '../db/repositories/webhook-endpoints.ts';
import { getWebhookEvent } from '../db/repositories/webhook-events.ts';
import { deliveryBody } from '../domain/webhooks/events.ts';
import type { EmailSender } from '../email/port.ts';
import { sendWebhook } from '../webhooks/sender.ts';

/** BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE and BILLWRIGHT_OPERATOR_EMAIL, as config/ read them. */
export interface WebhookSettings {
  webhooks?: { allowPrivate: boolean; operatorEmail: string | undefined } | undefined;
  emailFrom: string;
}

export interface WebhookDependencies extends WebhookSettings {
  db: Db;
  email: EmailSender;
}

export type WebhookDeliveryOutcome = 'delivered' | 'skipped' | 'gone';

export function createWebhookActivities(deps: WebhookDependencies) {
  const policy = { allowPrivate: deps.webhooks?.allowPrivate ?? false };
  return {
    /**
     * Sends the event; a failed attempt (any answer but 2xx, a timeout, a refused address) is
     * logged and thrown, so Temporal retries it with the workflow's backoff. Sent once: an event
     * already delivered to this endpoint (a retry after a lost answer) is not sent again.
     */
    async deliverWebhookEvent(input: {
      endpointId: string;
      eventId: string;
    }): Promise<WebhookDeliveryOutcome> {
      const endpoint = await getWebhookEndpoint(deps.db, input.endpointId);
      if (!endpoint) return 'gone';
      if (endpoint.status !== 'enabled') return 'skipped';
      if (await wasDelivered(deps.db, endpoint.id, input.eventId)) return 'delivered';
      const event = await getWebhookEvent(deps.db, input.eventId);
      if (!event) throw ApplicationFailure.nonRetryable(`no webhook event ${input.eventId}`);
      const response = await sendWebhook(
        endpoint,
        { id: event.id, timestamp: new Date(), body: deliveryBody(event) },
        policy,
      );
      await recordWebhookAttempt(deps.db, {
        endpointId: endpoint.id,
        eventId: event.id,
        trigger: 'delivery',
        ...response,
      });
      if (!response.succeeded) {
        throw ApplicationFailure.retryable(
          `${endpoint.url} answered ${response.error ?? 'badly'}`,
          'WebhookDeliveryFailed',
        );
      }
      return 'delivered';
    },

    /** Pauses the endpoint (once) and emails the operator, when the config names one. */
    async pauseFailingWebhookEndpoint(input: {
      endpointId: string;
      eventId: string;
      reason: string;
    }): Promise<void> {
      const paused = await pauseWebhookEndpoint(deps.db, input.endpointId, input.reason);
      const to = deps.webhooks?.operatorEmail;
      const endpoint = await getWebhookEndpoint(deps.db, input.endpointId);
      if (!to || !endpoint?.paused_at) return;
      const text =
        `Billwright paused the webhook endpoint ${endpoint.id} (${endpoint.url}): ` +
        `event ${input.eventId} could not be delivered for three days (${input.reason}). ` +
        'Nothing more is sent to it until it is enabled again (PATCH /v1/webhook-endpoints/' +
        `${endpoint.id} with enabled: true); its attempts are listed at /attempts, and missed ` +
        'events can be replayed.';
      // Keyed by the pause: a retried activity emails once; a later pause emails again.
      if (paused || endpoint.status === 'paused') {
        await deps.email.send(
          {
            from: deps.emailFrom,
            to: [to],
            subject: `Webhook endpoint paused: ${endpoint.url}`,
            text,
            html: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
            tags: { kind: 'webhook_endpoint_paused' },
          },
          {
            idempotencyKey: `webhook-endpoint/${endpoint.id}/paused/${endpoint.paused_at.toISOString()}`,
          },
        );
      }
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
