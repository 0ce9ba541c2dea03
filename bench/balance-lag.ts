// npm run bench:balance (bench/balance-lag.ts): how long after POST /v1/events answers the live
// balance shows the batch, at a given rate. A throw-away PostgreSQL, the local Temporal test
// server, the real worker (activities as production wires them) and the API in-process. One
// customer on a metered plan; each batch of BENCH_BATCH_EVENTS events is posted, then the
// balance workflow is queried every 2 ms until the batch is counted and read (nothing pending):
// that interval is the lag. Batches are paced at BENCH_BATCHES_PER_S. Prints p50/p99/max.
import { availableParallelism } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app.ts';
import { connectDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createApiKey } from '../db/repositories/api-keys.ts';
import { loadConfig } from '../config/index.ts';
import { createDatabase, startThrowawayPostgres } from '../infra/postgres.ts';
import { customerBalanceWorkflowId } from '../workflow-contracts/ids.ts';
import { balanceQuery } from '../workflows/customer-balance-messages.ts';
import { realActivities } from '../test/support/activities.ts';
import {
  createTimeSkippingEnvironment,
  startTestWorker,
  testDataConverter,
} from '../test/support/temporal.ts';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 200);
const PER_S = Number(process.env.BENCH_BATCHES_PER_S ?? 10);
const EVENTS = Number(process.env.BENCH_BATCH_EVENTS ?? 100);

const postgres = await startThrowawayPostgres();
const db = await connectDatabase({ url: await createDatabase(postgres.url, 'bench_balance') });
await migrateToLatest(db);
const env = await createTimeSkippingEnvironment();
const client = new Client({
  connection: await Connection.connect({ address: env.address }),
  namespace: env.namespace ?? 'default',
  dataConverter: testDataConverter,
});
const config = loadConfig({});
const worker = await startTestWorker(env, {
  activities: realActivities(db, config, { temporal: client }),
});
const app = await buildApp({ db, temporal: client, config: { publicBaseUrl: 'http://localhost' } });
await app.ready();
const { key } = await createApiKey(db, 'bench');
async function call<T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<T> {
  const response = await app.inject({
    method,
    url,
    ...(payload && { payload }),
    headers: { authorization: `Bearer ${key}` },
  });
  if (response.statusCode >= 300)
    throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  return response.json<T>();
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
  const customer = await call<{ id: string }>('POST', '/v1/customers', {
    name: 'Bench GmbH',
    email: 'bench@example.com',
    currency: 'EUR',
    country: 'FR',
    timezone: 'Europe/Paris',
    locale: 'fr-FR',
  });
  const sub = await call<{ id: string }>('POST', '/v1/subscriptions', {
    customerId: customer.id,
    planCode: 'metered',
  });
  for (;;) {
    const s = await call<{ invoicesIssued: number }>('GET', `/v1/subscriptions/${sub.id}`);
    if (s.invoicesIssued > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await call('GET', `/v1/customers/${customer.id}/balance`); // starts the workflow
  const handle = client.workflow.getHandle(customerBalanceWorkflowId(customer.id));
  const lags: number[] = [];
  const started = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const due = started + (b * 1000) / PER_S;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const events = Array.from({ length: EVENTS }, (_, i) => ({
      transactionId: `b${b}-${i}`,
      customerId: customer.id,
      metricCode: 'api_calls',
      timestamp: new Date(Date.now() - 1000).toISOString(),
    }));
    const t0 = performance.now();
    await call('POST', '/v1/events', { events });
    for (;;) {
      const state = await handle.query(balanceQuery);
      if (state.batches >= b + 1 && state.pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    lags.push(performance.now() - t0);
  }
  const balance = await call<{ charges: { metricCode: string | null; quantity: string }[] }>(
    'GET',
    `/v1/customers/${customer.id}/balance`,
  );
  const reads: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    await call('GET', `/v1/customers/${customer.id}/balance`);
    reads.push(performance.now() - t0);
  }
  reads.sort((a, b) => a - b);
  const counted = balance.charges.find((c) => c.metricCode === 'api_calls')?.quantity;
  lags.sort((a, b) => a - b);
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!;
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(
    `\nLive balance lag (${availableParallelism()} cores), POST /v1/events answered → balance read`,
  );
  console.log('| Rate | Batches | Events/batch | p50 | p99 | max | Units counted |');
  console.log('| ---- | ------- | ------------ | --- | --- | --- | ------------- |');
  console.log(
    `| ${PER_S} batches/s (${PER_S * EVENTS} events/s) | ${BATCHES} | ${EVENTS} | ${ms(at(0.5))} | ${ms(at(0.99))} | ${ms(lags.at(-1)!)} | ${counted} of ${BATCHES * EVENTS} |`,
  );
  console.log(
    `\nGET /v1/customers/:id/balance (a query, 100 reads): p50 ${ms(reads[50]!)}, p99 ${ms(reads[98]!)}`,
  );
} finally {
  await app.close();
  await worker.stop();
  await client.connection.close();
  await env.teardown();
  await db.destroy();
  await postgres.stop();
}
