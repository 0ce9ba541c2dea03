// Bearer API keys on every route of the scope this plugin is registered in (/v1): a missing,
// unknown or revoked key is a 401 problem with a WWW-Authenticate challenge. The OpenAPI
// document learns the security requirement and the 401 response from the same plugin.
import type { RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import {
  apiKeyRevocationCount,
  findActiveApiKey,
  hashApiKey,
  type ApiKeyIdentity,
} from '../../db/repositories/api-keys.ts';
import type { Db } from '../../db/connect.ts';
import { unauthorized } from '../problem.ts';
import { problemResponse } from '../schemas/common.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's key. Set on every authenticated (/v1) route before any handler runs. */
    apiKey: ApiKeyIdentity;
  }
}

export const BEARER_SCHEME = 'bearerAuth';

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

/**
 * Active keys found in the last API_KEY_CACHE_TTL_MS, by the SHA-256 of the key (never the
 * plaintext): a batch of usage events would otherwise pay one query per request for its key.
 * Only found keys are cached, so a new key works at once; a revocation made by another process
 * takes effect within the TTL (one made in this process, at once: see apiKeyRevocationCount).
 */
export const API_KEY_CACHE_TTL_MS = 30_000;
const API_KEY_CACHE_MAX = 1_000;

function apiKeyCache() {
  const entries = new Map<string, { identity: ApiKeyIdentity; expires: number }>();
  let revocations = apiKeyRevocationCount();
  return async (db: Db, plaintext: string): Promise<ApiKeyIdentity | undefined> => {
    const now = Date.now();
    if (revocations !== apiKeyRevocationCount()) {
      revocations = apiKeyRevocationCount();
      entries.clear();
    }
    const hash = hashApiKey(plaintext);
    const hit = entries.get(hash);
    if (hit && hit.expires > now) return hit.identity;
    const seen = revocations;
    const identity = await findActiveApiKey(db, plaintext);
    if (identity === undefined) entries.delete(hash);
    else if (seen === apiKeyRevocationCount()) {
      if (entries.size >= API_KEY_CACHE_MAX) entries.clear();
      entries.set(hash, { identity, expires: now + API_KEY_CACHE_TTL_MS });
    }
    return identity;
  };
}

function documentSecurity(route: RouteOptions): void {
  const schema = route.schema as Record<string, unknown> | undefined;
  if (!schema) return;
  schema.security ??= [{ [BEARER_SCHEME]: [] }];
  const response = (schema.response ??= {}) as Record<string, unknown>;
  response['401'] ??= problemResponse('Missing, unknown or revoked API key.');
}

export default fp(
  (app, _options, done) => {
    const findKey = apiKeyCache();
    app.decorateRequest('apiKey', null as unknown as ApiKeyIdentity);
    app.addHook('onRoute', documentSecurity);
    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      if (!header) throw unauthorized('Send an API key: Authorization: Bearer <key>.');
      const match = BEARER.exec(header);
      if (!match?.[1])
        throw unauthorized('The Authorization header must be "Bearer <key>".', 'invalid_token');
      const key = await findKey(app.db, match[1]);
      if (!key) throw unauthorized('The API key is unknown or revoked.', 'invalid_token');
      request.apiKey = key;
    });
    done();
  },
  { name: 'billwright-auth', fastify: '5.x', dependencies: ['billwright-database'] },
);
