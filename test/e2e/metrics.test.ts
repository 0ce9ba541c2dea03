// Prometheus metrics end to end, the way `npm start` runs: the worker and the API in one process
// on the Temporal dev server, the worker's listener (BILLWRIGHT_WORKER_METRICS_PORT) and the
// SDK's exporter (BILLWRIGHT_WORKER_SDK_METRICS_PORT) on their own ports. Real renewals, a
// payment sent twice and a credit note move the counters by exactly what happened.
// (No import of support/temporal.ts: it installs the SDK runtime, which this test's platform
// must install itself, with the exporter.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort } from '../../infra/free-port.ts';
import { startTestPlatform, type ApiClient, type TestPlatform } from '../support/platform.ts';

let started: TestPlatform;
let api: ApiClient;
let workerMetrics: string;
let sdkMetrics: string;
let apiMetrics: string;

type Samples = Map<string, number>;

/** One scrape: every sample by its name and labels as written (`name{a="x"}`). */
async function scrape(url: string): Promise<Samples> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const samples: Samples = new Map();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

function delta(after: Samples, before: Samples, sample: string): number {
  return (after.get(sample) ?? 0) - (before.get(sample) ?? 0);
}

async function until<T>(what: string, check: () => Promise<T | false>, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  const [workerPort, sdkPort] = [await getFreePort(), await getFreePort()];
  started = await startTestPlatform({
    env: {
      BILLWRIGHT_METRICS_HOST: '127.0.0.1',
      BILLWRIGHT_WORKER_METRICS_PORT: String(workerPort),
      BILLWRIGHT_WORKER_SDK_METRICS_PORT: String(sdkPort),
    },
  });
  ({ api } = started);
  workerMetrics = `http://127.0.0.1:${workerPort}/metrics`;
  sdkMetrics = `http://127.0.0.1:${sdkPort}/metrics`;
  apiMetrics = `${started.platform.apiUrl}/metrics`;
});

afterAll(async () => {
  await started?.stop();
});

const ISSUED = (currency: string) =>
  `billwright_invoices_issued_total{origin="subscription",currency="${currency}"}`;
const ATTEMPTS = 'billwright_activity_attempts_total{activity_type="issuePeriodInvoice"}';
const FAILURES = 'billwright_activity_failures_total{activity_type="issuePeriodInvoice"}';
const EMAILS = 'billwright_emails_sent_total{kind="invoice_issued"}';
const LAG_COUNT = 'billwright_billing_run_lag_seconds_count';

async function invoicesOf(customerId: string, count: number) {
  return until(`${count} invoices of ${customerId}`, async () => {
    const list = await api('GET', `/v1/invoices?customerId=${customerId}`);
    return list.body.data.length === count && (list.body.data as { id: string }[]);
  });
}

describe('Prometheus metrics', () => {
  it('count real renewals, emails, payments and credit notes once, on the API and the worker', async () => {
    const [beforeApi, beforeWorker] = [await scrape(apiMetrics), await scrape(workerMetrics)];
    expect(beforeWorker.get(ISSUED('EUR')) ?? 0).toBe(0);

    // A subscription on real time: its first invoice is due now, so its lag is measured.
    const now = await api('POST', '/v1/customers', {
      name: 'Now GmbH',
      email: 'billing@now.test',
      currency: 'EUR',
      country: 'DE',
      timezone: 'Europe/Berlin',
      locale: 'de-DE',
    });
    await api('POST', '/v1/plans', {
      code: 'metrics-monthly',
      name: 'Metrics',
      currency: 'EUR',
      interval: 'month',
      amount: 4900,
    });
    expect(
      (
        await api('POST', '/v1/subscriptions', {
          customerId: now.body.id,
          planCode: 'metrics-monthly',
        })
      ).status,
    ).toBe(201);
    // A subscription on a test clock, renewed once by an advance: two invoices, no lag measured.
    const clock = await api('POST', '/v1/test-clocks', { frozenTime: '2027-01-15T10:00:00Z' });
    const clocked = await api('POST', '/v1/customers', {
      name: 'Clocked SAS',
      email: 'billing@clocked.test',
      currency: 'EUR',
      country: 'FR',
      timezone: 'Europe/Paris',
      locale: 'fr-FR',
      testClockId: clock.body.id,
    });
    await api('POST', '/v1/subscriptions', {
      customerId: clocked.body.id,
      planCode: 'metrics-monthly',
    });
    await invoicesOf(clocked.body.id, 1);
    const advance = await api('POST', `/v1/test-clocks/${clock.body.id}/advance`, {
      frozenTime: '2027-02-20T10:00:00Z',
    });
    expect(advance.status).toBe(202);
    await until('the clock ready', async () => {
      const read = await api('GET', `/v1/test-clocks/${clock.body.id}`);
      return read.body.status === 'ready';
    });
    const [first] = await invoicesOf(now.body.id, 1);
    await invoicesOf(clocked.body.id, 2);
    // (Reminders of the clocked invoices go out too; they are counted under their own kind.)
    await until('three invoice emails sent', async () => {
      const sent = delta(await scrape(workerMetrics), beforeWorker, EMAILS);
      return sent >= 3;
    });

    // A payment, sent twice with its reference (counted once), and a credit note.
    const payment = { amount: 1000, method: 'bank transfer', reference: 'metrics-1' };
    expect((await api('POST', `/v1/invoices/${first!.id}/payments`, payment)).status).toBe(201);
    expect((await api('POST', `/v1/invoices/${first!.id}/payments`, payment)).status).toBe(200);
    const credit = await api('POST', `/v1/invoices/${first!.id}/credit-notes`, {
      reason: 'refund',
      amount: 500,
    });
    expect(credit.status, JSON.stringify(credit.body)).toBe(201);

    const [afterApi, afterWorker] = [await scrape(apiMetrics), await scrape(workerMetrics)];
    for (const [after, before] of [
      [afterApi, beforeApi],
      [afterWorker, beforeWorker],
    ] as const) {
      expect(delta(after, before, ISSUED('EUR'))).toBe(3);
      expect(delta(after, before, ATTEMPTS)).toBe(3);
      expect(delta(after, before, FAILURES)).toBe(0);
      expect(delta(after, before, EMAILS)).toBe(3);
      expect(delta(after, before, LAG_COUNT)).toBe(1);
      expect(
        delta(after, before, 'billwright_payments_recorded_total{source="api",currency="EUR"}'),
      ).toBe(1);
      expect(
        delta(after, before, 'billwright_credit_notes_issued_total{origin="api",currency="EUR"}'),
      ).toBe(1);
    }
    // Due now, issued within seconds.
    expect(delta(afterWorker, beforeWorker, 'billwright_billing_run_lag_seconds_sum')).toBeLessThan(
      30,
    );
    expect(afterWorker.get('process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('export the Temporal SDK’s own metrics on their port', async () => {
    const sdk = await scrape(sdkMetrics);
    const names = [...sdk.keys()].map((sample) => sample.split('{')[0]!);
    expect(names.some((n) => n.startsWith('temporal_workflow_task_execution_latency'))).toBe(true);
    expect(names.some((n) => n.startsWith('temporal_activity_execution_latency'))).toBe(true);
    expect(names).toContain('temporal_worker_task_slots_available');
  });

  it('leave the API’s /metrics open without BILLWRIGHT_METRICS_TOKEN, and unlimited', async () => {
    for (let i = 0; i < 3; i++) await scrape(apiMetrics);
    const unknown = await fetch(workerMetrics.replace('/metrics', '/other'));
    expect(unknown.status).toBe(404);
  });
});
