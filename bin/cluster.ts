// `npm run cluster`: the production shape on this machine (infra/cluster/): PostgreSQL, two
// Temporal server nodes on it behind one address, the Temporal UI, two workers and two APIs.
// Ctrl-C stops everything. Ports are free ones unless set: PORT (first API), TEMPORAL_PORT,
// TEMPORAL_UI_PORT; CLUSTER_POSTGRES_URL uses an existing PostgreSQL instead of a throw-away one.
import { randomBytes } from 'node:crypto';
import closeWithGrace from 'close-with-grace';
import { connectDatabase } from '../db/connect.ts';
import { ensureApiKey } from '../db/repositories/api-keys.ts';
import { startCluster } from '../infra/cluster/cluster.ts';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../infra/cluster/versions.ts';
import { progress } from '../runtime/log.ts';

const port = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const devKey = `bw_dev_${randomBytes(18).toString('base64url')}`;
const uiKey = `bw_ui_${randomBytes(18).toString('base64url')}`;

const cluster = await startCluster({
  postgresUrl: process.env.CLUSTER_POSTGRES_URL,
  apiPort: port('PORT'),
  temporalPort: port('TEMPORAL_PORT'),
  uiPort: port('TEMPORAL_UI_PORT'),
  uiCodecKey: uiKey,
});
let stopping: Promise<void> | undefined;
closeWithGrace({ delay: 60_000 }, async ({ signal, err }) => {
  if (err) console.error(err);
  progress(`stopping the cluster (${signal ?? 'error'})…`);
  stopping ??= cluster.stop();
  await stopping;
  progress('stopped');
});

const db = await connectDatabase({ url: cluster.databaseUrl });
try {
  await ensureApiKey(db, 'cluster', devKey);
  await ensureApiKey(db, 'temporal-ui', uiKey);
} finally {
  await db.destroy();
}

console.log(`
  Billwright runs on a two-node Temporal cluster (server v${TEMPORAL_SERVER_VERSION}, UI v${TEMPORAL_UI_VERSION}).

  APIs         ${cluster.apis.map((api) => api.url).join('  ')}
  Workers      ${cluster.workers.length} (pids ${cluster.workers.map((w) => w.process.child.pid).join(', ')})
  Temporal     ${cluster.temporalAddress}, namespace ${cluster.env.TEMPORAL_NAMESPACE} (nodes ${cluster.nodes.map((n) => n.address).join(', ')})
  Temporal UI  ${cluster.ui.url}
  PostgreSQL   ${cluster.databaseUrl}
  Logs         ${cluster.dir}
  API key      ${devKey}

  Try it:
    export BW_KEY=${devKey}
    curl -s ${cluster.apis[0]!.url}/v1/customers -H "Authorization: Bearer $BW_KEY"

  Ctrl-C stops everything.
`);
