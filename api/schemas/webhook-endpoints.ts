// The webhook endpoint routes' request and response shapes: an endpoint (never its secret after
// the answer that made it), its delivery attempts.
import { Type } from 'typebox';
import type { WebhookAttempt, WebhookEndpoint } from '../../db/database.ts';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhooks/events.ts';
import type { WebhookResponse } from '../../webhooks/sender.ts';
import { iso, NullableTimestamp, Timestamp } from './common.ts';

const EventType = Type.Enum(['*', ...WEBHOOK_EVENT_TYPES], {
  description: 'An event type of docs/WEBHOOKS.md, or * for every type (later ones included).',
});

const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  description:
    'Where events are POSTed: https, on a public address (private, loopback, link-local and ' +
    'reserved addresses are refused unless BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE=on).',
  examples: ['https://hooks.example.com/billwright'],
});

export const WebhookEndpointSchema = Type.Object(
  {
    id: Type.String({ examples: ['we_abcdefghijklmnopqrst'] }),
    url: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    eventTypes: Type.Array(EventType),
    status: Type.Enum(['enabled', 'disabled', 'paused'], {
      description: 'paused: delivery failed for three days; PATCH enabled: true resumes it.',
    }),
    pausedReason: Type.Union([Type.String(), Type.Null()]),
    pausedAt: NullableTimestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'WebhookEndpoint', title: 'WebhookEndpoint' },
);

export const WebhookEndpointWithSecret = Type.Object(
  {
    secret: Type.String({
      description: 'The signing secret (whsec_…): shown this once, never again.',
    }),
    endpoint: Type.Ref('WebhookEndpoint'),
  },
  { description: 'The endpoint and its signing secret.' },
);

export const CreateWebhookEndpointBody = Type.Object(
  {
    url: Url,
    eventTypes: Type.Array(EventType, { minItems: 1, maxItems: 50, uniqueItems: true }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

export const UpdateWebhookEndpointBody = Type.Object(
  {
    url: Type.Optional(Url),
    eventTypes: Type.Optional(
      Type.Array(EventType, { minItems: 1, maxItems: 50, uniqueItems: true }),
    ),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    enabled: Type.Optional(
      Type.Boolean({ description: 'false disables; true enables, or resumes a paused endpoint.' }),
    ),
  },
  { additionalProperties: false },
);

export const AttemptsQuery = Type.Object(
  {
    eventId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

export const EventParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  eventId: Type.String({ minLength: 1, maxLength: 64 }),
});

export const WebhookAttemptSchema = Type.Object(
  {
    eventId: Type.String(),
    trigger: Type.Enum(['delivery', 'replay']),
    statusCode: Type.Union([Type.Integer(), Type.Null()]),
    durationMs: Type.Integer(),
    responseExcerpt: Type.Union([Type.String(), Type.Null()], {
      description: 'The first 1,000 characters of the answer.',
    }),
    error: Type.Union([Type.String(), Type.Null()]),
    succeeded: Type.Boolean(),
    attemptedAt: Timestamp,
  },
  { $id: 'WebhookAttempt', title: 'WebhookAttempt' },
);

export const ReplayResult = Type.Object(
  {
    succeeded: Type.Boolean(),
    statusCode: Type.Union([Type.Integer(), Type.Null()]),
    durationMs: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { description: 'What the receiver answered to the replay (also listed in the attempts).' },
);

export function toWebhookEndpoint(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.event_types as ('*' | (typeof WEBHOOK_EVENT_TYPES)[number])[],
    status: endpoint.status,
    pausedReason: endpoint.paused_reason,
    pausedAt: iso(endpoint.paused_at),
    createdAt: iso(endpoint.created_at),
    updatedAt: iso(endpoint.updated_at),
  };
}

export function toWebhookAttempt(attempt: WebhookAttempt) {
  return {
    eventId: attempt.event_id,
    trigger: attempt.trigger as 'delivery' | 'replay',
    statusCode: attempt.status_code,
    durationMs: attempt.duration_ms,
    responseExcerpt: attempt.response_excerpt,
    error: attempt.error,
    succeeded: attempt.succeeded,
    attemptedAt: iso(attempt.attempted_at),
  };
}

export function toReplayResult(response: WebhookResponse) {
  return {
    succeeded: response.succeeded,
    statusCode: response.statusCode,
    durationMs: response.durationMs,
    error: response.error,
  };
}
