// API keys: the plaintext is shown once at creation; only its SHA-256 is stored, so a leaked
// table leaks no working key. A key is a lookup by hash, never a scan.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../connect.ts';
import { newId } from '../ids.ts';

export interface ApiKeyIdentity {
  id: string;
  name: string;
}

export const API_KEY_PREFIX = 'bw_live_';

export function hashApiKey(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** A new random key (`bw_live_` + 32 base64url characters, 192 bits). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(24).toString('base64url');
}

export async function createApiKey(db: Db, name: string): Promise<{ id: string; key: string }> {
  const key = generateApiKey();
  const id = newId('key');
  await db
    .insertInto('api_keys')
    .values({ id, name, key_hash: hashApiKey(key) })
    .execute();
  return { id, key };
}

/** The key's identity when it exists and is not revoked. */
export async function findActiveApiKey(
  db: Db,
  plaintext: string,
): Promise<ApiKeyIdentity | undefined> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name'])
    .where('key_hash', '=', hashApiKey(plaintext))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Registers a known plaintext key (the development key `npm start` prints) once; later calls
 * return the same row. A revoked key stays revoked.
 */
export async function ensureApiKey(
  db: Db,
  name: string,
  plaintext: string,
): Promise<{ id: string }> {
  const keyHash = hashApiKey(plaintext);
  await db
    .insertInto('api_keys')
    .values({ id: newId('key'), name, key_hash: keyHash })
    .onConflict((oc) => oc.column('key_hash').doNothing())
    .execute();
  return db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', keyHash)
    .executeTakeFirstOrThrow();
}

let localRevocations = 0;

/**
 * How many keys this process has revoked: a cache of identities (api/plugins/auth.ts) drops
 * its entries when this changes, so a revocation made in the serving process applies at once.
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
