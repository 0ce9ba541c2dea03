// The production shape on loopback, without Docker: PostgreSQL, Temporal's schemas set up by
// temporal-sql-tool, two Temporal server nodes forming one cluster behind one address, the
// search attributes registered through the operator API, the Web UI, and Billwright's workers
// and APIs as the separate processes `npm run worker` and `npm run api` run in production.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import pg from 'pg';
import { getFreePort } from '../free-port.ts';
import { formatDuration, progress } from '../../runtime/log.ts';
import { createDatabase, startThrowawayPostgres } from '../postgres.ts';
import { spawnLogged, tailFile, waitForPort, type LoggedProcess } from '../process.ts';
import { missingSearchAttributes, registerSearchAttributes } from '../search-attributes.ts';
import { ensureClusterBinaries } from './binaries.ts';
import { startFrontendProxy } from './frontend-proxy.ts';
import { setupTemporalSchemas } from './schema.ts';
import {
  CLUSTER_HOST,
  freeNodePorts,
  spawnTemporalNode,
  type NodePorts,
  type PostgresEndpoint,
  type TemporalNode,
} from './temporal-node.ts';
import { spawnUiServer, type UiServer } from './ui-server.ts';
import { TEMPORAL_NAMESPACE, TEMPORAL_RETENTION_DAYS } from './versions.ts';

const REPO = resolve(import.meta.dirname, '../..');
const GRPC_ALREADY_EXISTS = 6;

export interface ClusterOptions {
  /** postgres://user:password@host:port/database of an existing server; else a throw-away one. */
  postgresUrl?: string | undefined;
  workers?: number;
  /**
   * Workers that only print PDFs (BILLWRIGHT_WORKER_QUEUES=render), beside the others; with any,
   * the others poll the billing queue only, so printing scales on processes of its own.
   */
  renderWorkers?: number;
  apis?: number;
  /** First API port; the others follow. Free ports when omitted. */
  apiPort?: number | undefined;
  uiPort?: number | undefined;
  temporalPort?: number | undefined;
  /** An API key the UI decrypts payloads with, through the first API's codec endpoint. */
  uiCodecKey?: string | undefined;
  /** Environment of the workers and APIs, on top of this process's and the cluster's own. */
  env?: NodeJS.ProcessEnv;
  /** Where configs and logs go; a fresh temp dir (removed on stop) when omitted. */
  dir?: string | undefined;
}

export interface AppProcess {
  role: 'worker' | 'api';
  process: LoggedProcess;
  /** A worker's task queues, as BILLWRIGHT_WORKER_QUEUES lists them. */
  queues?: string;
  /** The API's base URL. */
  url?: string;
}

export interface Cluster {
  dir: string;
  /** Billwright's database. */
  databaseUrl: string;
  /** The one address clients use (a proxy in front of both nodes' frontends). */
  temporalAddress: string;
  nodes: TemporalNode[];
  ui: UiServer;
  workers: AppProcess[];
  apis: AppProcess[];
  /** Environment the workers and APIs got (payload keys, signing secret, addresses). */
  env: NodeJS.ProcessEnv;
  /** SIGKILL one Temporal node, as a crashed machine would go. */
  killNode(index: number): Promise<void>;
  /** Start a node again on its ports and config (stopping it first if it runs). */
  restartNode(index: number): Promise<void>;
  /** Last lines of every process's log, for failure messages. */
  logs(lines?: number): Promise<string>;
  stop(): Promise<void>;
}

function endpointOf(url: string): PostgresEndpoint {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username || 'postgres'),
    password: decodeURIComponent(parsed.password),
  };
}

async function ensureDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 1) return;
  } finally {
    await client.end();
  }
  await createDatabase(admin.toString(), name);
}

