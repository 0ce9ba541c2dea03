// npm run bench:balance, second part (bench/threshold-latency.ts): how long after the ingestion
// that crosses a subscription's billing threshold its interim invoice is issued (numbered and
// finalized in PostgreSQL). The same stand as bench/balance-lag.ts: a throw-away PostgreSQL, the
// local Temporal test server, the real worker and the API in-process. One customer whose
// subscription has a threshold of EUR 5.00 on per-unit usage (5 cents a call); each crossing is
// one batch of 100 calls (EUR 5.00: crossed), posted once the previous interim invoice exists.
// The latency runs from posting the batch to the interim invoice's row being finalized. Prints
// p50/p99/max over BENCH_CROSSINGS crossings (default 30).
import { availableParallelism } from 'node:os';
import { createApiKey } from '../db/repositories/api-keys.ts';
import { startBalanceStand } from './balance-stand.ts';

const CROSSINGS = Number(process.env.BENCH_CROSSINGS ?? 30);
const CALLS_PER_CROSSING = 100;

const { db, app, stop } = await startBalanceStand('bench_threshold');
await app.ready();
const { key: apiKey } = await createApiKey(db, 'bench-threshold');

async function api<T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<T> {
  const answer = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${apiKey}` },
    ...(payload && { payload }),
  });
  if (answer.statusCode >= 300) throw new Error(`${method} ${url}: ${answer.body}`);
  return answer.json<T>();
}

/** Polls every 2 ms until the subscription's interim invoice #n is finalized. */
async function interimIssued(subscriptionId: string, n: number): Promise<void> {
  for (;;) {
    const row = await db
      .selectFrom('invoices')
      .select('number')
      .where('subscription_id', '=', subscriptionId)
      .where('billing_key', 'like', `%/threshold/${n}`)
      .where('number', 'is not', null)
      .executeTakeFirst();
    if (row) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

try {
  await api('POST', '/v1/metrics', { code: 'calls', name: 'Calls', aggregation: 'count' });
  await api('POST', '/v1/plans', {
    code: 'metered_threshold',
    name: 'Metered with a threshold',
    currency: 'EUR',
    interval: 'month',
    charges: [
      {
        key: 'calls',
        type: 'usage',
        description: 'Calls',
        billing: 'arrears',
        metricCode: 'calls',
        pricing: { model: 'per_unit', unitPrice: '5' },
      },
    ],
  });
  const { id: customerId } = await api<{ id: string }>('POST', '/v1/customers', {
    name: 'Seuil SARL',
    email: 'seuil@example.com',
    currency: 'EUR',
    country: 'FR',
    timezone: 'Europe/Paris',
    locale: 'fr-FR',
  });
  const { id: subscriptionId } = await api<{ id: string }>('POST', '/v1/subscriptions', {
    customerId,
    planCode: 'metered_threshold',
    billingThreshold: CALLS_PER_CROSSING * 5,
  });
  // The first period is open once its first invoice is issued (nothing in advance: it is empty).
  let periodStart: number;
  for (;;) {
    const s = await api<{ currentPeriod: { start: string } | null }>(
      'GET',
      `/v1/subscriptions/${subscriptionId}`,
    );
    if (s.currentPeriod) {
      periodStart = Date.parse(s.currentPeriod.start);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await api('GET', `/v1/customers/${customerId}/balance`); // the balance workflow runs
  const latencies: number[] = [];
  for (let n = 1; n <= CROSSINGS; n++) {
    const events = Array.from({ length: CALLS_PER_CROSSING }, (_, i) => ({
      transactionId: `crossing-${n}-${i}`,
      customerId,
      metricCode: 'calls',
      // A second back (clocks differ), but never before the period: it would not count.
      timestamp: new Date(Math.max(Date.now() - 1000, periodStart)).toISOString(),
    }));
    const t0 = performance.now();
    await api('POST', '/v1/events', { events });
    await interimIssued(subscriptionId, n);
    latencies.push(performance.now() - t0);
  }
  const interims = await db
    .selectFrom('invoices')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('subtotal').as('billed')])
    .where('subscription_id', '=', subscriptionId)
    .where('billing_key', 'like', '%/threshold/%')
    .executeTakeFirstOrThrow();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(
    `\nThreshold billing (${availableParallelism()} cores), crossing batch posted → interim invoice finalized`,
  );
  console.log('| Crossings | Events/crossing | p50 | p99 | max | Interim invoices | Billed |');
  console.log('| --------- | --------------- | --- | --- | --- | ---------------- | ------ |');
  console.log(
    `| ${CROSSINGS} | ${CALLS_PER_CROSSING} | ${ms(q(0.5))} | ${ms(q(0.99))} | ${ms(latencies.at(-1)!)} | ${Number(interims.n)} | EUR ${(Number(interims.billed) / 100).toFixed(2)} of ${((CROSSINGS * CALLS_PER_CROSSING * 5) / 100).toFixed(2)} |`,
  );
} finally {
  await stop();
}
