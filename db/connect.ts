// One way to reach the database: PostgreSQL when DATABASE_URL is set (production, docker
// compose, tests), otherwise embedded PGlite persisted under the data dir, so a newcomer needs
// no database server. Both speak the same SQL; the same migrations and queries run on both.
import { mkdirSync } from 'node:fs';
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export type Db = Kysely<Database>;

/** Runs `fn` in the caller's transaction when given one, else in a new one. */
export async function inTransaction<T>(
  db: Db | Transaction<Database>,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<Database>) : db.transaction().execute(fn);
}

/** int8 columns hold money in minor units: parse to a number, refuse anything unsafe. */
export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds 2^53`);
  return n;
}

const INT8_OID = 20;

// Only the text format is used by node-postgres queries; other types keep their parsers.
const int8AsSafeInteger = ((oid: number): ((value: string) => unknown) =>
  oid === INT8_OID
    ? parseInt8
    : (pg.types.getTypeParser(oid, 'text') as (
        value: string,
      ) => unknown)) as typeof pg.types.getTypeParser;

// The node-postgres pool behind each PostgreSQL Kysely instance, for named prepared statements.
const pools = new WeakMap<Db, pg.Pool>();

/**
 * Runs `text` as a named prepared statement where the driver has them (node-postgres parses and
 * plans it once per connection instead of on every call), and as plain SQL on PGlite or inside
 * a transaction. For hot paths whose SQL text never changes, e.g. usage ingestion.
 */
export async function executePrepared<R>(
  db: Db | Transaction<Database>,
  name: string,
  text: string,
  values: readonly unknown[],
): Promise<R[]> {
  const pool = pools.get(db);
  if (pool)
    return (await pool.query<R & pg.QueryResultRow>({ name, text, values: [...values] })).rows;
  return (await db.executeQuery<R>(CompiledQuery.raw(text, [...values]))).rows;
}

export interface DatabaseConfig {
  /** postgres:// URL; when absent, PGlite under `dataDir` (or in memory without one). */
  url?: string | undefined;
  dataDir?: string | undefined;
  maxConnections?: number;
  /** How long a query may wait for a pooled connection before failing (default 5 s). */
  connectionTimeoutMs?: number;
  /** Where a lost pooled connection is reported; stderr by default. */
  onConnectionError?: (error: Error) => void;
}

// SQLSTATE classes and codes that mean "the server is away", not "the query is wrong":
// 08 connection exception, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now
// (starting up or shutting down), 53300 too many connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// node-postgres reports these as plain Errors, without a code.
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /connection timeout/i,
  /Client has encountered a connection error and is not queryable/i,
  /Cannot use a pool after calling end/i,
];

/**
 * Whether `error` (or an error it wraps) says the database cannot be reached right now: worth
 * retrying later, and for the API a 503 rather than a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(e.message))) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

export async function connectDatabase(config: DatabaseConfig): Promise<Db> {
  if (config.url) {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.maxConnections ?? 10,
      types: { getTypeParser: int8AsSafeInteger },
      // While the server is away, a query fails after this instead of queueing forever.
      connectionTimeoutMillis: config.connectionTimeoutMs ?? 5_000,
    });
    // An idle pooled client whose server goes away (restart, failover: 57P01) emits 'error' on
    // the pool; unheard, it would crash the process. The pool has already dropped the client
    // and opens a fresh one on the next query.
    const onConnectionError =
      config.onConnectionError ??
      ((error: Error) =>
        process.stderr.write(
          `[billwright] PostgreSQL connection lost (${describeDatabaseError(error)}); the pool reconnects on next use\n`,
        ));
    pool.on('error', onConnectionError);
    // A checked-out client (say, inside a transaction waiting on Temporal) has no pool listener:
    // its next query fails with the connection error instead, and the pool discards it on release.
    pool.on('connect', (client) => client.on('error', ignoreCheckedOutClientError));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    pools.set(db, pool);
    return db;
  }
  // Loaded lazily: production images running against PostgreSQL never load the WASM build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  const pglite = new PGlite(config.dataDir, { parsers: { [INT8_OID]: parseInt8 } });
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}

function ignoreCheckedOutClientError(): void {}

/** "57P01 terminating connection due to administrator command": code first, for logs. */
export function describeDatabaseError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message =
    error.message ||
    (error instanceof AggregateError ? error.errors.map(describeDatabaseError).join('; ') : '');
  return typeof code === 'string' ? `${code} ${message}`.trim() : message || error.name;
}

/** host:port of a postgres:// URL, for progress lines (never the credentials). */
export function databaseAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
}
