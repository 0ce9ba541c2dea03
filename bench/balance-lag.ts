// npm run bench:balance (bench/balance-lag.ts): how long after POST /v1/events answers the live
// balance shows the batch, at sustained rates. A throw-away PostgreSQL, the local Temporal test
// server, the real worker (activities as production wires them) and the API listening on
// loopback. Per rate (BENCH_RATES events/s, for BENCH_SECONDS each), fresh customers on a
// metered plan; a load generator in a worker thread (bench/ingest-client.ts, 8 keep-alive
// connections) posts requests of BENCH_BATCH_EVENTS events, each for BENCH_CUSTOMERS_PER_BATCH
// of the BENCH_CUSTOMERS customers in turn, paced to the rate. Meanwhile each customer's balance
// workflow is queried every BENCH_POLL_MS, and GET /v1/customers/:id/balance is called ten times
// a second. See bench/balance-lag-measures.ts for what the figures mean.
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { createApiKey } from '../db/repositories/api-keys.ts';
import { customerBalanceWorkflowId } from '../workflow-contracts/ids.ts';
import { balanceQuery } from '../workflows/customer-balance-messages.ts';
import { startBalanceStand } from './balance-stand.ts';
import {
  batchLags,
  phaseTable,
  type PhaseFigures,
  type SeenRead,
  type SentBatch,
} from './balance-lag-measures.ts';
import type { ClientJob, ClientReport } from './ingest-client.ts';

const list = (value: string) => value.split(',').map(Number);
const RATES = list(process.env.BENCH_RATES ?? '1000,10000');
const SECONDS = list(process.env.BENCH_SECONDS ?? '30,60');
const EVENTS = Number(process.env.BENCH_BATCH_EVENTS ?? 500);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10);
const PER_BATCH = Number(process.env.BENCH_CUSTOMERS_PER_BATCH ?? 5);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 50);
const CONCURRENCY = 8;
/** How long after the last answer a batch may take to show before it counts as never shown. */
const DRAIN_MS = 30_000;

