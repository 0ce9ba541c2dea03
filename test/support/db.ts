// Each test file gets its own freshly migrated database on the suite's real PostgreSQL server
// (started once by test/support/global-setup.ts, or DATABASE_URL when given).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { connectDatabase, type Db } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';

export interface TestDatabase {
  db: Db;
  url: string;
  destroy(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('databaseUrl');
  const name = `bw_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await connectDatabase({ url: url.toString() });
  await migrateToLatest(db);
  return { db, url: url.toString(), destroy: () => db.destroy() };
}
