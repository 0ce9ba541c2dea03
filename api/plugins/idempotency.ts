// Idempotency-Key on every POST of the scope this plugin is registered in, Stripe-style:
// - first request with a key claims it and runs; its response (status and body) is stored;
// - the same key again with the same method, path and body replays that response, marked
//   `Idempotent-Replayed: true`, without running the handler;
// - the same key with another body or path is a 409, as is a key whose request still runs;
// - a 5xx is not stored: the key is released so the client can retry.
// Keys are scoped per API key. Requests that fail schema validation never claim a key (the
// check runs after validation), so fixing a typo and retrying with the same key works.
import { createHash } from 'node:crypto';
import type { FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
} from '../../db/repositories/idempotency-keys.ts';
import { conflict, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { problemResponse } from '../schemas/common.ts';
import { requestPath } from './problems.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

/** A claim older than this with no response belongs to a request that died; it may be retaken. */
const IN_PROGRESS_STALE_AFTER_MS = 60_000;

/** JSON with object keys sorted at every depth: equal documents hash equal. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map(
      (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
    );
  return `{${entries.join(',')}}`;
}

export function requestBodyHash(body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(body ?? null))
    .digest('hex');
}

const IdempotencyHeaders = Type.Object({
  [IDEMPOTENCY_HEADER]: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Makes the request safe to retry: the first response for a key is stored and replayed ' +
        'for the same request (header Idempotent-Replayed: true); reusing a key for a different ' +
        'request is a 409. Keys are scoped to the API key.',
    }),
  ),
});

function documentIdempotency(route: RouteOptions): void {
  const schema = route.schema as Record<string, unknown> | undefined;
  const methods = [route.method].flat();
  if (!schema || !methods.includes('POST')) return;
  if (schema.headers === undefined) schema.headers = IdempotencyHeaders;
  const response = (schema.response ??= {}) as Record<string, unknown>;
  response['409'] ??= problemResponse(
    'Conflict: the Idempotency-Key was used for a different request, or its first request is still running.',
  );
}

interface Claim {
  apiKeyId: string;
  key: string;
}

export default fp(
  (app, _options, done) => {
    const claims = new WeakMap<FastifyRequest, Claim>();

    app.addHook('onRoute', documentIdempotency);

    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST') return;
      const key = request.headers[IDEMPOTENCY_HEADER];
      if (typeof key !== 'string') return;
      const attempt = {
        apiKeyId: request.apiKey.id,
        key,
        method: request.method,
        path: requestPath(request),
        requestHash: requestBodyHash(request.body),
      };
      const claim = await claimIdempotencyKey(app.db, attempt, IN_PROGRESS_STALE_AFTER_MS);
      if (claim.outcome === 'claimed') {
        claims.set(request, { apiKeyId: attempt.apiKeyId, key });
        return;
      }
      const { stored } = claim;
      if (
        stored.method !== attempt.method ||
        stored.path !== attempt.path ||
        stored.requestHash !== attempt.requestHash
      ) {
        throw conflict(
          `Idempotency-Key "${key}" was already used for a different request (${stored.method} ${stored.path}); use a new key for a new request.`,
          'idempotency-key-reused',
        );
      }
      if (claim.outcome === 'in-progress') {
        throw conflict(
          `A request with Idempotency-Key "${key}" is in progress; retry once it has completed.`,
          'request-in-progress',
        );
      }
      const { statusCode, body } = claim.response;
      return reply
        .code(statusCode)
        .header(REPLAYED_HEADER, 'true')
        .type(statusCode >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json; charset=utf-8')
        .send(body);
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const claim = claims.get(request);
      if (!claim) return payload;
      claims.delete(request);
      try {
        if (reply.statusCode >= 500 || typeof payload !== 'string') {
          await releaseIdempotencyKey(app.db, claim);
        } else {
          await completeIdempotencyKey(app.db, claim, {
            statusCode: reply.statusCode,
            body: payload,
          });
        }
      } catch (error) {
        // The response still goes out; the claim stays in progress until it goes stale.
        request.log.error(
          { err: error, idempotencyKey: claim.key },
          'could not record the idempotent response',
        );
      }
      return payload;
    });

    done();
  },
  {
    name: 'billwright-idempotency',
    fastify: '5.x',
    dependencies: ['billwright-database', 'billwright-auth'],
  },
);