const progress = (text: string) => process.stderr.write(`${text}\n`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

/** How long each balance read (the activity: the upcoming invoices and wallets) took, in ms. */
const readTimes: number[] = [];
const { db, client, app, stop } = await startBalanceStand('bench_balance', (activities) => ({
  ...activities,
  readCustomerBalance: async (input: { customerId: string }) => {
    const t0 = performance.now();
    const snapshot = await activities.readCustomerBalance(input);
    readTimes.push(performance.now() - t0);
    return snapshot;
  },
}));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
const { key } = await createApiKey(db, 'bench');

async function call<T>(method: 'GET' | 'POST', path: string, payload?: object): Promise<T> {
  const response = await fetch(`${address}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(payload && { 'content-type': 'application/json' }),
    },
    ...(payload && { body: JSON.stringify(payload) }),
  });
  if (response.status >= 300)
    throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function runClient(job: ClientJob): Promise<ClientReport> {
  const thread = new Worker(new URL('./ingest-client.ts', import.meta.url), { workerData: job });
  return new Promise((resolve, reject) => {
    thread.once('message', (report: ClientReport) => resolve(report));
    thread.once('error', reject);
  });
}

/** Customers on the metered plan, each with its first invoice issued and its workflow started. */
async function meteredCustomers(phase: number): Promise<string[]> {
  const ids: string[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const customer = await call<{ id: string }>('POST', '/v1/customers', {
      name: `Bench ${phase}-${c} GmbH`,
      email: `bench-${phase}-${c}@example.com`,
      currency: 'EUR',
      country: 'FR',
      timezone: 'Europe/Paris',
      locale: 'fr-FR',
    });
    const sub = await call<{ id: string }>('POST', '/v1/subscriptions', {
      customerId: customer.id,
      planCode: 'metered',
    });
    while (
      (await call<{ invoicesIssued: number }>('GET', `/v1/subscriptions/${sub.id}`))
        .invoicesIssued === 0
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    await call('GET', `/v1/customers/${customer.id}/balance`); // starts the workflow
    ids.push(customer.id);
  }
  return ids;
}

/** Until `stop()`: every customer's balance query, recording each new read as it shows. */
function watchReads(customerIds: readonly string[]) {
  const seen = new Map<string, SeenRead[]>(customerIds.map((id) => [id, []]));
  let running = true;
  const loops = customerIds.map(async (id) => {
    const handle = client.workflow.getHandle(customerBalanceWorkflowId(id));
    let last = '';
    while (running) {
      const { snapshot } = await handle.query(balanceQuery);
      if (snapshot && snapshot.readAt !== last) {
        last = snapshot.readAt;
        seen.get(id)!.push({ readAt: Date.parse(snapshot.readAt), seenAt: Date.now() });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  });
  return {
    seen,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Until `stop()`: GET balance ten times a second, customers in turn; the answer times. */
function sampleGets(customerIds: readonly string[]) {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const t0 = performance.now();
      await call('GET', `/v1/customers/${customerIds[i % customerIds.length]}/balance`);
      times.push(performance.now() - t0);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, 100 - (performance.now() - t0))),
      );
    }
  })();
  return {
    times,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function phase(index: number, offered: number, seconds: number): Promise<PhaseFigures> {
  const customerIds = await meteredCustomers(index);
  const requests = Math.round((offered * seconds) / EVENTS);
  const groups = Math.max(1, Math.floor(CUSTOMERS / PER_BATCH));
  const perCustomer = Math.floor(EVENTS / PER_BATCH);
  const timestamp = new Date().toISOString(); // in the open period, before every read
  const sent: SentBatch[] = [];
  const bodies: string[] = [];
  for (let r = 0; r < requests; r++) {
    const ids = customerIds.slice((r % groups) * PER_BATCH, (r % groups) * PER_BATCH + PER_BATCH);
    const events = ids.flatMap((customerId) =>
      Array.from({ length: perCustomer }, (_, i) => ({
        transactionId: `p${index}-r${r}-${i}`,
        customerId,
        metricCode: 'api_calls',
        timestamp,
      })),
    );
    bodies.push(JSON.stringify({ events }));
    sent.push({ answeredAt: NaN, customerIds: ids });
  }
  progress(`${offered} events/s for ${seconds} s: ${requests} requests (load ${load()})`);
  const readsBefore = readTimes.length;
  const watcher = watchReads(customerIds);
  const getter = sampleGets(customerIds);
  const report = await runClient({
    url: `${address}/v1/events`,
    apiKey: key,
    concurrency: CONCURRENCY,
    bodies,
    requestsPerS: offered / EVENTS,
  });
  const loadAtEnd = load();
  report.answeredAt.forEach((at, r) => (sent[r]!.answeredAt = at));
  const lastAnswer = Math.max(...report.answeredAt);
  const shown = () => batchLags(sent, watcher.seen).unreflected === 0;
  while (!shown() && Date.now() < lastAnswer + DRAIN_MS)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await getter.stop();
  await watcher.stop();
  const { lags, unreflected } = batchLags(sent, watcher.seen);
  const achievedPerS = report.accepted / (report.elapsedMs / 1000);
  return {
    offeredPerS: offered,
    achievedPerS,
    eventsPerRequest: perCustomer * PER_BATCH,
    customers: CUSTOMERS,
    customersPerRequest: PER_BATCH,
    seconds,
    lags,
    unreflected,
    readsPerBatch: (readTimes.length - readsBefore) / (requests * PER_BATCH),
    readTimes: readTimes.slice(readsBefore).sort((a, b) => a - b),
    gets: getter.times.sort((a, b) => a - b),
    counted: await countedUnits(customerIds),
    keptUp: achievedPerS >= offered * 0.98 && report.failures.length === 0,
    maxLateMs: report.maxLateMs,
    failures: report.failures,
    load: loadAtEnd,
  };
}

/** The units the balances show against the events stored, over the phase's customers. */
async function countedUnits(customerIds: readonly string[]): Promise<string> {
  let shown = 0n;
  for (const id of customerIds) {
    const balance = await call<{ charges: { metricCode: string | null; quantity: string }[] }>(
      'GET',
      `/v1/customers/${id}/balance`,
    );
    shown += BigInt(balance.charges.find((c) => c.metricCode === 'api_calls')?.quantity ?? '0');
  }
  const { rows } = await sql<{ n: string }>`
    select count(*)::text as n from usage_events where customer_id in (${sql.join(customerIds)})`.execute(
    db,
  );
  return `${shown} of ${rows[0]!.n}`;
}

try {
  await call('POST', '/v1/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' });
  await call('POST', '/v1/plans', {
    code: 'metered',
    name: 'Metered',
    currency: 'EUR',
    interval: 'month',
    charges: [
      { key: 'base', type: 'flat', description: 'Base', billing: 'advance', amount: '1000' },
      {
        key: 'calls',
        type: 'usage',
        description: 'Calls',
        billing: 'arrears',
        metricCode: 'api_calls',
        pricing: { model: 'per_unit', unitPrice: '5' },
      },
    ],
  });
  const figures: PhaseFigures[] = [];
  for (const [i, offered] of RATES.entries())
    figures.push(await phase(i, offered, SECONDS[i] ?? SECONDS.at(-1)!));
  console.log(
    `\nLive balance lag (${availableParallelism()} cores, load averages at each phase's end)\n`,
  );
  console.log(phaseTable(figures, POLL_MS));
} finally {
  await stop();
}
