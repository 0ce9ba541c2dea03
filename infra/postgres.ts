// A throw-away PostgreSQL cluster per test run: real Postgres semantics (locks, isolation, SQL
// dialect) without Docker. Lives in a temp dir and is deleted on stop.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { getFreePort } from './free-port.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { onProcessExit, run, runChecked, tailFile } from './process.ts';
import { findOnPath, isExecutableFile } from './which.ts';

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:PORT/billwright */
  url: string;
  port: number;
  dataDir: string;
  /** `pg_ctl restart -m fast`: every connection is terminated (57P01), the server comes back. */
  restart(): Promise<void>;
  /** Shuts the server down (`-m fast`), keeping its data, until {@link ThrowawayPostgres.start}. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and data. */
  start(): Promise<void>;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

const DEBIAN_BINDIR = '/usr/lib/postgresql/15/bin';

/** Directory with initdb, pg_ctl and postgres: `$PG_BINDIR`, `pg_config --bindir`, Debian's path, PATH. */
async function findBinDir(): Promise<string> {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  const pgConfig = await findOnPath('pg_config');
  if (pgConfig) {
    const result = await run(pgConfig, ['--bindir']).catch(() => undefined);
    if (result?.code === 0) candidates.push(result.output.trim());
  }
  candidates.push(DEBIAN_BINDIR);
  for (const dir of candidates) {
    if (
      (await isExecutableFile(join(dir, 'initdb'))) &&
      (await isExecutableFile(join(dir, 'pg_ctl')))
    ) {
      return dir;
    }
  }
  const initdb = await findOnPath('initdb');
  if (initdb) return dirname(initdb);
  throw new Error(
    `PostgreSQL binaries not found (looked in ${candidates.join(', ')} and PATH); set PG_BINDIR`,
  );
}

/** uid and gid of the `postgres` account, which we run as when we are root. */
async function postgresAccount(): Promise<{ uid: number; gid: number }> {
  const uid = await run('id', ['-u', 'postgres']);
  const gid = await run('id', ['-g', 'postgres']);
  if (uid.code !== 0 || gid.code !== 0) {
    throw new Error(
      'running as root, but there is no `postgres` user to run PostgreSQL as (initdb refuses root)',
    );
  }
  return { uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) };
}

export interface ThrowawayPostgresOptions {
  /**
   * Keep PostgreSQL's crash safety on (fsync, synchronous commit, full-page writes), as in
   * production: for benchmarks whose figure depends on commit latency (bench/numbering.ts).
   */
  durable?: boolean;
}

export async function startThrowawayPostgres(
  options: ThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  const started = Date.now();
  const binDir = await findBinDir();
  const isRoot = process.getuid?.() === 0;
  // initdb and postgres refuse to run as root (CI runs as root): drop to the postgres account.
  const runuser = isRoot ? ((await findOnPath('runuser')) ?? '/usr/sbin/runuser') : undefined;
  const asOwner = (tool: string, args: string[]): [string, string[]] =>
    runuser
      ? [runuser, ['-u', 'postgres', '--', join(binDir, tool), ...args]]
      : [join(binDir, tool), args];

  const dir = await mkdtemp(join(tmpdir(), 'billwright-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  if (isRoot) {
    const { uid, gid } = await postgresAccount();
    await chown(dir, uid, gid);
  }
  const removeDir = () => rm(dir, { recursive: true, force: true });

  const port = await getFreePort();
  try {
    // --no-sync: the cluster is thrown away, durability of initdb's files does not matter.
    const [initCmd, initArgs] = asOwner('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ]);
    await runChecked(initCmd, initArgs, { cwd: dir });
    // Throw-away test data: skip fsync, synchronous commit and full-page writes (unless asked to
    // be durable), which only protect against crashes and cost most of the time in test suites.
    const settings = {
      listen_addresses: `'127.0.0.1'`,
      port: String(port),
      unix_socket_directories: `'${dir}'`,
      max_connections: '200',
      ...(!options.durable && {
        fsync: 'off',
        synchronous_commit: 'off',
        full_page_writes: 'off',
      }),
    };
    const conf = Object.entries(settings)
      .map(([key, value]) => `${key} = ${value}`)
      .join('\n');
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      `\n# billwright throw-away cluster\n${conf}\n`,
    );
    const [startCmd, startArgs] = asOwner('pg_ctl', [
      'start',
      '-D',
      dataDir,
      '-l',
      logFile,
      '-w',
      '-t',
      '60',
    ]);
    await runChecked(startCmd, startArgs, { cwd: dir });
  } catch (error) {
    const log = await tailFile(logFile, 20);
    await removeDir();
    throw new Error(
      `throw-away PostgreSQL did not start: ${(error as Error).message}${log ? `\n${log}` : ''}`,
      {
        cause: error,
      },
    );
  }

  // If the test run dies without calling stop(), do not leave a postgres running.
  const [killCmd, killArgs] = asOwner('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate']);
  const removeHook = onProcessExit(() => {
    spawnSync(killCmd, killArgs, { stdio: 'ignore', cwd: '/' });
    rmSync(dir, { recursive: true, force: true });
  });
  let halted = false;
  const stop = async (): Promise<void> => {
    removeHook();
    if (halted) return await removeDir();
    const [stopCmd, stopArgs] = asOwner('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']);
    try {
      await runChecked(stopCmd, stopArgs, { cwd: dir });
    } finally {
      await removeDir();
    }
  };

  try {
    await createDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, 'billwright');
  } catch (error) {
    await stop();
    throw error;
  }
  const pgCtl = async (args: string[]): Promise<void> => {
    const [cmd, cmdArgs] = asOwner('pg_ctl', [...args, '-D', dataDir]);
    await runChecked(cmd, cmdArgs, { cwd: dir });
  };
  const restart = () => pgCtl(['restart', '-m', 'fast', '-w', '-t', '60', '-l', logFile]);
  const halt = async () => {
    await pgCtl(['stop', '-m', 'fast', '-w']);
    halted = true;
  };
  const startAgain = async () => {
    await pgCtl(['start', '-w', '-t', '60', '-l', logFile]);
    halted = false;
  };

  progress(
    `throw-away PostgreSQL ready on port ${port} in ${formatDuration(Date.now() - started)}`,
  );
  return {
    url: `postgres://postgres@127.0.0.1:${port}/billwright`,
    port,
    dataDir,
    restart,
    halt,
    start: startAgain,
    stop,
  };
}

/**
 * Create an empty database next to the one in `url` (one per test file keeps tests isolated)
 * and return its URL.
 */
export async function createDatabase(url: string, name: string): Promise<string> {
  // Identifiers cannot be bound as parameters; accept only plain names so quoting is trivial.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid database name: ${name}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}
