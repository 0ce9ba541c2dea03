// One way to reach the database: PostgreSQL when DATABASE_URL is set (production, docker
// compose, tests), otherwise embedded PGlite persisted under the data dir, so a newcomer needs
// no database server. Both speak the same SQL; the same migrations and queries run on both.
import { mkdirSync } from 'node:fs';
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export type Db = Kysely<Database>;

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
}

export async function connectDatabase(config: DatabaseConfig): Promise<Db> {
  if (config.url) {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.maxConnections ?? 10,
      types: { getTypeParser: int8AsSafeInteger },
    });
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
