// Outgoing webhook endpoints: registered with a URL that must reach the public internet (SSRF),
// the event types they want and a signing secret made here and shown once; their attempts listed,
// and an event re-sent on request with its original webhook-id.
import { randomBytes } from 'node:crypto';
import type { WebhookEndpoint, WebhookEndpointStatus } from '../db/database.ts';
import * as attempts from '../db/repositories/webhook-attempts.ts';
import * as endpoints from '../db/repositories/webhook-endpoints.ts';
import { getWebhookEvent } from '../db/repositories/webhook-events.ts';
import { deliveryBody, type WebhookEventFilter } from '../domain/webhooks/events.ts';
import {
  resolveWebhookUrl,
  sendWebhook,
  UnsafeWebhookUrlError,
  type WebhookNetworkPolicy,
  type WebhookResponse,
} from '../webhooks/sender.ts';
import type { PageRequest, ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';

/** An endpoint with its secret: the one time the secret is shown (create, rotate). */
export interface IssuedWebhookEndpoint {
  secret: string;
  endpoint: WebhookEndpoint;
}

/** whsec_ and 32 random bytes in base64: the Standard Webhooks secret format. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

async function checkedUrl(url: string, policy: WebhookNetworkPolicy): Promise<string> {
  try {
    return (await resolveWebhookUrl(url, policy)).url.toString();
  } catch (error) {
    if (error instanceof UnsafeWebhookUrlError) {
      throw new Refused('unprocessable', `url ${error.message}`, { field: 'url' });
    }
    throw error;
  }
}

export async function createWebhookEndpoint(
  deps: ServiceDependencies,
  policy: WebhookNetworkPolicy,
  order: {
    url: string;
    eventTypes: readonly WebhookEventFilter[];
    description?: string | undefined;
    enabled?: boolean | undefined;
  },
): Promise<IssuedWebhookEndpoint> {
  const secret = newSecret();
  const endpoint = await endpoints.insertWebhookEndpoint(deps.db, {
    url: await checkedUrl(order.url, policy),
    eventTypes: order.eventTypes,
    description: order.description,
    status: order.enabled === false ? 'disabled' : 'enabled',
    secret,
  });
  return { secret, endpoint };
}

/** Newest first. */
export function listWebhookEndpoints(deps: ServiceDependencies, page: PageRequest) {
  return endpoints.listWebhookEndpoints(deps.db, page);
}

export async function webhookEndpoint(
  deps: ServiceDependencies,
  id: string,
): Promise<WebhookEndpoint> {
  const endpoint = await endpoints.getWebhookEndpoint(deps.db, id);
  if (!endpoint) throw new Refused('not_found', `No webhook endpoint has the id ${id}.`);
  return endpoint;
}

/** Changes an endpoint; `enabled: true` also resumes one paused after failing. */
export async function updateWebhookEndpoint(
  deps: ServiceDependencies,
  policy: WebhookNetworkPolicy,
  id: string,
  change: {
    url?: string | undefined;
    eventTypes?: readonly WebhookEventFilter[] | undefined;
    description?: string | null | undefined;
    enabled?: boolean | undefined;
  },
): Promise<WebhookEndpoint> {
  await webhookEndpoint(deps, id);
  const status: WebhookEndpointStatus | undefined =
    change.enabled === undefined ? undefined : change.enabled ? 'enabled' : 'disabled';
  const updated = await endpoints.updateWebhookEndpoint(deps.db, id, {
    url: change.url === undefined ? undefined : await checkedUrl(change.url, policy),
    eventTypes: change.eventTypes,
    description: change.description,
    status,
  });
  if (!updated) throw new Refused('not_found', `No webhook endpoint has the id ${id}.`);
  return updated;
}

export async function deleteWebhookEndpoint(deps: ServiceDependencies, id: string): Promise<void> {
  if (!(await endpoints.deleteWebhookEndpoint(deps.db, id))) {
    throw new Refused('not_found', `No webhook endpoint has the id ${id}.`);
  }
}

/** A new secret at once; the old one stops signing from the next delivery. */
export async function rotateWebhookEndpointSecret(
  deps: ServiceDependencies,
  id: string,
): Promise<IssuedWebhookEndpoint> {
  const secret = newSecret();
  const endpoint = await endpoints.updateWebhookEndpoint(deps.db, id, { secret });
  if (!endpoint) throw new Refused('not_found', `No webhook endpoint has the id ${id}.`);
  return { secret, endpoint };
}

export async function listWebhookAttempts(
  deps: ServiceDependencies,
  id: string,
  filter: { eventId?: string | undefined; limit: number },
) {
  await webhookEndpoint(deps, id);
  return attempts.listWebhookAttempts(deps.db, id, filter);
}

/** Sends the event to the endpoint again now, with its webhook-id, and records the attempt. */
export async function replayWebhookEvent(
  deps: ServiceDependencies,
  policy: WebhookNetworkPolicy,
  endpointId: string,
  eventId: string,
): Promise<WebhookResponse> {
  const endpoint = await webhookEndpoint(deps, endpointId);
  const event = await getWebhookEvent(deps.db, eventId);
  if (!event) throw new Refused('not_found', `No webhook event has the id ${eventId}.`);
  const response = await sendWebhook(
    endpoint,
    { id: event.id, timestamp: new Date(), body: deliveryBody(event) },
    policy,
  );
  await attempts.recordWebhookAttempt(deps.db, {
    endpointId,
    eventId,
    trigger: 'replay',
    ...response,
  });
  return response;
}
