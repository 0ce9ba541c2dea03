// npm run bench: usage ingestion and rating on this machine, against a throw-away PostgreSQL
// and the real API on loopback. Bounded (fixed numbers of batches and events), no network.
//
// 1. Ingestion: events/s through POST /v1/events (batches of 100, several keep-alive
//    connections, from a worker thread), and the ceiling measured in the same run: the same
//    rows as multi-row INSERTs straight into usage_events, with the same batch size and
//    concurrency. The ratio says what the API costs on top of the database.
// 2. Rating: one subscription's period of 1,000,000 events per aggregation, bulk-loaded with
//    generate_series, then aggregateUsage timed (and the plan checked for the index).
// 3. Render: invoices/s as HTML (Handlebars) and as PDF through one warm Chromium (bench/render.ts).
// 4. Storm: N subscriptions renewing at one instant on the dev server with the real worker,
//    against a no-op ceiling of the same shape on the same server (bench/storm.ts).
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../api/app.ts';
import { connectDatabase, type Db } from '../db/connect.ts';
import { newId } from '../db/ids.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createApiKey } from '../db/repositories/api-keys.ts';
import { createMetric } from '../db/repositories/metrics.ts';
import { aggregationQuery } from '../db/repositories/usage-aggregation.ts';
import { aggregateUsage } from '../db/repositories/usage-aggregation.ts';
import { decimal } from '../domain/core/decimal.ts';
import { AGGREGATIONS, type BillableMetric } from '../domain/catalog/metrics.ts';
import { priceQuantity } from '../domain/rating/pricing.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { startThrowawayPostgres } from '../infra/postgres.ts';
import type { ClientJob, ClientReport } from './ingest-client.ts';
import { numberingBench } from './numbering.ts';
import { renderBench } from './render.ts';
import { stormBench } from './storm.ts';

const BATCH_SIZE = 100;
const WARMUP_BATCHES = 50;
const MEASURED_BATCHES = 300;
const ROUNDS = 5;
const CONCURRENCY = 8;
const CUSTOMERS = 50;
const RATING_EVENTS = Number(process.env.BENCH_RATING_EVENTS ?? 1_000_000);
const RATING_RUNS = 3;

/** 0.05 minor units per unit (EUR 0.0005): what the rating engine prices each quantity at. */
const PER_UNIT = { model: 'per_unit', unitPrice: '0.05' } as const;

const PERIOD = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };

interface Row {
  phase: string;
  measure: string;
  result: string;
  goal: string;
}
const rows: Row[] = [];

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  return {
    cpus: availableParallelism(),
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    model,
    node: process.version,
  };
}

/** Events as a client would send them: random customer, fresh transaction id, a decimal gb. */
function makeEvents(customers: string[], metricCode: string, n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({
    transactionId: `${tag}-${i}`,
    customerId: customers[i % customers.length]!,
    metricCode,
    timestamp: new Date(PERIOD.from.getTime() + ((i * 7919) % 2_500_000) * 1000).toISOString(),
    properties: { gb: `${(i % 1000) / 100}`, region: 'eu-west-1' },
  }));
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function runClient(job: ClientJob): Promise<ClientReport> {
  const worker = new Worker(new URL('./ingest-client.ts', import.meta.url), { workerData: job });
  return new Promise((resolve, reject) => {
    worker.once('message', (report: ClientReport) => resolve(report));
    worker.once('error', reject);
  });
}

