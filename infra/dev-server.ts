// A local Temporal dev server (the `temporal` CLI) for development and tests, with the namespace
// and Billwright's search attributes ready before we hand out its address.
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { billwrightSearchAttributes } from '../workflow-contracts/search-attributes.ts';
import { getFreePort, isPortFree } from './free-port.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { spawnLogged, tailFile, waitForPort, type Exit, type LoggedProcess } from './process.ts';
import {
  missingSearchAttributes,
  registerSearchAttributes,
  searchAttributeCliArgs,
} from './search-attributes.ts';
import { ensureTemporalCli } from './temporal-cli.ts';

export { registerSearchAttributes } from './search-attributes.ts';

export interface DevServerOptions {
  /** SQLite file to keep state across restarts; in memory when omitted. */
  dbFilename?: string;
  /** Frontend gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; a free one when omitted; `false` for no UI. */
  uiPort?: number | false;
  /** Namespace to create; `default` when omitted. */
  namespace?: string;
  /**
   * Where the server's output goes. When omitted: a file in the temp dir, deleted after a clean
   * stop (it only matters when start-up fails, and then its tail is in the error).
   */
  logFile?: string;
  /**
   * The codec server the web UI decrypts payloads with (`--ui-codec-endpoint`), e.g. the API's
   * http://localhost:3000/codec/key/<api key>.
   */
  uiCodecEndpoint?: string;
  /** How long start-up may take before we give up (default 60 s). */
  startTimeoutMs?: number;
}

export interface DevServer {
  /** host:port of the frontend, for Connection.connect / NativeConnection.connect. */
  address: string;
  namespace: string;
  uiUrl?: string;
  logFile?: string;
  /** The server process's id (absent when the SDK's download runs it), for benches' CPU figures. */
  pid?: number | undefined;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startTemporalDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = await ensureTemporalCli();
  if (!cli) {
    progress('no Temporal CLI and no Go: falling back to the SDK download of the dev server');
    return await startWithSdk(opts);
  }
  // A free port can be taken by someone else before the server binds it; only then try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWithCli(cli, opts);
    } catch (error) {
      const portsAreOurs = opts.port === undefined && typeof opts.uiPort !== 'number';
      if (!portsAreOurs || attempt >= 3 || !/address already in use/i.test(String(error)))
        throw error;
      progress(`dev server port was taken, retrying (${attempt})`);
    }
  }
}

async function startWithCli(cli: string, opts: DevServerOptions): Promise<DevServer> {
  const started = Date.now();
  const deadline = started + (opts.startTimeoutMs ?? 60_000);
  const namespace = opts.namespace ?? 'default';
  const port = opts.port ?? (await getFreePort(HOST));
  const uiPort = opts.uiPort === false ? undefined : (opts.uiPort ?? (await getFreePort(HOST)));
  // Otherwise our readiness probe would happily talk to whatever already listens there.
  for (const p of uiPort === undefined ? [port] : [port, uiPort]) {
    if (!(await isPortFree(p, HOST))) throw new Error(`${HOST}:${p}: address already in use`);
  }
  const logFile = opts.logFile ?? join(tmpdir(), `billwright-temporal-dev-${port}.log`);
  const args = [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(port),
    ...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(uiPort !== undefined && opts.uiCodecEndpoint
      ? ['--ui-codec-endpoint', opts.uiCodecEndpoint]
      : []),
    ...(opts.dbFilename ? ['--db-filename', opts.dbFilename] : []),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    '--color',
    'never',
    ...searchAttributeCliArgs(),
  ];
  const server = spawnLogged(cli, args, { logFile });
  const address = `${HOST}:${port}`;
  try {
    await waitForPort(port, HOST, deadline, server.exited);
    await waitUntilUsable(address, namespace, deadline, server);
  } catch (error) {
    await server.stop(5_000);
    throw new Error(
      `Temporal dev server (${cli} ${args.join(' ')}) did not become ready: ${(error as Error).message}\n` +
        `--- last lines of ${logFile} ---\n${await tailFile(logFile)}`,
      { cause: error },
    );
  }
  progress(
    `Temporal dev server ready at ${address} (namespace ${namespace}) in ${formatDuration(Date.now() - started)}`,
  );
  return {
    address,
    namespace,
    uiUrl: uiPort === undefined ? undefined : `http://${HOST}:${uiPort}`,
    logFile,
    pid: server.child.pid,
    stop: async () => {
      const exit = await server.stop(10_000);
      if (opts.logFile === undefined && exit.signal !== 'SIGKILL')
        await rm(logFile, { force: true });
    },
  };
}

/**
 * The port opens before the namespace exists and before search attributes are visible, and
 * tests would fail with NotFound. Poll describeNamespace, then check (and if needed add) the
 * search attributes, all within the deadline.
 */
async function waitUntilUsable(
  address: string,
  namespace: string,
  deadline: number,
  server?: LoggedProcess,
): Promise<void> {
  let exit: Exit | undefined;
  void server?.exited.then((e) => (exit = e));
  let lastError: unknown;
  let connection: Connection | undefined;
  try {
    for (;;) {
      if (exit) throw new Error(`server exited (code ${exit.code}, signal ${exit.signal})`);
      if (Date.now() > deadline) {
        throw new Error(
          `deadline passed; last error: ${(lastError as Error | undefined)?.message ?? 'none'}`,
        );
      }
      try {
        connection ??= await Connection.connect({ address, connectTimeout: '5s' });
        await connection.workflowService.describeNamespace({ namespace });
        await registerSearchAttributes(connection, namespace);
        const missing = await missingSearchAttributes(connection, namespace);
        if (missing.length === 0) return;
        lastError = new Error(`search attributes not registered yet: ${missing.join(', ')}`);
      } catch (error) {
        lastError = error;
      }
      await delay(200);
    }
  } finally {
    await connection?.close();
  }
}

/** No CLI binary and no Go to build one: let the SDK download the CLI (needs GitHub access). */
async function startWithSdk(opts: DevServerOptions): Promise<DevServer> {
  const started = Date.now();
  const namespace = opts.namespace ?? 'default';
  const uiPort = opts.uiPort === false ? undefined : (opts.uiPort ?? (await getFreePort(HOST)));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: HOST,
      port: opts.port,
      ui: uiPort !== undefined,
      uiPort,
      dbFilename: opts.dbFilename,
      namespace,
      log: { format: 'pretty', level: 'warn' },
      searchAttributes: [...billwrightSearchAttributes],
      ...(opts.uiCodecEndpoint ? { extraArgs: ['--ui-codec-endpoint', opts.uiCodecEndpoint] } : {}),
    },
  });
  try {
    await waitUntilUsable(env.address, namespace, Date.now() + (opts.startTimeoutMs ?? 60_000));
  } catch (error) {
    await env.teardown();
    throw new Error(
      `Temporal dev server (SDK download) did not become ready: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  progress(
    `Temporal dev server (SDK download) ready at ${env.address} in ${formatDuration(Date.now() - started)}`,
  );
  return {
    address: env.address,
    namespace,
    uiUrl: uiPort === undefined ? undefined : `http://${HOST}:${uiPort}`,
    stop: () => env.teardown(),
  };
}
