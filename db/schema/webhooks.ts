// Outgoing webhooks: the operator's endpoints, the events the platform emitted (written in the
// transaction of the change that caused them) and every delivery attempt.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, NullableTimestamp } from './columns.ts';

export type WebhookEndpointStatus = 'enabled' | 'disabled' | 'paused';

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string | null;
  /** Event types subscribed, or ['*'] for all. */
  event_types: ColumnType<string[], string, string>;
  status: WebhookEndpointStatus;
  /** whsec_…: shown once on create and rotate, never answered again. */
  secret: string;
  /** Why delivery stopped, when the endpoint is paused after failing for three days. */
  paused_reason: string | null;
  paused_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface WebhookEventsTable {
  /** evt_…: the webhook-id header of every delivery of this event, replays included. */
  id: string;
  /** Commit order within an object: the dispatcher signals in this order. */
  seq: Generated<number>;
  type: string;
  /** The record the event is about (inv_…, pay_…, cn_…, sub_…): deliveries keep its order. */
  object_id: string;
  payload: ColumnType<unknown, string, never>;
  created_at: CreatedAt;
  /** When the dispatcher handed it to every subscribed endpoint's workflow. */
  dispatched_at: NullableTimestamp;
}

export interface WebhookAttemptsTable {
  id: Generated<string>;
  endpoint_id: string;
  event_id: string;
  /** 'delivery' (the workflow) or 'replay' (asked through the API). */
  trigger: string;
  status_code: number | null;
  duration_ms: number;
  response_excerpt: string | null;
  error: string | null;
  succeeded: boolean;
  attempted_at: CreatedAt;
}

export type WebhookEndpoint = Selectable<WebhookEndpointsTable>;
export type WebhookEvent = Selectable<WebhookEventsTable>;
export type WebhookAttempt = Selectable<WebhookAttemptsTable>;
