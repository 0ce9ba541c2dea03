// Composes the platform: database (migrated), the workers (billing, render) and HTTP API, in one
// process or separately. `npm start`, `npm run worker`, `npm run api` and the end-to-end test
// all come here.
import { balanceReader } from '../services/balance.ts';
import { subscriptionMover } from '../services/plan-migrations.ts';
import { quotedProjectStarter, quotedSubscriptionStarter } from '../services/quotes.ts';
import type { FastifyInstance } from 'fastify';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { buildApp } from '../api/app.ts';
import { documentsOf, invoicingOf, taxOf } from '../api/settings.ts';
import type { BillwrightConfig } from '../config/index.ts';
import type { Db } from '../db/connect.ts';
import { existsSync } from 'node:fs';
import { createDocumentRenderer } from '../documents/renderer.ts';
import { createPdfRenderer, type PdfRenderer } from '../documents/pdf.ts';
import { activitySettingsOf } from './activity-settings.ts';
import { progress } from './log.ts';
import { createBuiltInTaxProvider } from '../domain/tax/built-in.ts';
import { createEmailSender } from '../email/sender.ts';
import { createAccountingSystem } from '../accounting/system.ts';
import { connectClient, connectWorker, type TemporalTarget } from '../temporal/connection.ts';
import { billwrightDataConverter } from '../temporal/payload-codec.ts';
import { createBillingWorker, createRenderWorker } from '../temporal/worker.ts';
import { drainWorkflowStarts } from '../temporal/workflow-starts.ts';
import { runWebhookDispatcher } from '../temporal/webhook-dispatch.ts';
import { openMigratedDatabase } from './database.ts';
import { installSdkMetrics, startWorkerMetrics } from './metrics.ts';

export interface PlatformOptions {
  config: BillwrightConfig;
  temporal: TemporalTarget;
  /** Which roles this process plays; both by default. */
  roles?: { worker?: boolean; api?: boolean };
  apiLogger?: boolean | object;
}

