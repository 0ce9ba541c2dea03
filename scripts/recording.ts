// What the history-recording stories share (scripts/record-histories.ts runs them): one
// throw-away PostgreSQL with a fresh database per story, a fresh time-skipping test server per
// story with the project's search attributes, and a worker running today's workflows (bundled
// once) with the real activities, as the production worker wires them.
import { subscriptionMover } from '../services/plan-migrations.ts';
import { balanceReader } from '../services/balance.ts';
import { quotedProjectStarter, quotedSubscriptionStarter } from '../services/quotes.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { AccountingSystem } from '../accounting/port.ts';
import { createActivities } from '../activities/index.ts';
import { loadConfig, type BillwrightConfig } from '../config/index.ts';
import { connectDatabase, type Db } from '../db/connect.ts';
import { newId } from '../db/ids.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createDraftInvoice, type NewDraftInvoice } from '../db/repositories/invoice-drafts.ts';
import { finalizeInvoice } from '../db/repositories/invoice-finalization.ts';
import type { InvoiceTaxSettings } from '../db/repositories/invoice-tax.ts';
import { createDocumentRenderer } from '../documents/renderer.ts';
import { createBuiltInTaxProvider } from '../domain/tax/built-in.ts';
import { createOutboxSender } from '../email/outbox-sender.ts';
import { activitySettingsOf } from '../runtime/activity-settings.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { createDatabase, startThrowawayPostgres } from '../infra/postgres.ts';
import { registerSearchAttributes } from '../infra/search-attributes.ts';
import { ensureTimeSkippingTestServer } from '../infra/test-server.ts';
import { BILLING_TASK_QUEUE } from '../temporal/task-queues.ts';
import { billwrightDataConverter, failureConverterPath } from '../temporal/payload-codec.ts';
import { createRenderWorker, workflowsPath } from '../temporal/worker.ts';
import { TEST_PAYLOAD_KEYS } from '../test/support/payload-keys.ts';
import type * as workflows from '../workflows/index.ts';

/** Every workflow type the worker registers (the exports of workflows/index.ts). */
export type WorkflowType = keyof typeof workflows;

export interface Recording {
  db: Db;
  /** The time-skipping server: `env.client` skips time while it waits on a result. */
  env: TestWorkflowEnvironment;
  /** A client that never skips time, as the worker's activities use (test clocks). */
  client: Client;
  config: BillwrightConfig;
  tax: InvoiceTaxSettings;
  taskQueue: string;
  /** The story's accounting system (Story.accounting), if it has one. */
  accounting?: AccountingSystem | undefined;
}

/** A short scripted story through a workflow type's main paths, or through one other branch. */
export interface Story {
  /** Names the history file: test/fixtures/histories/<name>.json. */
  name: string;
  /** What the story walks through, for the progress output. */
  summary: string;
  /** The settings loadConfig reads (the defaults otherwise, whatever the shell says). */
  environment?: NodeJS.ProcessEnv;
  /**
   * Subscription invoices start their collection workflows. Off unless a story needs it: the
   * time-skipping test server hangs env.sleep once a workflow has started an abandoned child
   * (temporalio/sdk-typescript#1101).
   */
  collections?: boolean;
  /** The accounting system the worker pushes to, started for the story and stopped after it. */
  accounting?: () => Promise<{ system: AccountingSystem; stop(): Promise<void> }>;
  /** Plays the story; returns the workflow whose history is recorded, once it has closed. */
  play(recording: Recording): Promise<WorkflowHandle>;
}

/** A story that has not finished by then has hung: fail instead of waiting for ever. */
const STORY_TIMEOUT_MS = 2 * 60_000;

const historiesDir = new URL('../test/fixtures/histories/', import.meta.url);

/** Plays each story in turn on its own database and test server, writing its history. */
export async function recordStories(stories: [WorkflowType, Story][]): Promise<void> {
  const started = Date.now();
  // Workers log every state change at INFO; a recording only wants to hear about trouble.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const postgres = await startThrowawayPostgres();
  try {
    const [bundle, serverPath] = await Promise.all([
      bundleStoryWorkflows(),
      ensureTimeSkippingTestServer(),
    ]);
    for (const [i, [workflowType, story]] of stories.entries()) {
      const storyStarted = Date.now();
      progress(`[${i + 1}/${stories.length}] ${story.name} (${workflowType}): ${story.summary}`);
      const url = await createDatabase(postgres.url, `story_${story.name.replaceAll('-', '_')}`);
      const db = await connectDatabase({ url });
      try {
        await migrateToLatest(db);
        await playStory({ story, db, bundle, serverPath }, (handle) =>
          saveHistory(handle, story.name, workflowType),
        );
      } finally {
        await db.destroy();
      }
      progress(`${story.name} recorded in ${formatDuration(Date.now() - storyStarted)}`);
    }
  } finally {
    await postgres.stop();
  }
  const count = stories.length === 1 ? '1 history' : `${stories.length} histories`;
  progress(`${count} recorded in ${formatDuration(Date.now() - started)}`);
}

/**
 * Plays a story on a fresh time-skipping server with a worker configured as production's, then
 * hands its closed workflow to `closed` while the server still runs (the recorder saves its
 * history; the privacy test reads it raw).
 */