/** Polls `check` every 250 ms until it returns a value; errors count as "not yet". */
export async function waitUntil<T>(
  what: string,
  deadline: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out waiting for ${what}${reason}`);
    }
    await delay(250);
  }
}

/** The namespace on the cluster (the server creates none), and the search attributes on it. */
async function registerNamespace(address: string, deadline: number): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: '5s' });
  try {
    await waitUntil('the namespace to be registered', deadline, async () => {
      try {
        await connection.workflowService.registerNamespace({
          namespace: TEMPORAL_NAMESPACE,
          workflowExecutionRetentionPeriod: msToTs(`${TEMPORAL_RETENTION_DAYS} days`),
        });
      } catch (error) {
        if ((error as { code?: number }).code !== GRPC_ALREADY_EXISTS) throw error;
      }
      return true;
    });
    await waitUntil('the search attributes to be registered', deadline, async () => {
      await registerSearchAttributes(connection, TEMPORAL_NAMESPACE);
      return true;
    });
  } finally {
    await connection.close();
  }
}

/** Each node caches namespaces and search attributes: wait until every node sees them. */
async function waitUntilNodeSeesNamespace(node: TemporalNode, deadline: number): Promise<void> {
  const connection = await Connection.connect({ address: node.address, connectTimeout: '5s' });
  try {
    await waitUntil(`${node.name} to serve namespace ${TEMPORAL_NAMESPACE}`, deadline, async () => {
      await connection.workflowService.describeNamespace({ namespace: TEMPORAL_NAMESPACE });
      const missing = await missingSearchAttributes(connection, TEMPORAL_NAMESPACE);
      return missing.length === 0 ? true : undefined;
    });
  } finally {
    await connection.close();
  }
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const started = Date.now();
  const step = (message: string) =>
    progress(`cluster: ${message} (${formatDuration(Date.now() - started)})`);
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'billwright-cluster-')));
  // Undone in reverse order on stop, or when start-up fails half way.
  const stops: (() => Promise<unknown>)[] = [];
  if (!options.dir) stops.push(() => rm(dir, { recursive: true, force: true }));
  const processes: { name: string; process: LoggedProcess }[] = [];
  const logs = async (lines = 30) =>
    (
      await Promise.all(
        processes.map(
          async ({ name, process }) =>
            // Go servers log whole stack traces on one line: keep the start of each.
            `--- ${name} ---\n${(await tailFile(process.logFile, lines))
              .split('\n')
              .map((line) => line.slice(0, 400))
              .join('\n')}`,
        ),
      )
    ).join('\n');
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn();
  };

  try {
    const binaries = await ensureClusterBinaries();
    step('binaries ready');

    let databaseUrl: string;
    if (options.postgresUrl) {
      databaseUrl = options.postgresUrl;
      await ensureDatabase(databaseUrl);
    } else {
      const postgres = await startThrowawayPostgres();
      stops.push(() => postgres.stop());
      databaseUrl = postgres.url;
    }
    const postgres = endpointOf(databaseUrl);
    step(`PostgreSQL at ${postgres.host}:${postgres.port}`);

    await setupTemporalSchemas(binaries.sqlTool, postgres);
    step('Temporal schemas set up');

    const temporalPort = options.temporalPort ?? (await getFreePort(CLUSTER_HOST));
    const temporalAddress = `${CLUSTER_HOST}:${temporalPort}`;
    const deadline = Date.now() + 180_000;
    const nodes: TemporalNode[] = [];
    const launchNode = async (name: string, ports: NodePorts): Promise<TemporalNode> => {
      const node = await spawnTemporalNode({
        binary: binaries.server,
        dir,
        name,
        ports,
        postgres,
        clusterAddress: temporalAddress,
      });
      processes.push({ name: `Temporal ${name}`, process: node.process });
      await waitForPort(ports.frontend, CLUSTER_HOST, Date.now() + 120_000, node.process.exited);
      return node;
    };
    // One after the other: the first node initialises the cluster's metadata alone.
    for (const [i, name] of ['node1', 'node2'].entries()) {
      nodes.push(await launchNode(name, await freeNodePorts()));
      // Whichever process the node has by then (it may have been restarted).
      stops.push(() => nodes[i]!.process.stop(10_000));
      step(`Temporal ${name} listening on ${nodes[i]!.address}`);
    }
    await registerNamespace(nodes[0]!.address, deadline);
    for (const node of nodes) await waitUntilNodeSeesNamespace(node, deadline);
    step(`namespace ${TEMPORAL_NAMESPACE} and search attributes registered, seen by both nodes`);

    const proxy = await startFrontendProxy(
      nodes.map((node) => ({ host: CLUSTER_HOST, port: node.ports.frontend })),
      { host: CLUSTER_HOST, port: temporalPort },
    );
    stops.push(() => proxy.close());
    step(`cluster address ${temporalAddress} (both frontends behind it)`);

    const apiCount = options.apis ?? 2;
    const apiPorts: number[] = [];
    for (let i = 0; i < apiCount; i++) {
      apiPorts.push(options.apiPort ? options.apiPort + i : await getFreePort(CLUSTER_HOST));
    }
    const apiUrls = apiPorts.map((port) => `http://${CLUSTER_HOST}:${port}`);
    const ui = await spawnUiServer({
      binary: binaries.uiServer,
      dir,
      port: options.uiPort ?? (await getFreePort(CLUSTER_HOST)),
      temporalAddress,
      corsOrigins: apiUrls,
      ...(options.uiCodecKey && apiUrls[0]
        ? { codecEndpoint: `${apiUrls[0]}/codec/key/${options.uiCodecKey}` }
        : {}),
    });
    processes.push({ name: 'Temporal UI', process: ui.process });
    stops.push(() => ui.process.stop(5_000));
    await waitForPort(ui.port, CLUSTER_HOST, deadline, ui.process.exited);
    step(`Temporal UI at ${ui.url}`);

    // What every worker and API must share: the payload keys and the link-signing secret.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BILLWRIGHT_PAYLOAD_KEYS:
        process.env.BILLWRIGHT_PAYLOAD_KEYS ?? `cluster:${randomBytes(32).toString('base64')}`,
      BILLWRIGHT_SIGNING_SECRET:
        process.env.BILLWRIGHT_SIGNING_SECRET ?? randomBytes(32).toString('base64url'),
      BILLWRIGHT_CODEC_CORS_ORIGINS: ui.url,
      BILLWRIGHT_TEMPORAL_UI_URL: ui.url,
      ...options.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE,
    };
    const spawnApp = (role: 'worker' | 'api', n: number, extra: NodeJS.ProcessEnv = {}) => {
      const name = `${role}${n}`;
      const child = spawnLogged(process.execPath, [join(REPO, 'bin', `${role}.ts`)], {
        logFile: join(dir, `${name}.log`),
        env: { ...env, BILLWRIGHT_DATA_DIR: join(dir, name), ...extra },
        cwd: REPO,
      });
      processes.push({ name, process: child });
      // Workers finish their activities first; the nodes stop after them (stops run in reverse).
      stops.push(() => child.stop(30_000));
      return child;
    };
    const workers: AppProcess[] = [];
    const renderWorkers = options.renderWorkers ?? 0;
    const worker = (n: number, queues: string) =>
      workers.push({
        role: 'worker',
        queues,
        process: spawnApp('worker', n, { BILLWRIGHT_WORKER_QUEUES: queues }),
      });
    for (let n = 1; n <= (options.workers ?? 2); n++) {
      worker(n, renderWorkers > 0 ? 'billing' : 'billing,render');
    }
    for (let n = 1; n <= renderWorkers; n++) worker(workers.length + 1, 'render');
    const apis: AppProcess[] = apiPorts.map((port, i) => ({
      role: 'api',
      url: apiUrls[i]!,
      process: spawnApp('api', i + 1, {
        HOST: CLUSTER_HOST,
        PORT: String(port),
        PUBLIC_BASE_URL: env.PUBLIC_BASE_URL ?? apiUrls[0],
      }),
    }));
    for (const worker of workers) {
      await waitUntil(`worker ${worker.process.logFile} to poll`, deadline, async () => {
        if (worker.process.child.exitCode !== null) throw new Error('the worker exited');
        const log = await readFile(worker.process.logFile, 'utf8');
        return log.includes('worker polling') ? true : undefined;
      });
    }
    for (const api of apis) {
      await waitUntil(`the API at ${api.url} to be ready`, deadline, async () => {
        if (api.process.child.exitCode !== null) throw new Error('the API exited');
        const response = await fetch(`${api.url}/health/ready`);
        return response.status === 200 ? true : undefined;
      });
    }
    step(`workers polling: ${workers.length}, APIs ready: ${apis.length}`);
    progress(`cluster started in ${formatDuration(Date.now() - started)}`);
    return {
      dir,
      databaseUrl,
      temporalAddress,
      nodes,
      ui,
      workers,
      apis,
      env,
      async killNode(index) {
        const node = nodes[index]!;
        node.process.child.kill('SIGKILL');
        await node.process.exited;
      },
      async restartNode(index) {
        const node = nodes[index]!;
        await node.process.stop(10_000);
        nodes[index] = await launchNode(node.name, node.ports);
        await waitUntilNodeSeesNamespace(nodes[index], Date.now() + 120_000);
      },
      logs,
      stop,
    };
  } catch (error) {
    const tail = await logs(15);
    await stop();
    throw new Error(`the cluster did not start: ${(error as Error).message}\n${tail}`, {
      cause: error,
    });
  }
}
