// The stand both live-balance benches run on (bench/balance-lag.ts, bench/threshold-latency.ts):
// a throw-away PostgreSQL, the local Temporal test server, the real worker (activities as
// production wires them, optionally wrapped to time them) and the API in-process.
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app.ts';
import { connectDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { loadConfig } from '../config/index.ts';
import { createDatabase, startThrowawayPostgres } from '../infra/postgres.ts';
import { realActivities } from '../test/support/activities.ts';
import {
  createTimeSkippingEnvironment,
  startTestWorker,
  testDataConverter,
} from '../test/support/temporal.ts';

type Activities = ReturnType<typeof realActivities>;

export async function startBalanceStand(
  database: string,
  wrap: (activities: Activities) => Activities = (activities) => activities,
) {
  const postgres = await startThrowawayPostgres();
  const db = await connectDatabase({ url: await createDatabase(postgres.url, database) });
  await migrateToLatest(db);
  const env = await createTimeSkippingEnvironment();
  const client = new Client({
    connection: await Connection.connect({ address: env.address }),
    namespace: env.namespace ?? 'default',
    dataConverter: testDataConverter,
  });
  const worker = await startTestWorker(env, {
    activities: wrap(realActivities(db, loadConfig({}), { temporal: client })),
  });
  const app = await buildApp({
    db,
    temporal: client,
    config: { publicBaseUrl: 'http://localhost' },
  });
  return {
    db,
    client,
    app,
    stop: async () => {
      await app.close();
      await worker.stop();
      await client.connection.close();
      await env.teardown();
      await db.destroy();
      await postgres.stop();
    },
  };
}
