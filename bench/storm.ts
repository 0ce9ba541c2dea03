// Renewal storm, for `npm run bench` (phase `storm`): N subscriptions whose period starts at the
// same instant, run with production's defaults (collections on, invoice PDFs attached; flags
// turn each off) either on the Temporal dev server with the real billing worker in this process,
// or with `--cluster` on the cluster `npm run cluster` starts (bench/storm-targets.ts), always on
// real PostgreSQL. Each renewal issues, renders and emails an invoice and starts its collection.
//
// The rows are inserted straight into the database and the workflows started with
// subscriptionStartOptions, anchored a few seconds ahead, so every timer fires together. Then:
// invoices per second and the time to drain, exactly N invoices, emails and collections, RSS
// peak and CPU of every process started, and history events per renewal (bench/storm-measures.ts).
//
// The ceiling, in the same run, on the same server with a worker of the same (default)
// settings: N workflows of the same shape (a timer to a shared instant, then the same four
// activities in sequence) whose activities do nothing (bench/noop-workflows.ts, a bench-only bundle).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { parsePayloadKeys } from '../config/index.ts';
import { connectDatabase, type Db } from '../db/connect.ts';
import { newId } from '../db/ids.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createPlan } from '../db/repositories/plans.ts';
import type { Charge } from '../domain/catalog/types.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { createDatabase } from '../infra/postgres.ts';
import { billwrightDataConverter, failureConverterPath } from '../temporal/payload-codec.ts';
import { subscriptionStartOptions } from '../temporal/subscription-start.ts';
import type { subscriptionWorkflow } from '../workflows/subscription.ts';
import type { SubscriptionWorkflowInput } from '../workflows/subscription-messages.ts';
import type { noopRenewalWorkflow } from './noop-workflows.ts';
import type { BenchRow } from './render.ts';
import { historyEventsPerRenewal, watchProcesses, type ProcessFigures } from './storm-measures.ts';
import { stormRows, type SideResult, type StormResult } from './storm-table.ts';
import {
  postgresProcess,
  startStormTarget,
  stormSettings,
  type StormSettings,
  type StormTarget,
} from './storm-targets.ts';

const N = Number(process.env.BENCH_STORM_N ?? 2_000);
/** Workflows started at once by the bench's client. */
const START_CONCURRENCY = 32;
/** How long the whole storm (or its ceiling) may take after the shared instant. */
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_STORM_TIMEOUT_MS ?? Math.max(300_000, N * 500));
const PRICE = { amount: 4_900, currency: 'EUR' } as const;
const STORM_CHARGES: Charge[] = [
  {
    key: 'base',
    description: 'Storm (monthly)',
    type: 'flat',
    billing: 'advance',
    amount: String(PRICE.amount),
  },
];
const COUNTRIES = [
  { country: 'FR', timezone: 'Europe/Paris', locale: 'fr-FR' },
  { country: 'DE', timezone: 'Europe/Berlin', locale: 'de-DE' },
  { country: 'IE', timezone: 'Europe/Dublin', locale: 'en-IE' },
  { country: 'NL', timezone: 'Europe/Amsterdam', locale: 'nl-NL' },
] as const;

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => progress(`bundler: ${message}`),
  error: (message: string) => progress(`bundler: ${message}`),
};

/** Samples this process's RSS (the worker runs in it) every 100 ms while a side runs. */
function rssSampler() {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  return {
    baseline,
    get peak() {
      return peak;
    },
    stop: () => clearInterval(timer),
  };
}

/** The shared instant: far enough ahead for every workflow to be started and waiting. */
function shareInstant(): Date {
  const leadMs = Number(process.env.BENCH_STORM_LEAD_MS ?? Math.max(5_000, 3_000 + N * 12));
  return new Date(Math.ceil((Date.now() + leadMs) / 1000) * 1000);
}

/** Starts `count` workflows, START_CONCURRENCY at a time, and checks it finished before `at`. */
async function startAll(
  what: string,
  count: number,
  at: Date,
  start: (i: number) => Promise<unknown>,
): Promise<void> {
  const started = Date.now();
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: START_CONCURRENCY }, async () => {
      while (next < count) {
        await start(next++);
        if (++done % 500 === 0) progress(`storm: ${what}: started ${done}/${count}`);
      }
    }),
  );
  const margin = at.getTime() - Date.now();
  progress(
    `storm: ${what}: ${count} workflows started in ${formatDuration(Date.now() - started)}, ` +
      `${formatDuration(Math.max(0, margin))} before they fire`,
  );
  if (margin < 200) {
    throw new Error(
      `storm: starting ${count} workflows took past the shared instant; raise BENCH_STORM_LEAD_MS`,
    );
  }
}

