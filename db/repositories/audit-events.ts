// The audit trail: who (the key, and the operator it named) changed what, when. One row per
// successful API change, written before the answer is sent, and one per change Billwright makes
// on its own (actor "system", e.g. a failing webhook endpoint paused by its worker, written in
// the change's transaction); read through GET /v1/audit-events.
import type { Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { AuditActor, AuditChange, Database } from '../database.ts';

export interface AuditEvent {
  id: string;
  actor: AuditActor;
  /** The request's key; null for the system. */
  apiKeyId: string | null;
  operator: string | null;
  /** The route's action, e.g. "POST /v1/invoices/:id/void", or the system's, e.g. "webhook_endpoint.paused". */
  action: string;
  method: string | null;
  path: string | null;
  /** The id (or code) in the path, when the route names one; what the system changed. */
  resourceId: string | null;
  status: number | null;
  /** The fields the change set, when its route recorded them. */
  changes: AuditChange[] | null;
  occurredAt: Date;
}

export async function recordAuditEvent(
  db: Db,
  event: {
    apiKeyId: string;
    operator: string | null;
    action: string;
    method: string;
    path: string;
    resourceId: string | null;
    status: number;
    changes?: AuditChange[] | undefined;
  },
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      actor: 'api_key',
      api_key_id: event.apiKeyId,
      operator: event.operator,
      action: event.action,
      method: event.method,
      path: event.path,
      resource_id: event.resourceId,
      status: event.status,
      changes: event.changes ? JSON.stringify(event.changes) : null,
    })
    .execute();
}

/** A change Billwright made on its own, written in the caller's transaction (the change's). */
export async function recordSystemAuditEvent(
  trx: Transaction<Database>,
  event: { action: string; resourceId: string; changes: AuditChange[] },
): Promise<void> {
  await trx
    .insertInto('audit_events')
    .values({
      actor: 'system',
      operator: null,
      action: event.action,
      resource_id: event.resourceId,
      changes: JSON.stringify(event.changes),
    })
    .execute();
}

/** Newest first; `startingAfter` is the id of the previous page's last event. */
export async function listAuditEvents(
  db: Db,
  options: {
    limit: number;
    startingAfter?: string | undefined;
    apiKeyId?: string | undefined;
    resourceId?: string | undefined;
  },
): Promise<{ items: AuditEvent[]; hasMore: boolean }> {
  let query = db
    .selectFrom('audit_events')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.startingAfter !== undefined) {
    if (!/^[0-9]{1,18}$/.test(options.startingAfter)) return { items: [], hasMore: false };
    query = query.where('id', '<', options.startingAfter);
  }
  if (options.apiKeyId !== undefined) query = query.where('api_key_id', '=', options.apiKeyId);
  if (options.resourceId !== undefined) query = query.where('resource_id', '=', options.resourceId);
  const rows = await query.execute();
  return {
    items: rows.slice(0, options.limit).map((r) => ({
      id: String(r.id),
      actor: r.actor,
      apiKeyId: r.api_key_id,
      operator: r.operator,
      action: r.action,
      method: r.method,
      path: r.path,
      resourceId: r.resource_id,
      status: r.status,
      changes: r.changes,
      occurredAt: r.occurred_at,
    })),
    hasMore: rows.length > options.limit,
  };
}
