// Regenerates the screenshots of docs/FINANCE.md from the real Temporal Web UI:
//
//   node scripts/finance-screenshots.ts
//
// Starts what `npm start` starts (the dev server with its UI, the worker and the API) on a
// throw-away PostgreSQL, creates a few customers and subscriptions over HTTP (one paused, one
// renewing later this month), then drives Chromium and writes 1280×800 PNGs to docs/images/.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.ts';
import { createApiKey } from '../db/repositories/api-keys.ts';
import { startTemporalDevServer } from '../infra/dev-server.ts';
import { getFreePort } from '../infra/free-port.ts';
import { progress } from '../runtime/log.ts';
import { startPlatform } from '../runtime/platform.ts';
import { createDatabase, startThrowawayPostgres } from '../infra/postgres.ts';
import { eventually } from '../test/support/temporal.ts';
import {
  eventRows,
  openUiBrowser,
  settle,
  workflowListUrl,
  workflowRows,
} from '../test/support/temporal-ui.ts';

/** The few fields of API answers this script reads. */
interface ApiObject {
  id: string;
  invoicesIssued: number;
  nextBillingAt: string;
}

const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url));
const DAY = 86_400_000;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'billwright-screenshots-'));
  const [devServer, postgres, browser] = await Promise.all([
    startTemporalDevServer({ dbFilename: join(dataDir, 'temporal.db') }),
    startThrowawayPostgres(),
    openUiBrowser(),
  ]);
  const platform = await startPlatform({
    config: loadConfig({
      DATABASE_URL: await createDatabase(postgres.url, 'screenshots'),
      BILLWRIGHT_DATA_DIR: dataDir,
      PORT: String(await getFreePort()),
    }),
    temporal: { address: devServer.address, namespace: devServer.namespace, options: {} },
  });
  try {
    const { key } = await createApiKey(platform.db, 'screenshots');
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${platform.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as ApiObject;
      if (response.status >= 300) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
      return json;
    };
    await api('POST', '/v1/plans', {
      code: 'pro-monthly',
      name: 'Pro (monthly)',
      currency: 'EUR',
      interval: 'month',
      amount: 4_900,
    });
    const customer = async (name: string, email: string, country: string, timezone: string) =>
      (
        await api('POST', '/v1/customers', {
          name,
          email,
          currency: 'EUR',
          country,
          timezone,
          locale: 'en-GB',
        })
      ).id;
    const initech = await customer('Initech GmbH', 'ap@initech.test', 'DE', 'Europe/Berlin');
    const globex = await customer('Globex SARL', 'compta@globex.test', 'FR', 'Europe/Paris');
    const hooli = await customer('Hooli BV', 'finance@hooli.test', 'NL', 'Europe/Amsterdam');
    // Initech starts today; Globex started a month ago less two days, so it renews in two days;
    // Hooli starts today and is paused.
    const now = Date.now();
    const globexStart = new Date(now + 2 * DAY);
    globexStart.setUTCMonth(globexStart.getUTCMonth() - 1);
    const subscribe = async (customerId: string, startAt?: Date) =>
      (
        await api('POST', '/v1/subscriptions', {
          customerId,
          planCode: 'pro-monthly',
          ...(startAt ? { startAt: startAt.toISOString() } : {}),
        })
      ).id;
    const initechSub = await subscribe(initech);
    const globexSub = await subscribe(globex, globexStart);
    const hooliSub = await subscribe(hooli);
    for (const id of [initechSub, globexSub, hooliSub]) {
      await eventually(
        `the first invoice of ${id}`,
        async () => {
          const shown = await api('GET', `/v1/subscriptions/${id}`);
          return shown.invoicesIssued >= 1;
        },
        30_000,
      );
    }
    await api('POST', `/v1/subscriptions/${hooliSub}/pause`, { reason: 'customer asked' });
    const globexNext = new Date((await api('GET', `/v1/subscriptions/${globexSub}`)).nextBillingAt);
    progress(`screenshots: Initech ${initech}, Globex renews ${globexNext.toISOString()}`);

    const { page } = browser;
    const uiUrl = devServer.uiUrl!;
    const shoot = async (name: string) => {
      await page.screenshot({ path: join(IMAGES, name) });
      progress(`screenshots: docs/images/${name}`);
    };
    const list = async (query: string, expected: string[]) => {
      await eventually(
        `the list for ${query}`,
        async () => {
          await page.goto(workflowListUrl(uiUrl, 'default', query));
          await page
            .locator('tr a[href*="/workflows/"]')
            .first()
            .waitFor({ timeout: 10_000 })
            .catch(() => undefined);
          const rows = await workflowRows(page).allInnerTexts();
          return (
            rows.length === expected.length &&
            expected.every((id) => rows.some((row) => row.includes(`subscription-${id}`)))
          );
        },
        30_000,
      );
      await settle(page);
    };

    // 1. A customer's workflow, by CustomerId.
    await list(`CustomerId="${initech}"`, [initechSub]);
    await shoot('finance-1-customer.png');

    // 2. Its history: the timeline's summaries are the billing story.
    await workflowRows(page)
      .getByRole('link', { name: `subscription-${initechSub}` })
      .click();
    await page.getByRole('heading', { name: 'Event History' }).waitFor();
    await eventRows(page).filter({ hasText: 'Wait for renewal on' }).first().waitFor();
    await page
      .getByRole('heading', { name: 'Event History' })
      .evaluate('(heading) => heading.scrollIntoView({ block: "start" })');
    await settle(page);
    await shoot('finance-2-history.png');

    // 3. Why the invoice was issued: the activity's event, its summary and input.
    await eventRows(page).filter({ hasText: 'first period' }).getByRole('link').first().click();
    await page.waitForURL(/\/history\/events\/\d+/);
    await page.getByText(`"subscriptionId": "${initechSub}"`).first().waitFor();
    // The list's scroll position carries over: show the event from the page's top.
    // (Browser code as a string: this project's TypeScript has no DOM types.)
    await page.evaluate(
      'for (const element of document.querySelectorAll("*")) if (element.scrollTop > 0) element.scrollTop = 0',
    );
    await settle(page);
    await shoot('finance-3-invoice-activity.png');

    // 4. Everything renewing this month, by NextBillingAt.
    const monthStart = new Date(
      Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth()),
    );
    const nextMonth = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1));
    // Initech renews in a month; Globex in two days (this month, unless today is its last days).
    const renewing = globexNext < nextMonth ? [globexSub] : [];
    await list(
      `NextBillingAt >= "${monthStart.toISOString()}" AND NextBillingAt < "${nextMonth.toISOString()}"`,
      renewing,
    );
    await shoot('finance-4-renewing-this-month.png');

    // 5. Paused subscriptions, by BillingStatus.
    await list(`BillingStatus="paused"`, [hooliSub]);
    await shoot('finance-5-paused.png');
  } finally {
    await browser.close();
    await platform.stop();
    await devServer.stop();
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
