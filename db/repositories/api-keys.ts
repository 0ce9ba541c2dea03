// API keys: the plaintext is shown once at creation (and at each rotation); only its SHA-256 is
// stored, so a leaked table leaks no working key. A key is a lookup by hash, never a scan.
// A rotation keeps the key's id (the actor in audit records, the owner of idempotency keys) and
// gives it a new secret; the previous secret keeps working until its overlap window closes.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import { newId } from '../ids.ts';
import { olderThan, toPage } from '../pagination.ts';

/** What a key may do: read (GET), write (other changes), admin (destructive, keys, test clocks). */
export type ApiScope = 'read' | 'write' | 'admin';
export const API_SCOPES: readonly ApiScope[] = ['read', 'write', 'admin'];

/** admin includes write, write includes read. */
const SCOPE_RANK: Record<ApiScope, number> = { read: 0, write: 1, admin: 2 };

/** Whether a key with `scopes` may do what needs `needed`. */
export function grants(scopes: readonly ApiScope[], needed: ApiScope): boolean {
  return scopes.some((s) => SCOPE_RANK[s] >= SCOPE_RANK[needed]);
}

export interface ApiKeyIdentity {
  id: string;
  name: string;
  scopes: ApiScope[];
}

export interface ApiKeyRecord extends ApiKeyIdentity {
  createdBy: string | null;
  createdAt: Date;
  rotatedAt: Date | null;
  /** Until when the secret before the last rotation still works (null: it does not). */
  previousSecretExpiresAt: Date | null;
  revokedAt: Date | null;
}

export const API_KEY_PREFIX = 'bw_live_';

export function hashApiKey(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** A new random key (`bw_live_` + 32 base64url characters, 192 bits). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(24).toString('base64url');
}

/**
 * A new key. Without scopes it may do everything: the bootstrap key an operator creates from a
 * shell to make the others through `POST /v1/api-keys`.
 */
export async function createApiKey(
  db: Db,
  name: string,
  scopes: readonly ApiScope[] = API_SCOPES,
  createdBy?: string,
): Promise<{ id: string; key: string }> {
  const key = generateApiKey();
  const id = newId('key');
  await db
    .insertInto('api_keys')
    .values({
      id,
      name,
      key_hash: hashApiKey(key),
      scopes: [...scopes],
      created_by: createdBy ?? null,
    })
    .execute();
  return { id, key };
}

/**
 * The key's identity when the secret is its current one, or its previous one still in overlap
 * (then `secretExpiresAt` says until when).
 */
export async function findActiveApiKey(
  db: Db,
  plaintext: string,
  now: Date = new Date(),
): Promise<(ApiKeyIdentity & { secretExpiresAt: Date | null }) | undefined> {
  const hash = hashApiKey(plaintext);
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'scopes', 'key_hash', 'previous_expires_at'])
    .where('revoked_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('key_hash', '=', hash),
        eb.and([eb('previous_key_hash', '=', hash), eb('previous_expires_at', '>', now)]),
      ]),
    )
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      name: row.name,
      scopes: row.scopes as ApiScope[],
      secretExpiresAt: row.key_hash === hash ? null : row.previous_expires_at,
    }
  );
}

/**
 * Registers a known plaintext key (the development key `npm start` prints) once, with every
 * scope; later calls return the same row. A revoked key stays revoked.
 */
export async function ensureApiKey(
  db: Db,
  name: string,
  plaintext: string,
): Promise<{ id: string }> {
  const keyHash = hashApiKey(plaintext);
  await db
    .insertInto('api_keys')
    .values({ id: newId('key'), name, key_hash: keyHash, scopes: [...API_SCOPES] })
    .onConflict((oc) => oc.column('key_hash').doNothing())
    .execute();
  return db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', keyHash)
    .executeTakeFirstOrThrow();
}

function toRecord(row: {
  id: string;
  name: string;
  scopes: string[];
  created_by: string | null;
  created_at: Date;
  rotated_at: Date | null;
  previous_expires_at: Date | null;
  revoked_at: Date | null;
}): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as ApiScope[],
    createdBy: row.created_by,
    createdAt: row.created_at,
    rotatedAt: row.rotated_at,
    previousSecretExpiresAt: row.previous_expires_at,
    revokedAt: row.revoked_at,
  };
}

const RECORD_COLUMNS = [
  'id',
  'name',
  'scopes',
  'created_by',
  'created_at',
  'rotated_at',
  'previous_expires_at',
  'revoked_at',
] as const;

export async function getApiKey(db: Db, id: string): Promise<ApiKeyRecord | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(RECORD_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** Newest first; `startingAfter` is the id of the previous page's last key. */
export async function listApiKeys(
  db: Db,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: ApiKeyRecord[]; hasMore: boolean }> {
  let query = db
    .selectFrom('api_keys')
    .select(RECORD_COLUMNS)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.startingAfter !== undefined)
    query = query.where(olderThan('api_keys', options.startingAfter));
  const page = toPage(await query.execute(), options.limit);
  return { items: page.items.map(toRecord), hasMore: page.hasMore };
}

let localRevocations = 0;

/**
 * How many keys this process has revoked or rotated: a cache of identities (api/plugins/auth.ts)
 * drops its entries when this changes, so a revocation made in the serving process applies at
 * once.
 */
export function apiKeyRevocationCount(): number {
  return localRevocations;
}

export async function revokeApiKey(db: Db, id: string, at: Date = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  localRevocations++; // after the update: a lookup that began before it is not cached
  return result.numUpdatedRows > 0n;
}

/**
 * Gives an active key a new secret; the current one keeps working until `at + overlapMs` (0: it
 * stops at once). A secret older than the current one stops now. Undefined when the key does not
 * exist or is revoked.
 */
export async function rotateApiKey(
  db: Db,
  id: string,
  overlapMs: number,
  at: Date = new Date(),
): Promise<{ key: string; record: ApiKeyRecord } | undefined> {
  const key = generateApiKey();
  const row = await db
    .updateTable('api_keys')
    .set({
      previous_key_hash: overlapMs > 0 ? sql<string>`key_hash` : null,
      previous_expires_at: overlapMs > 0 ? new Date(at.getTime() + overlapMs) : null,
      key_hash: hashApiKey(key),
      rotated_at: at,
    })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning(RECORD_COLUMNS)
    .executeTakeFirst();
  localRevocations++;
  return row && { key, record: toRecord(row) };
}
