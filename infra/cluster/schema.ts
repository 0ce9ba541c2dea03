// temporal-sql-tool creates Temporal's two databases on PostgreSQL and brings their schemas to
// the server's version: persistence in `temporal`, advanced visibility (what custom search
// attributes need) in `temporal_visibility`. Safe to run again on a cluster's existing database.
import pg from 'pg';
import { formatDuration, progress } from '../../runtime/log.ts';
import { runChecked } from '../process.ts';
import type { PostgresEndpoint } from './temporal-node.ts';
import {
  TEMPORAL_DATABASE,
  TEMPORAL_SQL_PLUGIN,
  TEMPORAL_VISIBILITY_DATABASE,
} from './versions.ts';

// Schemas the tool carries inside its binary, named as in Temporal's schema/ directory.
export const TEMPORAL_SCHEMAS = [
  [TEMPORAL_DATABASE, 'postgresql/v12/temporal'],
  [TEMPORAL_VISIBILITY_DATABASE, 'postgresql/v12/visibility'],
] as const;

async function databaseExists(postgres: PostgresEndpoint, name: string): Promise<boolean> {
  const client = new pg.Client({ ...postgres, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    return found.rowCount === 1;
  } finally {
    await client.end();
  }
}

export async function setupTemporalSchemas(
  sqlTool: string,
  postgres: PostgresEndpoint,
): Promise<void> {
  const started = Date.now();
  // The password goes through the environment, not the command line that `ps` shows.
  const env = { ...process.env, SQL_PASSWORD: postgres.password };
  for (const [database, schema] of TEMPORAL_SCHEMAS) {
    const tool = (...args: string[]) =>
      runChecked(
        sqlTool,
        [
          '--plugin',
          TEMPORAL_SQL_PLUGIN,
          '--ep',
          postgres.host,
          '--port',
          String(postgres.port),
          '--user',
          postgres.user,
          '--db',
          database,
          ...args,
        ],
        { env },
      );
    if (!(await databaseExists(postgres, database))) {
      await tool('create');
      await tool('setup-schema', '-v', '0.0');
    }
    await tool('update-schema', '--schema-name', schema);
  }
  progress(
    `Temporal schemas ready in ${TEMPORAL_DATABASE} and ${TEMPORAL_VISIBILITY_DATABASE} (${formatDuration(Date.now() - started)})`,
  );
}
