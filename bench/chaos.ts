// npm run chaos: the fault tests' longer versions, against real processes on loopback (a
// throw-away PostgreSQL, the Temporal dev server, the API and the worker as `npm run api` and
// `npm run worker` run them). Each fault hits a burst of billing (renewals on a test clock, or
// first invoices of subscriptions created at once); the table says whether every
// subscription's period got exactly one invoice, number and email, how many API requests failed
// meanwhile, and how long until the API answered 200 again.
//
// CHAOS_SUBSCRIPTIONS (default 50) sets each burst's size, CHAOS_RESTARTS (default 3) how many
// times PostgreSQL and the worker are hit during one burst.
import { setTimeout as delay } from 'node:timers/promises';
import { progress } from '../runtime/log.ts';
import {
  databaseOutage,
  billingBurstUnderFault,
  startFaultPlatform,
  type FaultPlatform,
  type FaultResult,
} from '../test/support/fault-platform.ts';

const subscriptions = Number(process.env.CHAOS_SUBSCRIPTIONS ?? 50);
const restarts = Number(process.env.CHAOS_RESTARTS ?? 3);

async function repeatedly(times: number, gapMs: number, fault: () => Promise<void>) {
  for (let i = 0; i < times; i++) {
    if (i > 0) await delay(gapMs);
    await fault();
  }
}

const scenarios: {
  name: string;
  burst: 'renewals' | 'first-invoices';
  fault: (platform: FaultPlatform) => Promise<void>;
}[] = [
  {
    name: `PostgreSQL restart ×${restarts}`,
    burst: 'renewals',
    fault: (p) => repeatedly(restarts, 2_000, () => p.postgres.restart()),
  },
  {
    name: `PostgreSQL down 5 s ×${restarts}`,
    burst: 'renewals',
    fault: (p) =>
      repeatedly(restarts, 2_000, async () => {
        await p.postgres.halt();
        await delay(5_000);
        await p.postgres.start();
      }),
  },
  {
    // First invoices: a worker killed mid-walk of a test clock waits out the walk's heartbeat.
    name: `worker SIGKILL ×${restarts}`,
    burst: 'first-invoices',
    fault: (p) =>
      repeatedly(restarts, 3_000, async () => {
        await p.killWorker();
        p.startWorker();
      }),
  },
  { name: 'Temporal dev server restart', burst: 'renewals', fault: (p) => p.restartTemporal() },
];

const platform = await startFaultPlatform();
const rows: FaultResult[] = [];
try {
  const idle = await databaseOutage(platform, 5_000);
  rows.push({
    fault: 'PostgreSQL down 5 s, idle',
    subscriptions: 0,
    invoices: 0,
    duplicates: 0,
    missing: 0,
    apiServerErrors: idle.probe.serverErrors,
    recoverySeconds: idle.probe.recoverySeconds(idle.downAt),
    burstSeconds: 0,
    alive: platform.alive(),
    statuses: [...idle.probe.statuses],
  });
  for (const scenario of scenarios) {
    rows.push(
      await billingBurstUnderFault(platform, {
        name: scenario.name,
        subscriptions,
        burst: scenario.burst,
        fault: () => scenario.fault(platform),
        timeoutMs: 600_000,
      }),
    );
    progress(`done: ${scenario.name}`);
  }
} finally {
  await platform.stop();
}

const header = [
  'fault',
  'subscriptions',
  'invoices',
  'duplicates',
  'missing',
  'API 5xx during',
  'recovery s',
  'burst s',
  'alive',
];
const lines = rows.map((r) => [
  r.fault,
  String(r.subscriptions),
  String(r.invoices),
  String(r.duplicates),
  String(r.missing),
  String(r.apiServerErrors),
  r.recoverySeconds.toFixed(1),
  r.burstSeconds.toFixed(1),
  r.alive.api && r.alive.worker ? 'API + worker' : JSON.stringify(r.alive),
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(row(header));
console.log(row(widths.map((w) => '-'.repeat(w))));
for (const line of lines) console.log(row(line));
if (rows.some((r) => r.duplicates > 0 || r.missing > 0 || !r.alive.api || !r.alive.worker))
  process.exitCode = 1;
