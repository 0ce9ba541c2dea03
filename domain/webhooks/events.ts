// The catalogue of outgoing webhook events: every type the platform emits today, and what turns
// an invoice's change of status into them. Pure: the repositories that make a change record its
// events in their own transaction (db/repositories/webhook-events.ts).

/** Every event type the platform emits, in the order of docs/WEBHOOKS.md. */
export const WEBHOOK_EVENT_TYPES = [
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.overdue',
  'payment.succeeded',
  'payment.refunded',

  'payment.failed',
  'credit_note.created',
  'subscription.created',
  'subscription.updated',
  'subscription.paused',
  'subscription.resumed',
  'subscription.canceled',
  'subscription.renewed',
  'collection.step_sent',
  'project.milestone_approved',
  'project.milestone_rejected',
  'quote.accepted',
  'quote.declined',
  'quote.expired',
  'spend_alert.triggered',
  'spend_alert.resolved',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What an endpoint subscribes to: event types, or '*' for all of them (today's and later ones). */
export type WebhookEventFilter = WebhookEventType | '*';

export function isWebhookEventType(type: string): type is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
}

export function subscribesTo(filter: readonly string[], type: string): boolean {
  return filter.includes('*') || filter.includes(type);
}

/**
 * The events an invoice's change of status means, in order: a draft becoming open is
 * finalized; one becoming paid at once (a zero total) is finalized, then paid.
 */
export function invoiceEventsOf(before: string, after: string): WebhookEventType[] {
  if (before === after) return [];
  const events: WebhookEventType[] = [];
  if (before === 'draft') events.push('invoice.finalized');
  if (after === 'paid') events.push('invoice.paid');
  if (after === 'void') events.push('invoice.voided');
  if (after === 'uncollectible') events.push('invoice.marked_uncollectible');
  return events;
}

/** The subscription event a lifecycle transition emits (none for past_due and the like). */
export function subscriptionEventOf(from: string | null, to: string): WebhookEventType | null {
  if (to === 'paused') return 'subscription.paused';
  if (to === 'canceled') return 'subscription.canceled';
  if (from === 'paused') return 'subscription.resumed';
  return null;
}

/** The project event a recorded project change emits: a milestone's approval or rejection. */
export function projectEventOf(kind: string): WebhookEventType | null {
  if (kind === 'milestone_approved') return 'project.milestone_approved';
  if (kind === 'milestone_rejected') return 'project.milestone_rejected';
  return null;
}

/** A record as events carry it: its columns in camelCase, instants as ISO 8601 strings. */
export function eventObjectOf(kind: string, row: object): Record<string, unknown> {
  const object: Record<string, unknown> = { object: kind };
  for (const [key, value] of Object.entries(row)) {
    const name = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    object[name] = value instanceof Date ? value.toISOString() : value;
  }
  return object;
}

/** The JSON body of a delivery, per the Standard Webhooks payload structure. */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: { object: Record<string, unknown> };
}

/**
 * The body every delivery of an event sends, replays included: the recorded type and object,
 * stamped with when the event happened.
 */
export function deliveryBody(event: { payload: unknown; created_at: Date }): string {
  const payload = event.payload as Omit<WebhookPayload, 'timestamp'>;
  const body: WebhookPayload = {
    type: payload.type,
    timestamp: event.created_at.toISOString(),
    data: payload.data,
  };
  return JSON.stringify(body);
}
