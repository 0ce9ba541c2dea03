// The audit trail of the API: who (the key, and the operator it named) changed what, when. One
// row per successful change, written before the answer is sent; read through GET /v1/audit-events.
import type { Db } from '../connect.ts';
import type { AuditChange } from '../database.ts';

export interface AuditEvent {
  id: string;
  apiKeyId: string;
  operator: string | null;
  /** The route's action, e.g. "POST /v1/invoices/:id/void". */
  action: string;
  method: string;
  path: string;
  /** The id (or code) in the path, when the route names one. */
  resourceId: string | null;
  status: number;
  /** The fields the change set, when its route recorded them. */
  changes: AuditChange[] | null;
  occurredAt: Date;
}

export async function recordAuditEvent(
  db: Db,
  event: Omit<AuditEvent, 'id' | 'occurredAt' | 'changes'> & {
    changes?: AuditChange[] | undefined;
  },
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
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
