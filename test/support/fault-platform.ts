// Real processes under real faults: a throw-away PostgreSQL we may restart, a Temporal dev server
// we may restart on the same port and history file, and the API and the worker as the separate
// processes `npm run api` and `npm run worker` run in production. Shared by test/faults/ and
// `npm run chaos` (bench/chaos.ts). Loopback only; everything started here is stopped here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { connectDatabase, type Db } from '../../db/connect.ts';
import { createApiKey } from '../../db/repositories/api-keys.ts';
import { startTemporalDevServer, type DevServer } from '../../infra/dev-server.ts';
import { getFreePort } from '../../infra/free-port.ts';
import { progress } from '../../runtime/log.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../infra/postgres.ts';
import { spawnLogged, tailFile, type LoggedProcess } from '../../infra/process.ts';
import { TEST_PAYLOAD_KEYS_ENV } from './payload-keys.ts';

const REPO = resolve(import.meta.dirname, '../..');

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: any;
}

export interface FaultPlatform {
  postgres: ThrowawayPostgres;
  /** The harness's own connection, for counting what was billed. */
  db: Db;
  apiUrl: string;
  api(method: string, path: string, body?: unknown): Promise<HttpAnswer>;
  /** Whether the API and the current worker process are running. */
  alive(): { api: boolean; worker: boolean };
  killWorker(): Promise<void>;
  startWorker(): void;
  restartTemporal(): Promise<void>;
  /** Another API process on a free port (the caller stops it). */
  spawnApi(): Promise<{ process: LoggedProcess; url: string }>;
  /** The last lines of both processes' logs, for failure messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export async function startFaultPlatform(): Promise<FaultPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'billwright-faults-'));
  const temporalPort = await getFreePort();
  const temporalOptions = {
    port: temporalPort,
    uiPort: false as const,
    dbFilename: join(dir, 'temporal.db'),
    logFile: join(dir, 'temporal.log'),
  };
  const [postgres, firstDevServer] = await Promise.all([
    startThrowawayPostgres(),
    startTemporalDevServer(temporalOptions),
  ]);
  let devServer: DevServer | undefined = firstDevServer;
  const apiPort = await getFreePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    BILLWRIGHT_CACHE_DIR: process.env.BILLWRIGHT_CACHE_DIR,
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_NAMESPACE: devServer.namespace,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    BILLWRIGHT_DATA_DIR: join(dir, 'data'),
    BILLWRIGHT_EMAIL_PDF: 'link',
    BILLWRIGHT_COLLECTIONS: 'off',
    BILLWRIGHT_TEST_CLOCKS: 'on',
    BILLWRIGHT_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS_ENV,
  };
  const spawnRole = (role: 'api' | 'worker', n: number, extraEnv: NodeJS.ProcessEnv = {}) =>
    spawnLogged(process.execPath, [join(REPO, 'bin', `${role}.ts`)], {
      logFile: join(dir, `${role}-${n}.log`),
      env: { ...env, ...extraEnv },
      cwd: REPO,
    });
  let apis = 1;
  const apiProcess = spawnRole('api', 1);
  let workers = 1;
  let workerProcess = spawnRole('worker', workers);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  let key = '';
  const api = async (method: string, path: string, body?: unknown): Promise<HttpAnswer> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return {
      status: response.status,
      headers: response.headers,
      body: isJson ? JSON.parse(text) : text,
    };
  };
  const running = (p: LoggedProcess) => p.child.exitCode === null && p.child.signalCode === null;
  const logs = async () =>
    [
      `--- API ---\n${await tailFile(apiProcess.logFile, 30)}`,
      `--- worker ---\n${await tailFile(workerProcess.logFile, 30)}`,
    ].join('\n');

  const db = await connectDatabase({ url: postgres.url, onConnectionError: () => {} });
  const stop = async () => {
    await Promise.all([apiProcess.stop(10_000), workerProcess.stop(30_000)]);
    await db.destroy();
    await devServer?.stop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('the API to be ready', 90_000, async () => {
      if (!running(apiProcess)) throw new Error(`the API exited\n${await logs()}`);
      return (await api('GET', '/health/ready').catch(() => undefined))?.status === 200;
    });
    ({ key } = await createApiKey(db, 'faults'));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    postgres,
    db,
    apiUrl,
    api,
    alive: () => ({ api: running(apiProcess), worker: running(workerProcess) }),
    async killWorker() {
      workerProcess.child.kill('SIGKILL');
      await workerProcess.exited;
    },
    startWorker() {
      workerProcess = spawnRole('worker', ++workers);
    },
    async restartTemporal() {
      await devServer?.stop();
      devServer = undefined;
      devServer = await startTemporalDevServer(temporalOptions);
    },
    async spawnApi() {
      const port = await getFreePort();
      return {
        process: spawnRole('api', ++apis, { PORT: String(port) }),
        url: `http://127.0.0.1:${port}`,
      };
    },
    logs,
    stop,
  };
}

/** Polls `check` every 200 ms until it returns something truthy; fails after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | false | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(200);
  }
}

/** What the API answered, every 250 ms, while a fault was going on. */
export class ApiProbe {
  readonly answers: { at: number; status: number }[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(platform: FaultPlatform) {
    this.loop = (async () => {
      while (this.running) {
        const at = Date.now();
        const status = await platform
          .api('GET', '/v1/customers?limit=1')
          .then((a) => a.status)
          .catch(() => 0);
        this.answers.push({ at, status });
        await delay(250);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Answers of 500 and above (0: no answer at all). */
  get serverErrors(): number {
    return this.answers.filter((a) => a.status >= 500 || a.status === 0).length;
  }

  get statuses(): Set<number> {
    return new Set(this.answers.map((a) => a.status));
  }

  /** Seconds from `since` to the first 200 after the last failure (0 when none failed). */
  recoverySeconds(since: number): number {
    const lastFailure = this.answers.findLastIndex((a) => a.status !== 200);
    if (lastFailure === -1) return 0;
    const recovered = this.answers[lastFailure + 1];
    return recovered ? (recovered.at - since) / 1000 : NaN;
  }
}

export interface BillingCounts {
  subscriptions: number;
  invoices: number;
  /** Extra invoices, numbers and emails beyond one per (subscription, period). */
  duplicates: number;
  /** (subscription, period) pairs without their invoice, number or email. */
  missing: number;
}

/**
 * Counts the invoices, numbers and invoice emails of the subscriptions to `planCode` (each burst
 * has its own plan), each expected to have exactly `periods` periods billed.
 */
export async function countBilling(
  db: Db,
  planCode: string,
  periods: number,
): Promise<BillingCounts> {
  const { rows } = await sql<{
    subscriptions: number;
    invoices: number;
    pairs: number;
    numbered: number;
    distinct_numbers: number;
    emailed: number;
    emails: number;
  }>`
    with clocked as (
      select s.id from subscriptions s join plans p on p.id = s.plan_id
      where p.code = ${planCode}
    ), inv as (
      select i.* from invoices i where i.subscription_id in (select id from clocked)
    ), mail as (
      select i.id, count(o.id)::int as n from inv i
      left join outbox_messages o on o.idempotency_key = 'invoice/' || i.id || '/issued'
      group by i.id
    )
    select
      (select count(*) from clocked)::int as subscriptions,
      (select count(*) from inv)::int as invoices,
      (select count(distinct (subscription_id, period_start)) from inv)::int as pairs,
      (select count(number) from inv)::int as numbered,
      (select count(distinct number) from inv)::int as distinct_numbers,
      (select count(*) from mail where n > 0)::int as emailed,
      (select coalesce(sum(n), 0) from mail)::int as emails
  `.execute(db);
  const r = rows[0]!;
  const expected = r.subscriptions * periods;
  return {
    subscriptions: r.subscriptions,
    invoices: r.invoices,
    duplicates: r.invoices - r.pairs + (r.numbered - r.distinct_numbers) + (r.emails - r.emailed),
    missing: expected - r.pairs + (r.invoices - r.numbered) + (r.invoices - r.emailed),
  };
}

const CLOCK_START = '2027-01-15T10:00:00Z';
const CLOCK_RENEWAL = '2027-02-15T10:00:00Z';
let plans = 0;

/**
 * `n` customers, each subscribed to a fresh plan; on the test clock when `clockId` is given.
 * Answers the plan's code, which identifies the burst.
 */
export async function subscribeCustomers(
  platform: FaultPlatform,
  n: number,
  clockId?: string,
): Promise<string> {
  const planCode = `fault-monthly-${++plans}`;
  await platform.api('POST', '/v1/plans', {
    code: planCode,
    name: 'Fault (monthly)',
    currency: 'EUR',
    interval: 'month',
    amount: 4_900,
  });
  const subscribe = async (i: number) => {
    const customer = await platform.api('POST', '/v1/customers', {
      name: `Fault customer ${i}`,
      email: `customer${i}@faults.test`,
      currency: 'EUR',
      country: 'IE',
      timezone: 'Europe/Dublin',
      locale: 'en-IE',
      ...(clockId ? { testClockId: clockId } : {}),
    });
    if (customer.status !== 201)
      throw new Error(`customer: ${customer.status} ${JSON.stringify(customer.body)}`);
    const subscription = await platform.api('POST', '/v1/subscriptions', {
      customerId: customer.body.id,
      planCode,
    });
    if (subscription.status !== 201)
      throw new Error(`subscription: ${subscription.status} ${JSON.stringify(subscription.body)}`);
  };
  for (let i = 0; i < n; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, j) => subscribe(i + j)));
  }
  return planCode;
}

async function startClock(platform: FaultPlatform): Promise<string> {
  const clock = await platform.api('POST', '/v1/test-clocks', { frozenTime: CLOCK_START });
  if (clock.status !== 201)
    throw new Error(`test clock: ${clock.status} ${JSON.stringify(clock.body)}`);
  return clock.body.id as string;
}

export interface FaultResult extends BillingCounts {
  fault: string;
  apiServerErrors: number;
  recoverySeconds: number;
  /** Seconds from the advance until every renewal was invoiced and emailed. */
  burstSeconds: number;
  alive: { api: boolean; worker: boolean };
  statuses: number[];
}

/**
 * A burst of billing with `fault` injected once its first invoice exists; waits until everything
 * is billed (or `timeoutMs`). `renewals`: `n` subscriptions on a test clock, first invoiced, then
 * the clock advanced a month so all renew at once (the walk heartbeats every step, so a worker
 * killed mid-walk delays it by the 2-minute heartbeat timeout). `first-invoices`: `n`
 * subscriptions created at once in real time, each invoicing its first period immediately.
 */
export async function billingBurstUnderFault(
  platform: FaultPlatform,
  options: {
    name: string;
    subscriptions: number;
    burst: 'renewals' | 'first-invoices';
    fault: () => Promise<void>;
    timeoutMs?: number;
  },
): Promise<FaultResult> {
  const n = options.subscriptions;
  const periods = options.burst === 'renewals' ? 2 : 1;
  let started = Date.now();
  let planCode: string;
  if (options.burst === 'renewals') {
    const clockId = await startClock(platform);
    planCode = await subscribeCustomers(platform, n, clockId);
    await waitUntil('the first invoices and emails', 120_000, async () => {
      const counts = await countBilling(platform.db, planCode, 1);
      return counts.missing === 0 && counts.invoices === n;
    });
    started = Date.now();
    const advance = await platform.api('POST', `/v1/test-clocks/${clockId}/advance`, {
      frozenTime: CLOCK_RENEWAL,
    });
    if (advance.status !== 202) throw new Error(`advance: ${advance.status}`);
  } else {
    planCode = await subscribeCustomers(platform, n);
  }
  await waitUntil('the first invoice of the burst', 60_000, async () => {
    const counts = await countBilling(platform.db, planCode, periods);
    return counts.invoices > n * (periods - 1);
  });
  const probe = new ApiProbe(platform);
  const faultAt = Date.now();
  const before = await countBilling(platform.db, planCode, periods);
  progress(`fault: ${options.name} (${before.invoices - n * (periods - 1)} of ${n} invoiced)`);
  try {
    await options.fault();
    await waitUntil('every invoice issued and emailed', options.timeoutMs ?? 180_000, async () => {
      const counts = await countBilling(platform.db, planCode, periods).catch(() => undefined);
      return counts?.missing === 0 && counts;
    });
  } finally {
    await probe.stop();
  }
  const burstSeconds = (Date.now() - started) / 1000;
  // Let anything still in flight land before counting duplicates.
  await delay(1_000);
  return {
    fault: options.name,
    ...(await countBilling(platform.db, planCode, periods)),
    apiServerErrors: probe.serverErrors,
    recoverySeconds: probe.recoverySeconds(faultAt),
    burstSeconds,
    alive: platform.alive(),
    statuses: [...probe.statuses],
  };
}

/** Stops PostgreSQL for `downMs` while probing the API; the API must answer 503 then 200. */
export async function databaseOutage(
  platform: FaultPlatform,
  downMs: number,
): Promise<{ probe: ApiProbe; downAt: number; upAt: number; readyDuring: HttpAnswer }> {
  const probe = new ApiProbe(platform);
  await delay(500);
  const downAt = Date.now();
  await platform.postgres.halt();
  await delay(downMs / 2);
  const readyDuring = await platform.api('GET', '/health/ready');
  await delay(downMs / 2);
  await platform.postgres.start();
  const upAt = Date.now();
  await waitUntil('the API to answer 200 again', 30_000, () => {
    const last = probe.answers.at(-1);
    return Promise.resolve(last !== undefined && last.at > upAt && last.status === 200);
  });
  await probe.stop();
  return { probe, downAt, upAt, readyDuring };
}
