// What the history-recording scripts share: a throw-away PostgreSQL, the time-skipping test
// server with the project's search attributes, and a worker running today's workflows with the
// real activities. A script runs its story inside `record`, then writes the history it wants.
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { loadConfig } from '../config/index.ts';
import { connectDatabase, type Db } from '../db/connect.ts';
import { newId } from '../db/ids.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createDocumentRenderer } from '../documents/renderer.ts';
import { createBuiltInTaxProvider } from '../domain/tax/built-in.ts';
import { createOutboxSender } from '../email/outbox-sender.ts';
import { progress } from '../infra/log.ts';
import { startThrowawayPostgres } from '../infra/postgres.ts';
import { registerSearchAttributes } from '../infra/search-attributes.ts';
import { ensureTimeSkippingTestServer } from '../infra/test-server.ts';
import { workflowsPath } from '../temporal/worker.ts';

export interface Recording {
  db: Db;
  env: TestWorkflowEnvironment;
  taskQueue: string;
}

/** Runs `story` with a worker on a fresh database and test server, then tears it all down. */
export async function record(
  environment: NodeJS.ProcessEnv,
  story: (recording: Recording) => Promise<void>,
): Promise<void> {
  const postgres = await startThrowawayPostgres();
  const db = await connectDatabase({ url: postgres.url });
  await migrateToLatest(db);
  const path = await ensureTimeSkippingTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping(
    path ? { server: { executable: { type: 'existing-path', path } } } : {},
  );
  try {
    await registerSearchAttributes(env.connection, 'default');
    const config = loadConfig(environment);
    const taskQueue = `record-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath,
      activities: createActivities({
        db,
        renderer: createDocumentRenderer({ brand: config.brand }),
        email: createOutboxSender(db),
        config,
        tax: {
          provider: createBuiltInTaxProvider(),
          seller: config.taxSeller,
          rounding: config.taxRounding,
        },
      }),
    });
    await worker.runUntil(() => story({ db, env, taskQueue }));
  } finally {
    await env.teardown();
    await db.destroy();
    await postgres.stop();
  }
}

/** The customer every recorded story bills. */
export async function replayCustomer(db: Db, timezone: string) {
  return db
    .insertInto('customers')
    .values({
      id: newId('cus'),
      name: 'Replay SARL',
      email: 'replay@example.test',
      currency: 'EUR',
      country: 'FR',
      timezone,
      locale: 'fr-FR',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Writes the workflow's history to test/fixtures/histories/<name>.json. */
export async function saveHistory(handle: WorkflowHandle, name: string): Promise<void> {
  const dir = new URL('../test/fixtures/histories/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  writeFileSync(file, historyToJSON(await handle.fetchHistory()));
  progress(`recorded ${file.pathname}`);
}
