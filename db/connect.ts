// One way to reach the database: PostgreSQL when DATABASE_URL is set (production, docker
// compose, tests), otherwise embedded PGlite persisted under the data dir, so a newcomer needs
// no database server. Both speak the same SQL; the same migrations and queries run on both.
import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
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
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  // Loaded lazily: production images running against PostgreSQL never load the WASM build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  const pglite = new PGlite(config.dataDir, { parsers: { [INT8_OID]: parseInt8 } });
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}
