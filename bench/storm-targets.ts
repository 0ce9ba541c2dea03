// Where the renewal storm runs (bench/storm.ts): the Temporal dev server with the billing worker
// in the bench's own process, or the production shape `npm run cluster` starts (two Temporal
// nodes on PostgreSQL, two worker processes), started through infra/cluster's own functions.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../config/index.ts';
import type { Db } from '../db/connect.ts';
import { startCluster } from '../infra/cluster/cluster.ts';
import { startTemporalDevServer } from '../infra/dev-server.ts';
import { spawnLogged } from '../infra/process.ts';
import { startPlatform } from '../runtime/platform.ts';
import type { WatchedProcess } from './storm-measures.ts';

const REPO = resolve(import.meta.dirname, '..');

/** What the storm runs with: production's defaults unless a flag turns one off. */
export interface StormSettings {
  target: 'dev' | 'cluster';
  /** BILLWRIGHT_COLLECTIONS: every invoice starts its collection workflow (default on). */
  collections: boolean;
  /** BILLWRIGHT_EMAIL_PDF: invoice emails attach their PDF (default) or only link it. */
  emailPdf: 'attach' | 'link';
  /**
   * Worker processes that only print PDFs (BILLWRIGHT_WORKER_QUEUES=render), beside the billing
   * worker(s), which then poll the billing queue only. 0: every worker polls both, the default.
   */
  renderWorkers: number;
  payloadKeys: string;
}

/**
 * `npm run bench -- --cluster --no-collections --link-pdf --render-workers=1`, or the same
 * through the env.
 */
export function stormSettings(argv: string[], env: NodeJS.ProcessEnv, payloadKeys: string) {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) =>
    argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const renderWorkers = Number(value('render-workers') ?? env.BENCH_STORM_RENDER_WORKERS ?? 0);
  if (!Number.isInteger(renderWorkers) || renderWorkers < 0) {
    throw new Error(`--render-workers must be a whole number, got ${renderWorkers}`);
  }
  const settings: StormSettings = {
    target: flag('cluster') || env.BENCH_STORM_TARGET === 'cluster' ? 'cluster' : 'dev',
    collections: !flag('no-collections') && env.BENCH_STORM_COLLECTIONS !== 'off',
    emailPdf: flag('link-pdf') || env.BILLWRIGHT_EMAIL_PDF === 'link' ? 'link' : 'attach',
    renderWorkers,
    payloadKeys,
  };
  return settings;
}

export interface StormTarget {
  /** For the table: where the storm ran. */
  name: string;
  address: string;
  namespace: string;
  /** Billwright's database the workers use (fresh, migrated by the bench). */
  databaseUrl: string;
  /** The processes the storm's CPU and RSS figures are read from (PostgreSQL added later). */
  processes: WatchedProcess[];
  /** Starts the billing workers (if they are not running already); resolves to their stop. */
  startWorkers(): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

function workerEnv(settings: StormSettings): Record<string, string> {
  return {
    BILLWRIGHT_COLLECTIONS: settings.collections ? 'on' : 'off',
    BILLWRIGHT_EMAIL_PDF: settings.emailPdf,
    BILLWRIGHT_PAYLOAD_KEYS: settings.payloadKeys,
  };
}

/** The workers' Chromium, printing the PDFs (its processes, wherever in the tree they run). */
function chromium(workerPids: number[]): WatchedProcess {
  return { label: 'Chromium (the PDFs)', pid: 0, chromiumUnder: workerPids };
}

function renderNote(settings: StormSettings): string {
  const n = settings.renderWorkers;
  return n === 0 ? '' : ` (billing only) + ${n} render-only worker process${n > 1 ? 'es' : ''}`;
}

export async function startStormTarget(
  settings: StormSettings,
  freshDatabaseUrl: () => Promise<string>,
): Promise<StormTarget> {
  if (settings.target === 'cluster') {
    // No APIs: the bench starts the workflows itself. The cluster's own throw-away PostgreSQL
    // holds Temporal's databases and Billwright's, as in `npm run cluster`.
    const cluster = await startCluster({
      workers: 2,
      renderWorkers: settings.renderWorkers,
      apis: 0,
      env: workerEnv(settings),
    });
    const pidOf = (p: { child: { pid?: number | undefined } }) => p.child.pid ?? 0;
    return {
      name: `cluster: 2 Temporal nodes, 2 worker processes${renderNote(settings)}`,
      address: cluster.temporalAddress,
      namespace: 'default',
      databaseUrl: cluster.databaseUrl,
      processes: [
        { label: 'bench process', pid: process.pid },
        ...cluster.workers.map((w, i) => ({
          label: `worker ${i + 1} (${w.queues})`,
          pid: pidOf(w.process),
        })),
        ...cluster.nodes.map((n) => ({ label: `Temporal ${n.name}`, pid: pidOf(n.process) })),
        chromium(cluster.workers.map((w) => pidOf(w.process))),
      ],
      // Already polling: the cluster started them as `npm run worker` runs.
      startWorkers: () => Promise.resolve(() => Promise.resolve()),
      stop: () => cluster.stop(),
    };
  }
  const server = await startTemporalDevServer({ uiPort: false });
  const databaseUrl = await freshDatabaseUrl();
  const dataDir = await mkdtemp(join(tmpdir(), 'billwright-storm-'));
  const env = { DATABASE_URL: databaseUrl, BILLWRIGHT_DATA_DIR: dataDir, ...workerEnv(settings) };
  // Render-only workers are processes of their own, started now so their figures cover the storm.
  const renderers = Array.from({ length: settings.renderWorkers }, (_, i) =>
    spawnLogged(process.execPath, [join(REPO, 'bin', 'worker.ts')], {
      logFile: join(dataDir, `render${i + 1}.log`),
      env: {
        ...process.env,
        ...env,
        BILLWRIGHT_DATA_DIR: join(dataDir, `render${i + 1}`),
        BILLWRIGHT_WORKER_QUEUES: 'render',
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: server.namespace,
      },
      cwd: REPO,
    }),
  );
  return {
    name: `dev server, one worker in the bench process${renderNote(settings)}`,
    address: server.address,
    namespace: server.namespace,
    databaseUrl,
    processes: [
      {
        label: `worker 1 (the bench process${renderers.length ? ', billing' : ''})`,
        pid: process.pid,
      },
      ...renderers.map((r, i) => ({ label: `worker ${i + 2} (render)`, pid: r.child.pid ?? 0 })),
      ...(server.pid ? [{ label: 'Temporal dev server', pid: server.pid }] : []),
      chromium([process.pid, ...renderers.map((r) => r.child.pid ?? 0)]),
    ],
    async startWorkers() {
      // The worker exactly as `npm run worker` runs it; outbox email, no sending window.
      const platform = await startPlatform({
        config: loadConfig({
          ...env,
          ...(renderers.length > 0 && { BILLWRIGHT_WORKER_QUEUES: 'billing' }),
        }),
        temporal: { address: server.address, namespace: server.namespace, options: {} },
        roles: { worker: true, api: false },
      });
      return () => platform.stop();
    },
    async stop() {
      for (const renderer of renderers) await renderer.stop(30_000);
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL server behind `db`: its postmaster (the parent of our backend), with children. */
export async function postgresProcess(db: Db): Promise<WatchedProcess | undefined> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  try {
    const stat = await readFile(`/proc/${rows[0]!.pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { label: 'PostgreSQL', pid: ppid, withChildren: true };
  } catch {
    return undefined; // not on this machine
  }
}
