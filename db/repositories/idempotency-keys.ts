// Idempotency keys, scoped per API key. A request claims its key with one insert that does
// nothing on conflict, so of two concurrent requests exactly one owns the key; the owner later
// stores its response (or releases the key when it failed on our side).
import { sql } from 'kysely';
import type { Db } from '../connect.ts';

export interface IdempotentRequest {
  apiKeyId: string;
  key: string;
  method: string;
  path: string;
  /** SHA-256 of the canonical request body. */
  requestHash: string;
}

export interface StoredIdempotentRequest {
  method: string;
  path: string;
  requestHash: string;
}

export type IdempotencyClaim =
  | { outcome: 'claimed' }
  | { outcome: 'in-progress'; stored: StoredIdempotentRequest }
  | {
      outcome: 'completed';
      stored: StoredIdempotentRequest;
      response: { statusCode: number; body: string };
    };

/**
 * Claims `request.key` for this request, or reports who holds it. A claim left in progress for
 * longer than `staleAfterMs` (its process died before answering) is taken over by the same
 * request, so a crash never blocks a key forever.
 */
export async function claimIdempotencyKey(
  db: Db,
  request: IdempotentRequest,
  staleAfterMs: number,
): Promise<IdempotencyClaim> {
  // A few rounds at most: the row can be released between our insert and our read.
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({
        api_key_id: request.apiKeyId,
        key: request.key,
        method: request.method,
        path: request.path,
        request_hash: request.requestHash,
      })
      .onConflict((oc) => oc.columns(['api_key_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return { outcome: 'claimed' };

    // created_at is insert-only in the table types; restarting the claim's clock is the one
    // exception, so it is written in SQL.
    const takenOver = await sql<{ key: string }>`
      update idempotency_keys set created_at = now()
      where api_key_id = ${request.apiKeyId} and key = ${request.key}
        and method = ${request.method} and path = ${request.path}
        and request_hash = ${request.requestHash} and status_code is null
        and created_at < now() - make_interval(secs => ${staleAfterMs / 1000})
      returning key`.execute(db);
    if (takenOver.rows.length > 0) return { outcome: 'claimed' };

    const row = await db
      .selectFrom('idempotency_keys')
      .select(['method', 'path', 'request_hash', 'status_code', 'response_body'])
      .where('api_key_id', '=', request.apiKeyId)
      .where('key', '=', request.key)
      .executeTakeFirst();
    if (!row) continue;
    const stored = { method: row.method, path: row.path, requestHash: row.request_hash };
    if (row.status_code === null || row.response_body === null)
      return { outcome: 'in-progress', stored };
    return {
      outcome: 'completed',
      stored,
      response: { statusCode: row.status_code, body: row.response_body },
    };
  }
  throw new Error(`idempotency key ${request.key} kept changing hands`);
}

export async function completeIdempotencyKey(
  db: Db,
  id: { apiKeyId: string; key: string },
  response: { statusCode: number; body: string },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({
      status_code: response.statusCode,
      response_body: response.body,
      completed_at: sql<Date>`now()`,
    })
    .where('api_key_id', '=', id.apiKeyId)
    .where('key', '=', id.key)
    .where('status_code', 'is', null)
    .execute();
}

/** Frees a claimed key whose request failed on our side, so the client may retry it. */
export async function releaseIdempotencyKey(
  db: Db,
  id: { apiKeyId: string; key: string },
): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('api_key_id', '=', id.apiKeyId)
    .where('key', '=', id.key)
    .where('status_code', 'is', null)
    .execute();
}