/** Polls `count` until it reaches `target`; returns when it did, with progress every 2 s. */
async function drained(
  what: string,
  from: Date,
  target: number,
  count: () => Promise<string>,
  done: () => Promise<boolean>,
): Promise<number> {
  const deadline = from.getTime() + DRAIN_TIMEOUT_MS;
  let lastReport = 0;
  for (;;) {
    if (await done()) return Date.now();
    if (Date.now() > deadline) {
      throw new Error(
        `storm: ${what} did not drain within ${formatDuration(DRAIN_TIMEOUT_MS)}: ${await count()}`,
      );
    }
    if (Date.now() - lastReport >= 2_000 && Date.now() >= from.getTime()) {
      lastReport = Date.now();
      progress(
        `storm: ${what} +${formatDuration(Date.now() - from.getTime())}: ${await count()} of ${target}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function seed(db: Db, anchor: Date): Promise<SubscriptionWorkflowInput[]> {
  const plan = await createPlan(db, {
    code: 'storm-monthly',
    name: 'Storm (monthly)',
    createdBy: 'bench',
    terms: {
      currency: PRICE.currency,
      interval: 'month',
      intervalCount: 1,
      taxBehavior: 'exclusive',
      charges: STORM_CHARGES,
    },
  });
  if (!plan) throw new Error('storm: the plan exists already');
  const inputs: SubscriptionWorkflowInput[] = [];
  for (let from = 0; from < N; from += 500) {
    const customers = [];
    const subscriptions = [];
    for (let i = from; i < Math.min(N, from + 500); i++) {
      const where = COUNTRIES[i % COUNTRIES.length]!;
      const customerId = newId('cus');
      const subscriptionId = newId('sub');
      customers.push({
        id: customerId,
        name: `Storm customer ${i}`,
        email: `storm-${i}@bench.test`,
        currency: PRICE.currency,
        ...where,
      });
      subscriptions.push({
        id: subscriptionId,
        customer_id: customerId,
        plan_id: plan.plan.id,
        plan_version: 1,
        status: 'active',
        anchor_at: anchor,
      });
      inputs.push({
        subscriptionId,
        customerId,
        planCode: 'storm-monthly',
        planName: 'Storm (monthly)',
        cycle: {
          interval: 'month',
          intervalCount: 1,
          anchor: anchor.toISOString(),
          timezone: where.timezone,
        },
        price: { ...PRICE },
        plan: {
          planCode: 'storm-monthly',
          version: 1,
          currency: PRICE.currency,
          billingCycle: { interval: 'month', intervalCount: 1 },
          taxBehavior: 'exclusive',
          charges: STORM_CHARGES,
        },
      });
    }
    await db.insertInto('customers').values(customers).execute();
    await db.insertInto('subscriptions').values(subscriptions).execute();
  }
  return inputs;
}

// Payloads are encrypted in both runs, as in production: the codec is part of what is measured.
const BENCH_PAYLOAD_KEYS = `bench:${randomBytes(32).toString('base64')}`;
const dataConverter = billwrightDataConverter(parsePayloadKeys(BENCH_PAYLOAD_KEYS));

async function billingStorm(target: StormTarget, settings: StormSettings): Promise<StormResult> {
  const db = await connectDatabase({ url: target.databaseUrl, maxConnections: 4 });
  const connection = await Connection.connect({ address: target.address });
  const client = new Client({ connection, namespace: target.namespace, dataConverter });
  try {
    await migrateToLatest(db);
    const stopWorkers = await target.startWorkers();
    const postgres = await postgresProcess(db);
    // Sampled once the workers run (their workflow bundle is built), as in production.
    const watch = await watchProcesses([...target.processes, ...(postgres ? [postgres] : [])]);
    let drainedAt: number;
    let figures: ProcessFigures[];
    const anchor = shareInstant();
    const since = new Date();
    try {
      const inputs = await seed(db, anchor);
      progress(`storm: ${N} customers and subscriptions renewing at ${anchor.toISOString()}`);
      await startAll('renewals', N, anchor, (i) =>
        client.workflow.start<typeof subscriptionWorkflow>(
          'subscriptionWorkflow',
          subscriptionStartOptions(inputs[i]!),
        ),
      );
      const counts = async () => {
        const row = await sql<{ invoices: number; emails: number; collections: number }>`
          select (select count(*)::int from invoices) as invoices,
                 (select count(*)::int from email_deliveries where status = 'sent') as emails,
                 (select count(*)::int from invoice_collections) as collections
        `.execute(db);
        return row.rows[0]!;
      };
      const collectionsDue = settings.collections ? N : 0;
      drainedAt = await drained(
        'renewals',
        anchor,
        N,
        async () => {
          const c = await counts();
          return `${c.invoices} invoices, ${c.emails} emails, ${c.collections} collections`;
        },
        async () => {
          const c = await counts();
          return c.emails >= N && c.collections >= collectionsDue;
        },
      );
    } finally {
      figures = await watch.stop();
      await stopWorkers();
    }
    // After the storm has drained: exactly one of each per subscription.
    const { rows } = await sql<{
      invoices: number;
      periods: number;
      deliveries: number;
      outbox: number;
      pdfs: number;
      collections: number;
    }>`
      select (select count(*)::int from invoices) as invoices,
             (select count(distinct (subscription_id, period_start))::int from invoices) as periods,
             (select count(*)::int from email_deliveries where status = 'sent') as deliveries,
             (select count(*)::int from outbox_messages) as outbox,
             (select count(*)::int from outbox_messages where jsonb_array_length(attachments) > 0) as pdfs,
             (select count(*)::int from invoice_collections) as collections
    `.execute(db);
    const final = rows[0]!;
    for (const [name, value, expected] of [
      ['invoices', final.invoices, N],
      ['invoice periods', final.periods, N],
      ['email deliveries', final.deliveries, N],
      ['outbox messages', final.outbox, N],
      ['collections', final.collections, settings.collections ? N : 0],
      ['attached PDFs', final.pdfs, settings.emailPdf === 'attach' ? N : 0],
    ] as const) {
      if (value !== expected) {
        throw new Error(`storm: expected exactly ${expected} ${name}, found ${value}`);
      }
    }
    const drainMs = drainedAt - anchor.getTime();
    const bench = figures.find((f) => f.label.includes('bench process'))!;
    return {
      perSecond: N / (drainMs / 1000),
      drainMs,
      rssPeak: bench.rssPeak,
      rssBaseline: bench.rssAtStart,
      pdfs: final.pdfs,
      collections: final.collections,
      processes: figures,
      history: await historyEventsPerRenewal(client, since, N),
    };
  } finally {
    await connection.close();
    await db.destroy();
  }
}

async function ceiling(server: { address: string; namespace: string }): Promise<SideResult> {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./noop-workflows.ts', import.meta.url)),
    failureConverterPath,
    logger: quietLogger,
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter });
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const taskQueue = `bench-storm-ceiling-${randomBytes(4).toString('hex')}`;
  let finished = 0;
  // Worker.create with its defaults, as temporal/worker.ts creates the billing worker.
  const worker = await Worker.create({
    dataConverter,
    connection: workerConnection,
    namespace: server.namespace,
    taskQueue,
    workflowBundle,
    activities: {
      noop: (step: number) => {
        if (step === 3) finished++;
        return Promise.resolve(step);
      },
    },
  });
  const running = worker.run();
  const sampler = rssSampler();
  try {
    const fireAt = shareInstant();
    await startAll('ceiling', N, fireAt, (i) =>
      client.workflow.start<typeof noopRenewalWorkflow>('noopRenewalWorkflow', {
        taskQueue,
        workflowId: `storm-ceiling-${taskQueue}-${i}`,
        args: [fireAt.toISOString()],
      }),
    );
    const drainedAt = await drained(
      'ceiling',
      fireAt,
      N,
      () => Promise.resolve(`${finished} workflows done`),
      () => Promise.resolve(finished >= N),
    );
    if (finished !== N) throw new Error(`storm: ceiling finished ${finished}, expected ${N}`);
    const drainMs = drainedAt - fireAt.getTime();
    return {
      perSecond: N / (drainMs / 1000),
      drainMs,
      rssPeak: sampler.peak,
      rssBaseline: sampler.baseline,
    };
  } finally {
    sampler.stop();
    worker.shutdown();
    await running;
    await workerConnection.close();
    await connection.close();
  }
}

export async function stormBench(postgresUrl: string): Promise<BenchRow[]> {
  const settings = stormSettings(process.argv.slice(2), process.env, BENCH_PAYLOAD_KEYS);
  progress(
    `storm: ${N} renewals at one instant on the ${settings.target === 'cluster' ? 'cluster' : 'dev server'}` +
      ` (collections ${settings.collections ? 'on' : 'off'}, PDFs ${settings.emailPdf === 'attach' ? 'attached' : 'linked'}), then the no-op ceiling`,
  );
  const target = await startStormTarget(settings, () =>
    createDatabase(postgresUrl, `bw_storm_${randomBytes(4).toString('hex')}`),
  );
  try {
    const storm = await billingStorm(target, settings);
    progress(
      `storm: renewals drained in ${formatDuration(storm.drainMs)}: ${storm.perSecond.toFixed(1)} invoices/s`,
    );
    const top = await ceiling(target);
    progress(
      `storm: ceiling drained in ${formatDuration(top.drainMs)}: ${top.perSecond.toFixed(1)} workflows/s`,
    );
    return stormRows(N, target.name, settings, storm, top);
  } finally {
    await target.stop();
  }
}
