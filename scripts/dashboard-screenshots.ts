// Regenerates the screenshots of the finance dashboard in docs/FINANCE.md ("Dashboard"):
//
//   node scripts/dashboard-screenshots.ts
//
// Starts what `npm start` starts (the dev server with its UI, the worker and the API) on a
// throw-away PostgreSQL, bills a quarter on a test clock over HTTP (test/support/finance-quarter.ts:
// four customers, payments on time and late, one customer who never pays), then drives Chromium:
// the sign-in page refusing a wrong key, the dashboard, and a customer's workflows in the
// Temporal UI opened from the dashboard's link. Writes 1280-pixel-wide PNGs to docs/images/.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.ts';
import { createApiKey } from '../db/repositories/api-keys.ts';
import { startTemporalDevServer } from '../infra/dev-server.ts';
import { getFreePort } from '../infra/free-port.ts';
import { createDatabase, startThrowawayPostgres } from '../infra/postgres.ts';
import { progress } from '../runtime/log.ts';
import { startPlatform } from '../runtime/platform.ts';
import { QUARTER, tellFinanceQuarter } from '../test/support/finance-quarter.ts';
import { eventually } from '../test/support/temporal.ts';
import { openUiBrowser, settle, workflowRows } from '../test/support/temporal-ui.ts';

const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url));

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'billwright-dashboard-screenshots-'));
  const [devServer, postgres, browser] = await Promise.all([
    startTemporalDevServer({ dbFilename: join(dataDir, 'temporal.db') }),
    startThrowawayPostgres(),
    openUiBrowser({ viewport: { width: 1280, height: 1000 } }),
  ]);
  const platform = await startPlatform({
    config: loadConfig({
      DATABASE_URL: await createDatabase(postgres.url, 'dashboard_screenshots'),
      BILLWRIGHT_DATA_DIR: dataDir,
      PORT: String(await getFreePort()),
      BILLWRIGHT_SIGNING_SECRET: 'dashboard-screenshots-signing-secret-0123456789',
      BILLWRIGHT_PAYLOAD_ENCRYPTION: 'off',
      BILLWRIGHT_TEMPORAL_UI_URL: devServer.uiUrl!,
    }),
    temporal: { address: devServer.address, namespace: devServer.namespace, options: {} },
  });
  try {
    const admin = await createApiKey(platform.db, 'screenshots');
    const reader = await createApiKey(platform.db, 'finance team', ['read']);
    const call = async <T>(method: string, path: string, body?: object): Promise<T> => {
      const response = await fetch(`${platform.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${admin.key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as T;
      if (response.status >= 300) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
      return json;
    };
    const story = await tellFinanceQuarter({
      post: (path, body) => call('POST', path, body),
      get: (path) => call('GET', path),
      advanceClock: async (clockId, to) => {
        await call('POST', `/v1/test-clocks/${clockId}/advance`, { frozenTime: to });
        await eventually(
          `clock ${clockId} at ${to}`,
          async () => {
            const clock = await call<{ status: string; frozenTime: string }>(
              'GET',
              `/v1/test-clocks/${clockId}`,
            );
            return clock.status === 'ready' && Date.parse(clock.frozenTime) === Date.parse(to);
          },
          60_000,
        );
      },
    });
    progress(`screenshots: a quarter billed on clock ${story.clockId}`);

    const { page } = browser;
    const shoot = async (name: string, fullPage = false) => {
      await settle(page);
      await page.screenshot({ path: join(IMAGES, name), fullPage });
      progress(`screenshots: docs/images/${name}`);
    };

    // 1. Sign-in, refusing a wrong key.
    await page.goto(`${platform.apiUrl}/dashboard`);
    await page.fill('input[name="key"]', 'bw_live_mistyped');
    await page.click('button[type="submit"]');
    await page.locator('p.error').waitFor();
    await page.setViewportSize({ width: 1280, height: 560 });
    await shoot('finance-dashboard-sign-in.png');

    // 2. The dashboard of the quarter, as of the clock's time.
    await page.fill('input[name="key"]', reader.key);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/dashboard$/);
    const query = new URLSearchParams({
      currency: QUARTER.currency,
      from: QUARTER.from,
      to: QUARTER.to,
      asOf: QUARTER.end,
    });
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(`${platform.apiUrl}/dashboard?${query.toString()}`);
    await page.locator('body[data-charts="drawn"]').waitFor();
    await shoot('finance-dashboard.png', true);

    // 3. A customer's workflows in the Temporal UI, from the dashboard's link.
    const link = page.locator('#overdue-invoices a.customer-workflows', { hasText: 'Hooli SAS' });
    const href = await link.first().getAttribute('href');
    await page.goto(href!);
    await eventually(
      'the customer’s workflows in the Temporal UI',
      async () => {
        await page
          .locator('tr a[href*="/workflows/"]')
          .first()
          .waitFor({ timeout: 10_000 })
          .catch(() => undefined);
        return (await workflowRows(page).count()) > 0 || (await page.reload(), false);
      },
      60_000,
    );
    await shoot('finance-dashboard-customer-workflows.png');
  } finally {
    await browser.close();
    await platform.stop();
    await devServer.stop();
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
