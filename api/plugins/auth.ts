// Bearer API keys on every route of the scope this plugin is registered in (/v1): a missing,
// unknown or revoked key is a 401 problem with a WWW-Authenticate challenge; a key without the
// scope the route declares (`config: { scope }`; default read for GET, write otherwise) is a 403
// naming it. Failed authentications are counted per client address: past the limit the address
// gets 429 without a database lookup. Unknown keys are remembered for a while (negative cache),
// so a flood of made-up keys does not reach the database. Every successful change is written to
// the audit trail (audit_events) before its answer is sent. The OpenAPI document learns the
// security requirement, the scope and the 401/403 responses from the same plugin.
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import {
  apiKeyRevocationCount,
  findActiveApiKey,
  grants,
  hashApiKey,
  type ApiKeyIdentity,
  type ApiScope,
} from '../../db/repositories/api-keys.ts';
import { recordAuditEvent } from '../../db/repositories/audit-events.ts';
import type { Db } from '../../db/connect.ts';
import type { AuditChange } from '../../db/database.ts';
import type { ApiRateLimits } from '../../config/index.ts';
import { badRequest, missingScope, tooManyRequests, unauthorized } from '../problem.ts';
import { problemResponse } from '../schemas/common.ts';
import { REPLAYED_HEADER } from './idempotency.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's key. Set on every authenticated (/v1) route before any handler runs. */
    apiKey: ApiKeyIdentity;
    /** The person the caller named in X-Operator, recorded in the audit trail beside the key. */
    operator: string | undefined;
    /** The fields the change set, when the route records them in the audit trail. */
    auditChanges: AuditChange[] | undefined;
  }
  interface FastifyContextConfig {
    /** The scope a key needs for this route; default read for GET and HEAD, admin for DELETE, write otherwise. */
    scope?: ApiScope;
  }
}

export const BEARER_SCHEME = 'bearerAuth';
export const OPERATOR_HEADER = 'x-operator';

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;
/** 1–200 characters, none of them a control character. */
const OPERATOR = /^\P{Cc}{1,200}$/u;

/** The declared scope, or the safe default: read for GET and HEAD, admin for DELETE, else write. */
export function requiredScope(method: string, declared: ApiScope | undefined): ApiScope {
  if (declared) return declared;
  if (method === 'GET' || method === 'HEAD') return 'read';
  return method === 'DELETE' ? 'admin' : 'write';
}

/**
 * Active keys found in the last API_KEY_CACHE_TTL_MS, by the SHA-256 of the key (never the
 * plaintext): a batch of usage events would otherwise pay one query per request for its key.
 * A revocation or rotation made by another process takes effect within the TTL (one made in this
 * process, at once: see apiKeyRevocationCount); a rotated-out secret is never cached past its
 * overlap.
 */
export const API_KEY_CACHE_TTL_MS = 30_000;
/** Unknown keys are remembered this long: a new key is random, so none is refused by mistake. */
export const UNKNOWN_KEY_CACHE_TTL_MS = 60_000;
const API_KEY_CACHE_MAX = 1_000;
const UNKNOWN_KEY_CACHE_MAX = 10_000;

/** A small LRU with expiry: a Map keeps insertion order, so the first entry is the oldest used. */
export class ExpiringLru<V> {
  readonly #entries = new Map<string, { value: V; expires: number }>();
  readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get(key: string, now: number): V | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    this.#entries.delete(key);
    if (hit.expires <= now) return undefined;
    this.#entries.set(key, hit);
    return hit.value;
  }
  set(key: string, value: V, expires: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expires });
  }
  delete(key: string): void {
    this.#entries.delete(key);
  }
  clear(): void {
    this.#entries.clear();
  }
}

export interface ApiKeyLookup {
  (db: Db, plaintext: string): Promise<ApiKeyIdentity | undefined>;
}

export function apiKeyCache(lookup: typeof findActiveApiKey = findActiveApiKey): ApiKeyLookup {
  const found = new ExpiringLru<ApiKeyIdentity>(API_KEY_CACHE_MAX);
  const unknown = new ExpiringLru<true>(UNKNOWN_KEY_CACHE_MAX);
  let revocations = apiKeyRevocationCount();
  return async (db, plaintext) => {
    const now = Date.now();
    if (revocations !== apiKeyRevocationCount()) {
      revocations = apiKeyRevocationCount();
      found.clear();
      unknown.clear();
    }
    const hash = hashApiKey(plaintext);
    const hit = found.get(hash, now);
    if (hit) return hit;
    if (unknown.get(hash, now)) return undefined;
    const seen = revocations;
    const key = await lookup(db, plaintext, new Date(now));
    if (seen !== apiKeyRevocationCount()) return key && identityOf(key);
    if (key === undefined) {
      unknown.set(hash, true, now + UNKNOWN_KEY_CACHE_TTL_MS);
      return undefined;
    }
    const until = Math.min(
      now + API_KEY_CACHE_TTL_MS,
      key.secretExpiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
    );
    found.set(hash, identityOf(key), until);
    return identityOf(key);
  };
}

function identityOf(lookup: ApiKeyIdentity): ApiKeyIdentity {
  return { id: lookup.id, name: lookup.name, scopes: lookup.scopes };
}