export async function playStory(
  options: {
    story: Story;
    db: Db;
    bundle: WorkflowBundleWithSourceMap;
    serverPath: string | undefined;
  },
  closed: (handle: WorkflowHandle, env: TestWorkflowEnvironment) => Promise<void>,
): Promise<void> {
  const { story, db, bundle, serverPath } = options;
  // Encrypted as the production worker encrypts, under the fixture key the replay test decrypts with.
  const dataConverter = billwrightDataConverter(TEST_PAYLOAD_KEYS);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    ...(serverPath ? { server: { executable: { type: 'existing-path', path: serverPath } } } : {}),
    client: { dataConverter },
  });
  const accounting = await story.accounting?.();
  try {
    const namespace = env.namespace ?? 'default';
    await registerSearchAttributes(env.connection, namespace);
    const client = new Client({ connection: env.connection, namespace, dataConverter });
    const config = loadConfig(story.environment ?? {});
    const tax: InvoiceTaxSettings = {
      provider: createBuiltInTaxProvider(),
      seller: config.taxSeller,
      rounding: config.taxRounding,
    };
    // The production queue (each story has its own server), so the API's start helpers serve.
    const taskQueue = BILLING_TASK_QUEUE;
    const activities = createActivities({
      db,
      temporal: client,
      moveSubscription: subscriptionMover({ db, temporal: client }),
      startQuotedSubscription: quotedSubscriptionStarter({ db, temporal: client, tax }),
      startQuotedProject: quotedProjectStarter({ db, temporal: client, seller: tax.seller }),
      readBalance: balanceReader({ db, temporal: client, tax }),
      collections: story.collections ?? false,
      renderer: createDocumentRenderer({ brand: config.brand }),
      email: createOutboxSender(db),
      ...activitySettingsOf(config),
      tax,
      accounting: accounting?.system,
    });
    const worker = await Worker.create({
      dataConverter,
      connection: env.nativeConnection,
      namespace,
      taskQueue,
      workflowBundle: bundle,
      activities,
    });
    // PDFs are printed on the render queue, by a worker of its own as in production.
    const render = await createRenderWorker({
      connection: env.nativeConnection,
      namespace,
      dataConverter,
      dependencies: { db },
      activities,
    });
    // A story that hangs fails here, and its server is torn down below all the same.
    await render.runUntil(
      worker.runUntil(async () => {
        const recording = {
          db,
          env,
          client,
          config,
          tax,
          taskQueue,
          accounting: accounting?.system,
        };
        const handle = await withDeadline(story.name, story.play(recording));
        await closed(handle, env);
      }),
    );
  } finally {
    await env.teardown();
    await accounting?.stop();
  }
}

/** Today's workflows, bundled as the production worker bundles them. */
export function bundleStoryWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
}

async function withDeadline<T>(name: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const message = `story ${name} did not finish in ${formatDuration(STORY_TIMEOUT_MS)}`;
      // Said at once: the story's calls still pending may fail loudly as the server goes down.
      progress(message);
      reject(new Error(message));
    }, STORY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes the workflow's history to test/fixtures/histories/<name>.json. */
async function saveHistory(
  handle: WorkflowHandle,
  name: string,
  workflowType: WorkflowType,
): Promise<void> {
  const { type, status } = await handle.describe();
  if (type !== workflowType) {
    throw new Error(`story ${name} recorded a ${type}, not the ${workflowType} it is listed for`);
  }
  if (status.name !== 'COMPLETED') {
    throw new Error(`story ${name} left ${workflowType} ${status.name}, not COMPLETED`);
  }
  mkdirSync(historiesDir, { recursive: true });
  const file = new URL(`${name}.json`, historiesDir);
  writeFileSync(file, historyToJSON(await handle.fetchHistory()));
  progress(`wrote ${file.pathname}`);
}

/** The customer every recorded story bills. */
export async function replayCustomer(
  db: Db,
  timezone: string,
  extra: { payment_terms_days?: number; test_clock_id?: string } = {},
) {
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
      ...extra,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A subscription of the customer's to the monthly EUR 25.00 plan, as rows only (the story starts
 * its workflow, if it has one), anchored at `anchor`.
 */
export async function replaySubscription(
  db: Db,
  subscription: { customerId: string; status: 'active' | 'canceled'; anchor: string },
) {
  const plan = await db
    .insertInto('plans')
    .values({
      id: newId('plan'),
      code: 'replay',
      name: 'Replay plan',
      currency: 'EUR',
      interval: 'month',
      interval_count: 1,
      amount: 2500,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const subscriptionId = newId('sub');
  await db
    .insertInto('subscriptions')
    .values({
      id: subscriptionId,
      customer_id: subscription.customerId,
      plan_id: plan.id,
      status: subscription.status,
      anchor_at: subscription.anchor,
    })
    .execute();
  return { plan, subscriptionId };
}

/**
 * A one-line EUR invoice for the customer (of the subscription, if given), finalized (numbered,
 * taxed, due) at `at`.
 */
export async function issueInvoice(
  { db, config, tax }: Recording,
  invoice: {
    customerId: string;
    amount: number;
    at: string;
    origin?: NewDraftInvoice['origin'];
    subscriptionId?: string;
  },
) {
  const { customerId, amount, at, origin, subscriptionId } = invoice;
  const draft = await createDraftInvoice(db, {
    customerId,
    subscriptionId,
    currency: 'EUR',
    origin,
    lines: [{ description: 'Consulting', quantity: '1', unitAmount: String(amount), amount }],
  });
  return finalizeInvoice(db, draft.id, {
    tax,
    numbering: config.invoiceNumbering,
    seller: config.seller,
    at,
  });
}