export interface Platform {
  db: Db;
  /** Where the API listens, when this process serves it. */
  apiUrl?: string;
  app?: FastifyInstance;
  stop(): Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, temporal } = options;
  const roles = { worker: true, api: true, ...options.roles };
  if (config.payloadEncryption && !config.payloadKeys) {
    throw new Error('Temporal payload encryption is on but BILLWRIGHT_PAYLOAD_KEYS is not set');
  }
  const keyring = config.payloadEncryption ? config.payloadKeys : undefined;
  const dataConverter = billwrightDataConverter(keyring);
  // Waits (with progress lines) while PostgreSQL is not up yet, rather than exiting.
  const db = await openMigratedDatabase({
    url: config.databaseUrl,
    dataDir: `${config.dataDir}/pglite`,
  });
  const stops: (() => Promise<void>)[] = [() => db.destroy()];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
  };

  try {
    // PDFs attached to invoice emails: one warm Chromium, launched on the first invoice. Without
    // Chromium on this host, emails link the hosted page and carry no attachment.
    const workerPdf =
      roles.worker && config.emailPdf === 'attach'
        ? lazyPdfRenderer(config.chromiumPath)
        : undefined;
    if (workerPdf) stops.push(() => workerPdf.close());
    const queues = new Set(roles.worker ? config.workerQueues : []);
    if (queues.size > 0) {
      installSdkMetrics(config.metrics);
      const connection = await connectWorker(temporal);
      stops.push(async () => {
        await connection.close();
      });
      if (queues.has('render')) {
        // PDFs printed on their own queue (BILLWRIGHT_WORKER_QUEUES=render scales them apart).
        const renderWorker = await createRenderWorker({
          connection,
          namespace: temporal.namespace,
          dataConverter,
          dependencies: { db, pdf: workerPdf },
        });
        stops.push(runUntilStopped(renderWorker));
      }
      if (queues.has('billing')) await startBilling(connection);
      const stopMetrics = await startWorkerMetrics(config.metrics);
      if (stopMetrics) stops.push(stopMetrics);
    }

    /** The billing worker, with what runs beside it: the workflow-start drainer, the dispatcher. */
    async function startBilling(connection: NativeConnection): Promise<void> {
      // Test-clock advances send updates to the clock's workflows from an activity.
      const activityClient = await connectClient(temporal, dataConverter);
      stops.push(() => activityClient.connection.close());
      const quotingTax = {
        provider: createBuiltInTaxProvider(),
        seller: config.taxSeller,
        rounding: config.taxRounding,
      };
      const billing = await createBillingWorker({
        connection,
        namespace: temporal.namespace,
        dataConverter,
        dependencies: {
          db,
          renderer: createDocumentRenderer({
            templatesDir: config.templatesDir,
            brand: config.brand,
          }),
          email: createEmailSender(config.resend, db),
          accounting: createAccountingSystem(config.quickbooks),
          ...activitySettingsOf(config),
          tax: {
            provider: createBuiltInTaxProvider(),
            seller: config.taxSeller,
            rounding: config.taxRounding,
          },
          pdf: workerPdf,
          temporal: activityClient,
          moveSubscription: subscriptionMover({ db, temporal: activityClient }),
          startQuotedSubscription: quotedSubscriptionStarter({
            db,
            temporal: activityClient,
            tax: quotingTax,
          }),
          startQuotedProject: quotedProjectStarter({
            db,
            temporal: activityClient,
            seller: config.taxSeller,
          }),
          collections: config.collections,
          readBalance: balanceReader({ db, temporal: activityClient, tax: quotingTax }),
        },
      });
      stops.push(runUntilStopped(billing));
      // Starts what the API committed but could not start (workflow_starts), until it exists.
      const drainer = drainWorkflowStarts(db, activityClient, {
        onError: (error) => progress(`workflow start deferred: ${String(error)}`),
      });
      stops.push(() => drainer.stop());
      // Hands committed webhook events to their endpoints' delivery workflows.
      const dispatcher = runWebhookDispatcher(db, activityClient, {
        onError: (error) => progress(`webhook dispatch deferred: ${String(error)}`),
      });
      stops.push(() => dispatcher.stop());
    }

    if (!roles.api) return { db, stop };
    const client = await connectClient(temporal, dataConverter);
    stops.push(() => client.connection.close());
    const app = await buildApp(
      {
        db,
        temporal: client,
        config: {
          publicBaseUrl: config.publicBaseUrl,
          signingSecret: config.signingSecret,
          temporalTimeoutMs: config.temporalTimeoutMs,
          rateLimits: config.rateLimits,
          lateEvents: config.lateEvents,
          testClocks: config.testClocks,
          stripeWebhookSecret: config.stripeWebhookSecret,
          corsOrigins: config.corsOrigins,
          frameAncestors: config.frameAncestors,
          metricsToken: config.metrics.token,

          temporalUiUrl: config.temporalUiUrl,

          webhooksAllowPrivate: config.webhooks.allowPrivate,
        },
        codec: { keyring, corsOrigins: config.codecCorsOrigins },
        pdf: () => createPdfRenderer({ executablePath: config.chromiumPath }),
        documents: documentsOf(config),
        email: { sender: createEmailSender(config.resend, db), from: config.emailFrom },
        tax: taxOf(config),
        invoicing: invoicingOf(config),
        accounting: createAccountingSystem(config.quickbooks),
      },
      { logger: options.apiLogger ?? false },
    );
    stops.push(() => app.close());
    const apiUrl = await app.listen({ host: config.apiHost, port: config.apiPort });
    return { db, app, apiUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs a worker; the answer stops it (and waits for its tasks to finish). */
function runUntilStopped(worker: Worker): () => Promise<void> {
  const running = worker.run();
  return async () => {
    // The SDK runtime also drains workers on SIGINT/SIGTERM; shut down only if it hasn't.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
}

/** A PDF renderer that launches its browser on first use, or undefined without Chromium. */
function lazyPdfRenderer(
  executablePath: string,
): Pick<PdfRenderer, 'render' | 'close'> | undefined {
  if (!existsSync(executablePath)) {
    progress(`no Chromium at ${executablePath}: invoice emails go out without a PDF attachment`);
    return undefined;
  }
  let renderer: Promise<PdfRenderer> | undefined;
  return {
    async render(html) {
      renderer ??= createPdfRenderer({ executablePath });
      return (await renderer).render(html);
    },
    async close() {
      if (renderer) await (await renderer).close();
    },
  };
}
