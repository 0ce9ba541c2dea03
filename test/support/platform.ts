// The platform as `npm start` runs it, for end-to-end tests: the Temporal dev server (the real
// CLI), the worker and the API in this process on a fresh real PostgreSQL database, and an HTTP
// client with an API key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { randomBytes } from 'node:crypto';
import { createApiKey, ensureApiKey } from '../../db/repositories/api-keys.ts';
import { startTemporalDevServer, type DevServer } from '../../infra/dev-server.ts';
import { getFreePort } from '../../infra/free-port.ts';
import { startPlatform, type Platform } from '../../runtime/platform.ts';
import { createTestDatabase } from './db.ts';
import { TEST_PAYLOAD_KEYS_ENV } from './payload-keys.ts';

/** JSON over HTTP with the test's API key; text when the answer is not JSON. */
export type ApiClient = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: any }>;

export interface TestPlatform {
  devServer: DevServer;
  platform: Platform;
  api: ApiClient;
  stop(): Promise<void>;
}

export async function startTestPlatform(
  options: { withUi?: boolean; env?: Record<string, string> } = {},
): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'billwright-e2e-'));
  const port = await getFreePort();
  // As npm start: the UI decrypts payloads through the API's codec endpoint, with its own key.
  const uiKey = `bw_test_${randomBytes(18).toString('base64url')}`;
  const [devServer, testDb] = await Promise.all([
    // With the UI on a free port (the default when uiPort is omitted), so parallel runs never clash.
    startTemporalDevServer({
      dbFilename: join(dataDir, 'temporal.db'),
      ...(options.withUi
        ? { uiCodecEndpoint: `http://127.0.0.1:${port}/codec/key/${uiKey}` }
        : { uiPort: false as const }),
    }),
    createTestDatabase(),
  ]);
  const config = loadConfig({
    ...options.env,
    DATABASE_URL: testDb.url,
    BILLWRIGHT_DATA_DIR: dataDir,
    PORT: String(port),
    BILLWRIGHT_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS_ENV,
    ...(devServer.uiUrl ? { BILLWRIGHT_CODEC_CORS_ORIGINS: devServer.uiUrl } : {}),
  });
  const platform = await startPlatform({
    config,
    temporal: { address: devServer.address, namespace: devServer.namespace, options: {} },
  });
  const { key } = await createApiKey(platform.db, 'e2e');
  if (options.withUi) await ensureApiKey(platform.db, 'temporal-ui', uiKey);
  const api: ApiClient = async (method, path, body) => {
    const response = await fetch(`${platform.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, body: isJson ? JSON.parse(text) : text };
  };
  return {
    devServer,
    platform,
    api,
    async stop() {
      await platform.stop();
      await devServer.stop();
      await testDb.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
