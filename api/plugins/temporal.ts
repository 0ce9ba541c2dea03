// The Temporal client, as `app.temporal`, and the deadline every call from a request runs
// under: without one, the SDK retries an unreachable server for ~20 s while the client waits
// (and, when starting a subscription, while a database transaction stays open).
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    temporal: Client;
    /** Milliseconds a request may wait on Temporal before answering 503. */
    temporalTimeoutMs: number;
  }
}

export const DEFAULT_TEMPORAL_TIMEOUT_MS = 10_000;

/** Runs `call` with a gRPC deadline; a call that misses it fails like an unreachable server. */
export function withTemporalDeadline<T>(app: FastifyInstance, call: () => Promise<T>): Promise<T> {
  return app.temporal.connection.withDeadline(Date.now() + app.temporalTimeoutMs, call);
}

export default fp<{ client: Client; timeoutMs?: number | undefined }>(
  (app, options, done) => {
    app.decorate('temporal', options.client);
    app.decorate('temporalTimeoutMs', options.timeoutMs ?? DEFAULT_TEMPORAL_TIMEOUT_MS);
    done();
  },
  { name: 'billwright-temporal', fastify: '5.x' },
);
