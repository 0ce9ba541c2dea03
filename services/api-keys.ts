// API keys: created with their scopes (the secret is shown once), revoked at once, or rotated
// with an overlap window in which the old secret still works, so clients can be redeployed
// without an outage.
import * as apiKeys from '../db/repositories/api-keys.ts';
import type { ApiKeyRecord, ApiScope } from '../db/repositories/api-keys.ts';
import type { PageRequest, ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';

/** The default overlap of a rotation: a day to redeploy the clients with the new secret. */
export const DEFAULT_ROTATION_OVERLAP_HOURS = 24;

/** A key with its secret: the one time the secret is shown. */
export interface IssuedApiKey {
  key: string;
  record: ApiKeyRecord;
}

export async function createApiKey(
  deps: ServiceDependencies,
  order: { name: string; scopes: readonly ApiScope[]; createdBy: string },
): Promise<IssuedApiKey> {
  const { id, key } = await apiKeys.createApiKey(
    deps.db,
    order.name,
    order.scopes,
    order.createdBy,
  );
  return { key, record: (await apiKeys.getApiKey(deps.db, id))! };
}

export function listApiKeys(deps: ServiceDependencies, page: PageRequest) {
  return apiKeys.listApiKeys(deps.db, page);
}

/** Revokes the key at once; refused when there is no such key or it is already revoked. */
export async function revokeApiKey(deps: ServiceDependencies, id: string): Promise<ApiKeyRecord> {
  const revoked = await apiKeys.revokeApiKey(deps.db, id);
  const record = await apiKeys.getApiKey(deps.db, id);
  if (!record) throw new Refused('not_found', `No API key has the id ${id}.`);
  if (!revoked) throw new Refused('conflict', `The API key ${id} is already revoked.`);
  return record;
}

/** A new secret for the key; the old one works `overlapHours` more. Refused for a revoked key. */
export async function rotateApiKey(
  deps: ServiceDependencies,
  id: string,
  overlapHours = DEFAULT_ROTATION_OVERLAP_HOURS,
): Promise<IssuedApiKey> {
  const rotated = await apiKeys.rotateApiKey(deps.db, id, overlapHours * 3_600_000);
  if (rotated) return rotated;
  if (!(await apiKeys.getApiKey(deps.db, id)))
    throw new Refused('not_found', `No API key has the id ${id}.`);
  throw new Refused('conflict', `The API key ${id} is revoked: create a new one.`);
}
