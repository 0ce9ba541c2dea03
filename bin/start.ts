// `npm start`: everything on one laptop. Provisions and starts the Temporal dev server (UI on
// :8233, history kept under the data dir), migrates the database (embedded PGlite unless
// DATABASE_URL is set), and runs the worker and the API (:3000) in this process.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { ensureApiKey } from '../db/repositories/api-keys.ts';
import { loadConfig, parsePayloadKeys } from '../config/index.ts';
import { startTemporalDevServer } from '../infra/dev-server.ts';
import { progress } from '../runtime/log.ts';
import { startPlatform } from '../runtime/platform.ts';
import { temporalTargetFromEnv } from '../temporal/connection.ts';

const config = loadConfig();
mkdirSync(config.dataDir, { recursive: true });

// Hosted invoice links are signed; a secret kept in the data dir keeps links already sent working
// across restarts. Production sets BILLWRIGHT_SIGNING_SECRET instead.
if (!config.signingSecret) {
  const secretFile = join(config.dataDir, 'signing-secret');
  if (!existsSync(secretFile)) {
    writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  config.signingSecret = readFileSync(secretFile, 'utf8').trim();
}

// Temporal payloads are encrypted; a key kept in the data dir keeps the dev server's history
// readable across restarts. Production sets BILLWRIGHT_PAYLOAD_KEYS instead.
if (config.payloadEncryption && !config.payloadKeys) {
  const keyFile = join(config.dataDir, 'payload-keys');
  if (!existsSync(keyFile)) {
    writeFileSync(keyFile, `dev:${randomBytes(32).toString('base64')}`, { mode: 0o600 });
  }
  config.payloadKeys = parsePayloadKeys(readFileSync(keyFile, 'utf8').trim());
}

// A development key that survives restarts, so the curl lines below keep working; known before
// the dev server starts, whose UI decrypts payloads through the API's codec endpoint with it.
const keyFile = join(config.dataDir, 'dev-api-key');
const devKey = existsSync(keyFile)
  ? readFileSync(keyFile, 'utf8').trim()
  : `bw_dev_${randomBytes(18).toString('base64url')}`;
writeFileSync(keyFile, devKey, { mode: 0o600 });
const publicApi = config.publicBaseUrl.replace(/\/+$/, '');

// TEMPORAL_ADDRESS points at an existing cluster; otherwise we run the dev server ourselves.
const devServer = !config.temporalDevServer
  ? undefined
  : await startTemporalDevServer({
      dbFilename: join(config.dataDir, 'temporal.db'),
      port: config.temporalDevServer.port,
      uiPort: config.temporalDevServer.uiPort,
      logFile: join(config.dataDir, 'temporal-dev-server.log'),
      ...(config.payloadEncryption ? { uiCodecEndpoint: `${publicApi}/codec/key/${devKey}` } : {}),
    });

const temporal = temporalTargetFromEnv(
  devServer && { address: devServer.address, namespace: devServer.namespace },
);
progress(
  `database: ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}/pglite`}`,
);
const platform = await startPlatform({ config, temporal, apiLogger: { level: 'info' } });

await ensureApiKey(platform.db, 'development', devKey);

const api = platform.apiUrl!.replace('127.0.0.1', 'localhost');
console.log(`
  Billwright is running.

  API          ${api}      (OpenAPI docs: ${api}/docs)
  Temporal UI  ${devServer?.uiUrl ?? '(external cluster)'}
  Finance      ${api}/dashboard (sign in with the dev API key)
  Temporal     ${temporal.address}, namespace ${temporal.namespace}
  Payloads     ${config.payloadEncryption ? `encrypted (key ${config.payloadKeys![0]!.id}); the UI decrypts through ${publicApi}/codec` : 'not encrypted (BILLWRIGHT_PAYLOAD_ENCRYPTION=off)'}
  Dev API key  ${devKey}

  Try it:
    export BW_KEY=${devKey}
    curl -s -X POST ${api}/v1/customers -H "Authorization: Bearer $BW_KEY" -H 'Content-Type: application/json' \\
      -d '{"name":"Acme GmbH","email":"billing@acme.test","currency":"EUR","country":"DE","timezone":"Europe/Berlin","locale":"de-DE"}'
    curl -s -X POST ${api}/v1/plans -H "Authorization: Bearer $BW_KEY" -H 'Content-Type: application/json' \\
      -d '{"code":"pro-monthly","name":"Pro (monthly)","currency":"EUR","interval":"month","amount":4900}'
    curl -s -X POST ${api}/v1/subscriptions -H "Authorization: Bearer $BW_KEY" -H 'Content-Type: application/json' \\
      -d '{"customerId":"<id from the first call>","planCode":"pro-monthly"}'
    curl -s ${api}/v1/invoices -H "Authorization: Bearer $BW_KEY"
    curl -s ${api}/v1/outbox -H "Authorization: Bearer $BW_KEY"

  Ctrl-C stops everything.
`);

closeWithGrace({ delay: 20_000 }, async ({ signal, err }) => {
  if (err) console.error(err);
  progress(`stopping (${signal ?? 'error'})…`);
  await platform.stop();
  await devServer?.stop();
  progress('stopped');
});