/** CPU milliseconds used so far by the backends of our PostgreSQL (from /proc, Linux only). */
async function postgresCpuMs(db: Db): Promise<number> {
  const { rows: pids } = await sql<{ pid: number }>`select pid from pg_stat_activity`.execute(db);
  let ticks = 0;
  for (const { pid } of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      // a backend that exited meanwhile
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

interface PhaseResult {
  eventsPerSecond: number;
  /** CPU microseconds per event: the API process (server and client threads) and PostgreSQL. */
  nodeUs: number;
  postgresUs: number;
  /** Of nodeUs, the load generator's thread. */
  clientUs: number;
}

/** CPU microseconds of the load generator's thread in the last API run (0 for the ceiling). */
let clientCpuUs = 0;

async function measure(db: Db, events: number, run: () => Promise<number>): Promise<PhaseResult> {
  const pg0 = await postgresCpuMs(db);
  const cpu0 = process.cpuUsage();
  clientCpuUs = 0;
  const elapsedMs = await run();
  const cpu = process.cpuUsage(cpu0);
  const pgMs = (await postgresCpuMs(db)) - pg0;
  return {
    eventsPerSecond: events / (elapsedMs / 1000),
    nodeUs: (cpu.user + cpu.system) / events,
    postgresUs: (pgMs * 1000) / events,
    clientUs: clientCpuUs / events,
  };
}

async function ingestion(db: Db, url: string): Promise<void> {
  progress(`ingestion: ${CUSTOMERS} customers with a subscription, one sum metric`);
  const customers: string[] = [];
  const plan = newId('plan');
  await db
    .insertInto('plans')
    .values({
      id: plan,
      code: 'bench',
      name: 'Bench',
      currency: 'EUR',
      interval: 'month',
      interval_count: 1,
      amount: 0,
    })
    .execute();
  for (let i = 0; i < CUSTOMERS; i++) {
    const id = newId('cus');
    customers.push(id);
    await db
      .insertInto('customers')
      .values({
        id,
        name: `Bench ${i}`,
        email: `b${i}@bench.test`,
        currency: 'EUR',
        country: 'FR',
        timezone: 'UTC',
        locale: 'en',
      })
      .execute();
    await db
      .insertInto('subscriptions')
      .values({
        id: newId('sub'),
        customer_id: id,
        plan_id: plan,
        status: 'active',
        anchor_at: PERIOD.from,
      })
      .execute();
  }
  await createMetric(db, { code: 'bench_gb', name: 'GB', aggregation: 'sum', field: 'gb' });
  const { key } = await createApiKey(db, 'bench');

  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = await buildApp({ db, temporal, config: { publicBaseUrl: 'http://127.0.0.1' } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  try {
    const perRound = MEASURED_BATCHES * BATCH_SIZE;
    const total = WARMUP_BATCHES * BATCH_SIZE + ROUNDS * perRound;
    const bodies = batches(makeEvents(customers, 'bench_gb', total, 'api'), BATCH_SIZE).map(
      (events) => JSON.stringify({ events }),
    );
    const inserts = insertStatements(makeEvents(customers, 'bench_gb', total, 'sql'));
    const viaApi = async (from: number, to: number) => {
      const report = await runClient({
        url: `${address}/v1/events`,
        apiKey: key,
        concurrency: CONCURRENCY,
        bodies: bodies.slice(from, to),
      });
      if (report.failures.length > 0) throw new Error(`ingestion failed: ${report.failures[0]}`);
      if (report.accepted !== (to - from) * BATCH_SIZE)
        throw new Error(`expected every event accepted, got ${report.accepted}`);
      clientCpuUs = report.cpuUs;
      return report.elapsedMs;
    };
    const direct = async (from: number, to: number) => {
      let next = from;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < to) await pool.query(inserts[next++]!);
        }),
      );
      return performance.now() - started;
    };
    progress(`ingestion: warm-up, ${WARMUP_BATCHES} batches each way`);
    await viaApi(0, WARMUP_BATCHES);
    await direct(0, WARMUP_BATCHES);

    // Rounds alternate the two, so both see the same background load; the best round of each
    // is the least disturbed. CPU per event does not depend on what else the machine runs.
    const api: PhaseResult[] = [];
    const ceiling: PhaseResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const from = WARMUP_BATCHES + round * MEASURED_BATCHES;
      const to = from + MEASURED_BATCHES;
      api.push(await measure(db, perRound, () => viaApi(from, to)));
      ceiling.push(await measure(db, perRound, () => direct(from, to)));
      progress(
        `ingestion round ${round + 1}/${ROUNDS}: API ${Math.round(api[round]!.eventsPerSecond)} events/s, ` +
          `INSERT ${Math.round(ceiling[round]!.eventsPerSecond)} events/s`,
      );
    }
    const best = (results: PhaseResult[]) =>
      results.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const a = best(api);
    const c = best(ceiling);
    const us = (results: PhaseResult[], key: 'nodeUs' | 'postgresUs' | 'clientUs') =>
      median(results.map((r) => r[key])).toFixed(0);
    const cpu = (results: PhaseResult[]) =>
      `${us(results, 'nodeUs')} µs Node + ${us(results, 'postgresUs')} µs PostgreSQL`;
    rows.push(
      {
        phase: 'ingestion',
        measure: `POST /v1/events, ${MEASURED_BATCHES} × ${BATCH_SIZE} events, ${CONCURRENCY} connections (best of ${ROUNDS})`,
        result: `${Math.round(a.eventsPerSecond).toLocaleString('en')} events/s`,
        goal: '≥ 10,000 events/s',
      },
      {
        phase: 'ingestion',
        measure: 'ceiling: multi-row INSERT of the same rows into usage_events (best of rounds)',
        result: `${Math.round(c.eventsPerSecond).toLocaleString('en')} events/s`,
        goal: '',
      },
      {
        phase: 'ingestion',
        measure: 'API / ceiling',
        result: (a.eventsPerSecond / c.eventsPerSecond).toFixed(2),
        goal: '≥ 0.5',
      },
      {
        phase: 'ingestion',
        measure: `CPU per event, API (median; Node includes the load generator's ${us(api, 'clientUs')} µs)`,
        result: cpu(api),
        goal: '',
      },
      {
        phase: 'ingestion',
        measure: 'CPU per event, ceiling (median)',
        result: cpu(ceiling),
        goal: '',
      },
    );
  } finally {
    await pool.end();
    await app.close();
    await temporal.connection.close();
  }
}

