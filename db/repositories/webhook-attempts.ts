// Every attempt to deliver a webhook event to an endpoint: what the receiver answered and how long
// it took, or why no answer came.
import type { Db } from '../connect.ts';
import type { WebhookAttempt } from '../database.ts';

export interface NewWebhookAttempt {
  endpointId: string;
  eventId: string;
  trigger: 'delivery' | 'replay';
  statusCode: number | null;
  durationMs: number;
  excerpt: string | null;
  error: string | null;
  succeeded: boolean;
}

export async function recordWebhookAttempt(db: Db, attempt: NewWebhookAttempt): Promise<void> {
  await db
    .insertInto('webhook_attempts')
    .values({
      endpoint_id: attempt.endpointId,
      event_id: attempt.eventId,
      trigger: attempt.trigger,
      status_code: attempt.statusCode,
      duration_ms: attempt.durationMs,
      response_excerpt: attempt.excerpt,
      error: attempt.error,
      succeeded: attempt.succeeded,
    })
    .execute();
}

/** Whether the workflow already delivered the event (a retried activity sends it once). */
export async function wasDelivered(db: Db, endpointId: string, eventId: string): Promise<boolean> {
  const row = await db
    .selectFrom('webhook_attempts')
    .select('id')
    .where('endpoint_id', '=', endpointId)
    .where('event_id', '=', eventId)
    .where('trigger', '=', 'delivery')
    .where('succeeded', '=', true)
    .executeTakeFirst();
  return row !== undefined;
}

/** An endpoint's attempts, newest first, optionally for one event. */
export async function listWebhookAttempts(
  db: Db,
  endpointId: string,
  filter: { eventId?: string | undefined; limit: number },
): Promise<WebhookAttempt[]> {
  let query = db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
  return query.execute();
}
