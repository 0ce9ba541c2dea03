// The operator's webhook endpoints: where events go, which ones, and whether delivery runs.
import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { WebhookEndpoint, WebhookEndpointStatus } from '../database.ts';
import { newId } from '../ids.ts';
import { recordSystemAuditEvent } from './audit-events.ts';
import { olderThan, toPage } from '../pagination.ts';

export interface NewWebhookEndpoint {
  url: string;
  eventTypes: readonly string[];
  description?: string | undefined;
  status: WebhookEndpointStatus;
  secret: string;
}

export async function insertWebhookEndpoint(
  db: Db,
  input: NewWebhookEndpoint,
): Promise<WebhookEndpoint> {
  return db
    .insertInto('webhook_endpoints')
    .values({
      id: newId('we'),
      url: input.url,
      description: input.description ?? null,
      event_types: JSON.stringify(input.eventTypes),
      status: input.status,
      secret: input.secret,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getWebhookEndpoint(db: Db, id: string): Promise<WebhookEndpoint | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest first; `startingAfter` is the id of the previous page's last endpoint. */
export async function listWebhookEndpoints(
  db: Db,
  page: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: WebhookEndpoint[]; hasMore: boolean }> {
  let query = db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.startingAfter !== undefined) {
    query = query.where(olderThan('webhook_endpoints', page.startingAfter));
  }
  return toPage(await query.execute(), page.limit);
}

/** The enabled endpoints, for the dispatcher. */
export async function enabledWebhookEndpoints(db: Db): Promise<WebhookEndpoint[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('status', '=', 'enabled').execute();
}

export async function updateWebhookEndpoint(
  db: Db,
  id: string,
  change: {
    url?: string | undefined;
    eventTypes?: readonly string[] | undefined;
    description?: string | null | undefined;
    status?: WebhookEndpointStatus | undefined;
    secret?: string | undefined;
  },
): Promise<WebhookEndpoint | undefined> {
  return db
    .updateTable('webhook_endpoints')
    .set({
      updated_at: sql<Date>`now()`,
      ...(change.url !== undefined && { url: change.url }),
      ...(change.eventTypes !== undefined && { event_types: JSON.stringify(change.eventTypes) }),
      ...(change.description !== undefined && { description: change.description }),
      ...(change.secret !== undefined && { secret: change.secret }),
      ...(change.status !== undefined && {
        status: change.status,
        ...(change.status !== 'paused' && { paused_at: null, paused_reason: null }),
      }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Stops delivery to an endpoint that kept failing; false when it was not enabled. */
/** Pauses an enabled endpoint and audits it (actor "system") in one transaction; once. */
export async function pauseWebhookEndpoint(db: Db, id: string, reason: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const paused = await trx
      .updateTable('webhook_endpoints')
      .set({
        status: 'paused',
        paused_reason: reason,
        paused_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .where('status', '=', 'enabled')
      .executeTakeFirst();
    if (paused.numUpdatedRows === 0n) return false;
    await recordSystemAuditEvent(trx, {
      action: 'webhook_endpoint.paused',
      resourceId: id,
      changes: [
        { field: 'status', from: 'enabled', to: 'paused' },
        { field: 'pausedReason', from: null, to: reason },
      ],
    });
    return true;
  });
}

export async function deleteWebhookEndpoint(db: Db, id: string): Promise<boolean> {
  const deleted = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}