/** The ceiling's statements: the rows the API would store, as plain multi-row INSERTs. */
function insertStatements(events: ReturnType<typeof makeEvents>) {
  return batches(events, BATCH_SIZE).map((batch) => {
    const values: unknown[] = [];
    const tuples = batch.map((e, i) => {
      const p = i * 8;
      values.push(
        e.customerId,
        e.transactionId,
        e.metricCode,
        e.timestamp,
        e.timestamp,
        JSON.stringify(e.properties),
        e.properties.gb,
        null,
      );
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8})`;
    });
    return {
      text:
        'insert into usage_events (customer_id, transaction_id, metric_code, timestamp, ' +
        `billing_timestamp, properties, value, unique_key) values ${tuples.join(', ')}`,
      values,
    };
  });
}

/** One customer's period of RATING_EVENTS events for `metric`, plus a month of history before. */
async function bulkLoad(db: Db, customerId: string, metric: BillableMetric): Promise<void> {
  const n = RATING_EVENTS;
  const span = PERIOD.to.getTime() - PERIOD.from.getTime();
  const valueSql =
    metric.aggregation === 'weighted_sum'
      ? sql`((i % 3) - 1)::numeric` // deltas of -1, 0, +1
      : sql`((i % 1000) / 100.0)::numeric`;
  const numeric = metric.aggregation !== 'count' && metric.aggregation !== 'unique_count';
  await sql`
    insert into usage_events (customer_id, transaction_id, metric_code, timestamp,
      billing_timestamp, properties, value, unique_key)
    select ${customerId}, ${metric.code} || '-' || i, ${metric.code}, t, t,
      jsonb_build_object('v', v, 'region', 'eu-west-1'),
      case when ${numeric} then v end,
      case when ${metric.aggregation === 'unique_count'} then 'user-' || (i % 50000) end
    from generate_series(1, ${n + n / 100}::int) i,
      lateral (select ${PERIOD.from}::timestamptz
        + ((i - ${n / 100}::int) * (${span}::numeric / ${n}::numeric)) * interval '1 millisecond' as t,
        ${valueSql} as v) x`.execute(db);
}

async function rating(db: Db): Promise<void> {
  const customer = newId('cus');
  await db
    .insertInto('customers')
    .values({
      id: customer,
      name: 'Rating',
      email: 'r@bench.test',
      currency: 'EUR',
      country: 'FR',
      timezone: 'UTC',
      locale: 'en',
    })
    .execute();
  const metrics: BillableMetric[] = AGGREGATIONS.map((aggregation) => ({
    code: `rate_${aggregation}`,
    name: aggregation,
    aggregation,
    ...(aggregation === 'count' ? {} : { field: 'v' }),
  }));
  for (const metric of metrics) {
    await createMetric(db, metric);
    const started = Date.now();
    await bulkLoad(db, customer, metric);
    progress(
      `rating: loaded ${RATING_EVENTS.toLocaleString('en')} events (+1 % before the period) for ${metric.aggregation} in ${formatDuration(Date.now() - started)}`,
    );
  }
  progress('rating: vacuum analyze');
  await sql`vacuum analyze usage_events`.execute(db);

  for (const metric of metrics) {
    const window = { customerId: customer, metric, ...PERIOD };
    // Rating = the period's quantity from SQL, then priced by the rating engine (per unit).
    const rate = async () => {
      const quantity = await aggregateUsage(db, window);
      const priced = priceQuantity(PER_UNIT, decimal(quantity), 'EUR');
      return { quantity, amount: priced.total.toFixed() };
    };
    await rate(); // warm the cache
    const times: number[] = [];
    let quantity = '';
    for (let run = 0; run < RATING_RUNS; run++) {
      const started = performance.now();
      quantity = (await rate()).quantity;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain ${aggregationQuery(window)}`.execute(
      db,
    );
    const lines = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    const node =
      /(Index Only Scan|Index Scan Backward|Index Scan|Bitmap Heap Scan|Seq Scan)/.exec(
        lines,
      )?.[1] ?? '?';
    const scan = lines.includes('usage_hourly_totals_pkey')
      ? `${node}, usage_hourly_totals`
      : lines.includes('usage_events_aggregation_idx')
        ? `${node}, usage_events_aggregation_idx`
        : `${node}, NO INDEX`;
    progress(
      `rating: ${metric.aggregation} = ${quantity}, median ${times[1]!.toFixed(0)} ms (${scan})`,
    );
    rows.push({
      phase: 'rating',
      measure: `aggregateUsage + priceQuantity ${metric.aggregation}, ${RATING_EVENTS.toLocaleString('en')} events (${scan})`,
      result: `${Math.round(times[Math.floor(times.length / 2)]!)} ms`,
      goal: '< 1,000 ms',
    });
  }
}

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of body) console.log(line(r));
}

