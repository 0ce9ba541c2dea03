// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded PGlite).
import { loadConfig } from '../config/index.ts';
import { connectDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';

const config = loadConfig();
const db = await connectDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.destroy();
}
