// What finance does in the Temporal Web UI, in a real browser: the dev server with its UI, the
// worker and the API on real PostgreSQL (as `npm start`), a subscription created over HTTP, then
// Chromium finds its workflow by CustomerId and reads the billing story in its history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type ApiClient, type TestPlatform } from '../support/platform.ts';
import { eventually } from '../support/temporal.ts';
import {
  eventRows,
  openUiBrowser,
  workflowListUrl,
  workflowRows,
  type UiBrowser,
} from '../support/temporal-ui.ts';

let started: TestPlatform;
let devServer: TestPlatform['devServer'];
let browser: UiBrowser;
let api: ApiClient;

beforeAll(async () => {
  [started, browser] = await Promise.all([startTestPlatform({ withUi: true }), openUiBrowser()]);
  ({ devServer, api } = started);
});

afterAll(async () => {
  await browser?.close();
  await started?.stop();
});

describe('the Temporal Web UI, as finance uses it', () => {
  it('finds a subscription by CustomerId and shows its billing story', async () => {
    expect(devServer.uiUrl, 'the dev server was started with its UI').toBeDefined();
    const uiUrl = devServer.uiUrl!;
    const customer = await api('POST', '/v1/customers', {
      name: 'Initech GmbH',
      email: 'billing@initech.test',
      currency: 'EUR',
      country: 'DE',
      timezone: 'Europe/Berlin',
      locale: 'de-DE',
    });
    expect(customer.status).toBe(201);
    const plan = await api('POST', '/v1/plans', {
      code: 'pro-monthly',
      name: 'Pro (monthly)',
      currency: 'EUR',
      interval: 'month',
      amount: 4_900,
    });
    expect(plan.status).toBe(201);
    const created = await api('POST', '/v1/subscriptions', {
      customerId: customer.body.id,
      planCode: 'pro-monthly',
    });
    expect(created.status).toBe(201);
    const workflowId = `subscription-${created.body.id}`;
    const [invoice] = await eventually('the first invoice', async () => {
      const list = await api('GET', `/v1/invoices?customerId=${customer.body.id}`);
      return list.body.data.length === 1 && list.body.data;
    });
    // The wait for renewal is the last step of the first period: the story is complete.
    await eventually('the subscription to wait for its renewal', async () => {
      const shown = await api('GET', `/v1/subscriptions/${created.body.id}`);
      return shown.body.invoicesIssued === 1 && shown.body;
    });

    const { page } = browser;
    // The list filtered by CustomerId, as finance would type it into the filter box.
    const listUrl = workflowListUrl(uiUrl, 'default', `CustomerId="${customer.body.id}"`);
    const row = workflowRows(page).filter({ hasText: workflowId });
    await eventually(
      `${workflowId} in the UI's list for CustomerId="${customer.body.id}"`,
      async () => {
        await page.goto(listUrl);
        // No row yet (visibility lags a moment behind the start): load the list again.
        await page
          .locator('tr a[href*="/workflows/"]')
          .first()
          .waitFor({ timeout: 10_000 })
          .catch(() => undefined);
        return (await row.count()) === 1;
      },
      15_000,
    );
    // This customer's workflows only: the subscription and its first invoice's collection.
    await eventually('the collection in the list too', async () => {
      if ((await workflowRows(page).count()) === 2) return true;
      await page.goto(listUrl);
      return false;
    });
    expect(
      await workflowRows(page)
        .filter({ hasText: `collection-${invoice.id}` })
        .count(),
      'the invoice’s collection',
    ).toBe(1);

    await row.getByRole('link', { name: workflowId }).first().click();
    await page.waitForURL(new RegExp(`/workflows/${workflowId}/[^/]+/history`));
    const story = [
      /Invoice \d{4}-\d{2}-\d{2} first period/,
      new RegExp(`Render invoice ${invoice.number}`),
      new RegExp(`Email invoice ${invoice.number} to the customer`),
      /Wait for renewal on \d{4}-\d{2}-\d{2} \(Europe\/Berlin\)/,
    ];
    for (const summary of story) {
      const event = eventRows(page).filter({ hasText: summary });
      await event.first().waitFor({ state: 'visible' });
      expect(await event.count(), `one event with summary ${summary}`).toBe(1);
    }

    // Why the invoice was issued: the activity's event shows its summary and input.
    const issued = eventRows(page).filter({ hasText: /first period/ });
    await issued.getByRole('link').first().click();
    await page.waitForURL(/\/history\/events\/\d+/);
    // (By its summary, not the activity's name: finance reads summaries.)
    await page.getByText('Activity Task Scheduled').first().waitFor();
    await page
      .getByText(/Invoice \d{4}-\d{2}-\d{2} first period/)
      .first()
      .waitFor();
    const input = page.getByText(`"subscriptionId": "${created.body.id}"`).first();
    await input.waitFor();
    await expect(input.isVisible()).resolves.toBe(true);
  });
});
