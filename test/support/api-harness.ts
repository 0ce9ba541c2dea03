// One API per test file on its own freshly migrated database, with an API key ready to use.
// Temporal points at a port nothing listens on: tests here never need a workflow to run.
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildApp, type ApiDependencies } from '../../api/app.ts';
import type { ApiPdf } from '../../api/plugins/invoice-pdfs.ts';
import type { ApiRateLimits } from '../../config/index.ts';
import type { Db } from '../../db/connect.ts';
import { createApiKey } from '../../db/repositories/api-keys.ts';
import { createTestDatabase } from './db.ts';

export interface ApiHarness {
  app: FastifyInstance;
  db: Db;
  apiKey: { id: string; key: string };
  /** app.inject with the API key's bearer header (unless the options set authorization). */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A client for a Temporal that is not there: no retries, so each call fails at once. */
export function unreachableTemporal(): Client {
  return new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }) });
}

export async function createApiHarness(
  options: {
    temporal?: Client;
    temporalTimeoutMs?: number;
    /** PDF renderer (the test owns it); default: none launched unless a PDF is requested. */
    pdf?: ApiPdf;
    signingSecret?: string;
    publicBaseUrl?: string;
    testClocks?: boolean;
    stripeWebhookSecret?: string;
    rateLimits?: ApiRateLimits;
    corsOrigins?: string[];
    frameAncestors?: string;
    temporalUiUrl?: string;
    codec?: ApiDependencies['codec'];
    metricsToken?: string;
    webhooksAllowPrivate?: boolean;

    /** The accounting system (default: none, whatever the environment says). */
    accounting?: ApiDependencies['accounting'];
    /** Online payment (default: none, whatever the environment says). */
    paymentCheckout?: ApiDependencies['paymentCheckout'];
  } = {},
): Promise<ApiHarness> {
  const database = await createTestDatabase();
  const temporal = options.temporal ?? unreachableTemporal();
  const app = await buildApp({
    db: database.db,
    temporal,
    config: {
      publicBaseUrl: options.publicBaseUrl ?? 'http://localhost:3000',
      temporalTimeoutMs: options.temporalTimeoutMs ?? 2_000,
      signingSecret: options.signingSecret,
      testClocks: options.testClocks ?? true,
      stripeWebhookSecret: options.stripeWebhookSecret,
      rateLimits: options.rateLimits,
      corsOrigins: options.corsOrigins,
      frameAncestors: options.frameAncestors,
      metricsToken: options.metricsToken,

      temporalUiUrl: options.temporalUiUrl,

      webhooksAllowPrivate: options.webhooksAllowPrivate,
    },
    ...(options.pdf ? { pdf: options.pdf } : {}),
    ...(options.codec ? { codec: options.codec } : {}),
    accounting: options.accounting,
    paymentCheckout: options.paymentCheckout,
  });
  await app.ready();
  const apiKey = await createApiKey(database.db, 'test');
  return {
    app,
    db: database.db,
    apiKey,
    request: (opts) =>
      app.inject({ ...opts, headers: { authorization: `Bearer ${apiKey.key}`, ...opts.headers } }),
    close: async () => {
      await app.close();
      await temporal.connection.close();
      await database.destroy();
    },
  };
}

// Vitest types asymmetric matchers as `any`; these say what they stand for, so the lint's
// no-unsafe-assignment has nothing to object to.
export const anyString = (): string => expect.any(String) as string;
export const stringMatching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;
export const stringContaining = (text: string): string => expect.stringContaining(text) as string;
