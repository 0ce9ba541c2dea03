// Real infrastructure, no mocks: if these pass, the other suites can rely on infra/.
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { access, constants } from 'node:fs/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startTemporalDevServer } from '../../infra/dev-server.ts';
import { createDatabase, startThrowawayPostgres } from '../../infra/postgres.ts';
import { registerSearchAttributes } from '../../infra/search-attributes.ts';
import { cachePath } from '../../infra/cache.ts';
import { ensureStripeMock, STRIPE_MOCK_VERSION } from '../../infra/stripe-mock.ts';
import { ensureTimeSkippingTestServer } from '../../infra/test-server.ts';
import { billwrightSearchAttributes } from '../../workflow-contracts/search-attributes.ts';

const TIMEOUT = 120_000;

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<Record<string, unknown>>(sql);
    return result.rows;
  } finally {
    await client.end();
  }
}

describe('infra', () => {
  it(
    'starts a throw-away Postgres and creates extra databases',
    async () => {
      const postgres = await startThrowawayPostgres();
      try {
        expect(postgres.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/billwright$/);
        expect(await query(postgres.url, 'select 1 as one')).toEqual([{ one: 1 }]);
        const other = await createDatabase(postgres.url, 'billwright_extra');
        expect(other).toMatch(/\/billwright_extra$/);
        expect(await query(other, 'select current_database() as db')).toEqual([
          { db: 'billwright_extra' },
        ]);
      } finally {
        await postgres.stop();
      }
    },
    TIMEOUT,
  );

  it(
    'starts a headless dev server with the Billwright search attributes',
    async () => {
      const server = await startTemporalDevServer({
        uiPort: false,
        namespace: 'billwright-infra-test',
      });
      try {
        expect(server.uiUrl).toBeUndefined();
        const connection = await Connection.connect({ address: server.address });
        try {
          const { customAttributes } = await connection.operatorService.listSearchAttributes({
            namespace: server.namespace,
          });
          const registered = Object.keys(customAttributes ?? {});
          expect(registered).toEqual(
            expect.arrayContaining(billwrightSearchAttributes.map(({ name }) => name)),
          );
          // Idempotent: everything is already there.
          expect(await registerSearchAttributes(connection, server.namespace)).toEqual([]);
        } finally {
          await connection.close();
        }
      } finally {
        await server.stop();
      }
    },
    TIMEOUT,
  );

  it(
    'provides a time-skipping test server launcher that the SDK can start',
    async () => {
      const launcher = await ensureTimeSkippingTestServer();
      expect(launcher).toBeDefined();
      await access(launcher!, constants.X_OK);
      const env = await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: launcher! } },
      });
      try {
        const namespace = env.namespace ?? 'default';
        expect(await registerSearchAttributes(env.connection, namespace)).toHaveLength(
          billwrightSearchAttributes.length,
        );
        expect(await registerSearchAttributes(env.connection, namespace)).toEqual([]);
      } finally {
        await env.teardown();
      }
    },
    TIMEOUT,
  );

  it(
    'builds stripe-mock once into its own cache entry, and reuses it',
    async () => {
      const first = await ensureStripeMock();
      expect(first).toBe(`${cachePath('stripe-mock', STRIPE_MOCK_VERSION)}/stripe-mock`);
      await access(first!, constants.X_OK);
      const started = Date.now();
      expect(await ensureStripeMock()).toBe(first);
      expect(Date.now() - started).toBeLessThan(1000);
    },
    TIMEOUT,
  );
});