async function main(): Promise<void> {
  const started = Date.now();
  // BENCH_POSTGRES=durable: fsync and synchronous commit on, as in production (commit latency).
  const postgres = await startThrowawayPostgres({
    durable: process.env.BENCH_POSTGRES === 'durable',
  });
  const db = await connectDatabase({ url: postgres.url, maxConnections: 10 });
  try {
    await migrateToLatest(db);
    const { rows: version } = await sql<{
      v: string;
    }>`select current_setting('server_version') as v`.execute(db);
    // BENCH_PHASES=ingestion or rating runs one of them (while working on it).
    // The renewal storm takes minutes: ask for it with BENCH_PHASES=storm.
    const phases = process.env.BENCH_PHASES ?? 'ingestion,rating,render';
    if (phases.includes('ingestion')) await ingestion(db, postgres.url);
    if (phases.includes('rating')) await rating(db);
    if (phases.includes('render')) rows.push(...(await renderBench()));
    if (phases.includes('numbering')) rows.push(...(await numberingBench(postgres.url)));
    if (phases.includes('storm')) rows.push(...(await stormBench(postgres.url)));
    const m = machine();
    console.log(
      `\nMachine: ${m.cpus} CPUs (${m.model}), ${m.memory} RAM; Node ${m.node}; PostgreSQL ${version[0]!.v}\n`,
    );
    printTable(
      ['Phase', 'Measure', 'Result', 'Goal'],
      rows.map((r) => [r.phase, r.measure, r.result, r.goal]),
    );
    progress(`bench done in ${formatDuration(Date.now() - started)}`);
  } finally {
    await db.destroy();
    await postgres.stop();
  }
}

await main();