/** Per client address: failures in the current window, and until when it is refused outright. */
export function authFailureLimiter(maxPerMinute: number) {
  const windows = new ExpiringLru<{ count: number; resetAt: number }>(UNKNOWN_KEY_CACHE_MAX);
  return {
    /** Seconds until the address may try again, or 0 when it may now. */
    blockedFor(address: string, now: number): number {
      const w = windows.get(address, now);
      return w && w.count >= maxPerMinute ? Math.ceil((w.resetAt - now) / 1000) : 0;
    },
    fail(address: string, now: number): void {
      const w = windows.get(address, now) ?? { count: 0, resetAt: now + 60_000 };
      w.count++;
      windows.set(address, w, w.resetAt);
    },
  };
}

function documentSecurity(route: RouteOptions): void {
  const schema = route.schema as Record<string, unknown> | undefined;
  if (!schema) return;
  const methods = [route.method].flat();
  const scope = requiredScope(methods[0] ?? 'GET', route.config?.scope);
  schema.security ??= [{ [BEARER_SCHEME]: [] }];
  schema['x-billwright-scope'] ??= scope;
  const response = (schema.response ??= {}) as Record<string, unknown>;
  response['401'] ??= problemResponse('Missing, unknown or revoked API key.');
  response['403'] ??= problemResponse(`The API key lacks the "${scope}" scope.`);
  response['429'] ??= problemResponse(
    'Too many requests for this key (or failed authentications from this address); see Retry-After.',
  );
}

/** The id (or code) the path names, or else the id of what was created, for the audit trail. */
function resourceId(request: FastifyRequest, payload: unknown): string | null {
  const params = request.params as Record<string, string> | undefined;
  const named = params?.id ?? params?.code;
  if (named !== undefined) return named;
  if (typeof payload !== 'string' || !payload.startsWith('{')) return null;
  try {
    const created = JSON.parse(payload) as { id?: unknown; code?: unknown };
    const id = created.id ?? created.code;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

export interface AuthOptions {
  rateLimits: ApiRateLimits;
}

export default fp<AuthOptions>(
  async (app, options) => {
    const findKey = apiKeyCache();
    const failures = authFailureLimiter(options.rateLimits.authFailuresPerMinute);
    app.decorateRequest('apiKey', null as unknown as ApiKeyIdentity);
    app.decorateRequest('operator', undefined);
    app.decorateRequest('auditChanges', undefined);
    app.addHook('onRoute', documentSecurity);

    app.addHook('onRequest', async (request) => {
      const now = Date.now();
      const blocked = failures.blockedFor(request.ip, now);
      if (blocked > 0)
        throw tooManyRequests(
          'Too many failed authentications from this address; retry later.',
          blocked,
        );
      const refuse = (detail: string, error?: 'invalid_token') => {
        failures.fail(request.ip, now);
        return unauthorized(detail, error);
      };
      const header = request.headers.authorization;
      if (!header) throw refuse('Send an API key: Authorization: Bearer <key>.');
      const match = BEARER.exec(header);
      if (!match?.[1])
        throw refuse('The Authorization header must be "Bearer <key>".', 'invalid_token');
      const key = await findKey(app.db, match[1]);
      if (!key) throw refuse('The API key is unknown or revoked.', 'invalid_token');
      request.apiKey = key;
      const scope = requiredScope(request.method, request.routeOptions.config.scope);
      if (!grants(key.scopes, scope)) throw missingScope(scope);
      const operator = request.headers[OPERATOR_HEADER];
      if (operator !== undefined) {
        if (typeof operator !== 'string' || !OPERATOR.test(operator))
          throw badRequest('X-Operator must be 1–200 printable characters.', [
            { field: OPERATOR_HEADER, message: 'must be 1–200 printable characters' },
          ]);
        request.operator = operator;
      }
    });

    // Per key, after authentication (route-level onRequest hooks run after this plugin's).
    await app.register(rateLimit, {
      global: true,
      max: options.rateLimits.perKeyPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => request.apiKey.id,
      addHeadersOnExceeding: {
        'x-ratelimit-limit': false,
        'x-ratelimit-remaining': false,
        'x-ratelimit-reset': false,
      },
      errorResponseBuilder: (_request, context) =>
        tooManyRequests(
          `Rate limit of ${context.max} requests a minute for this API key exceeded; retry later.`,
          Math.ceil(context.ttl / 1000),
        ),
    });

    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method === 'GET' || request.method === 'HEAD' || !request.apiKey) return payload;
      if (reply.statusCode >= 400 || reply.getHeader(REPLAYED_HEADER) === 'true') return payload;
      try {
        await recordAuditEvent(app.db, {
          apiKeyId: request.apiKey.id,
          operator: request.operator ?? null,
          action: `${request.method} ${request.routeOptions.url ?? request.url}`,
          method: request.method,
          path: request.url.split('?')[0]!,
          resourceId: resourceId(request, payload),
          status: reply.statusCode,
          changes: request.auditChanges,
        });
      } catch (error) {
        // The change is made; refusing its answer would invite a retry that repeats it.
        request.log.error({ err: error }, 'could not record the audit event');
      }
      return payload;
    });
  },
  { name: 'billwright-auth', fastify: '5.x', dependencies: ['billwright-database'] },
);
