// End to end, the way `npm start` runs it: the Temporal dev server (the real CLI), the worker and
// the API in one process on real PostgreSQL, driven over HTTP like an operator would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../../temporal/connection.ts';
import { CustomerId } from '../../temporal/search-attributes.ts';
import { startTestPlatform, type ApiClient, type TestPlatform } from '../support/platform.ts';
import { eventually } from '../support/temporal.ts';

let started: TestPlatform;
let devServer: TestPlatform['devServer'];
let api: ApiClient;

beforeAll(async () => {
  started = await startTestPlatform();
  ({ devServer, api } = started);
});

afterAll(async () => {
  await started?.stop();
});

describe('Billwright end to end', () => {
  it('invoices a new subscription, emails it to the outbox, and obeys pause, resume and cancel', async () => {
    const customer = await api('POST', '/v1/customers', {
      name: 'Globex Ltd',
      email: 'accounts@globex.test',
      currency: 'GBP',
      country: 'GB',
      timezone: 'Europe/London',
      locale: 'en-GB',
    });
    expect(customer.status).toBe(201);
    const plan = await api('POST', '/v1/plans', {
      code: 'team-monthly',
      name: 'Team (monthly)',
      currency: 'GBP',
      interval: 'month',
      amount: 12_000,
    });
    expect(plan.status).toBe(201);
    const created = await api('POST', '/v1/subscriptions', {
      customerId: customer.body.id,
      planCode: 'team-monthly',
    });
    expect(created.status).toBe(201);
    const subscriptionId: string = created.body.id;

    // The first period opens at once: one invoice, rendered and emailed.
    const invoices = await eventually('the first invoice', async () => {
      const list = await api('GET', `/v1/invoices?customerId=${customer.body.id}`);
      return list.body.data.length === 1 && list.body.data;
    });
    expect(invoices[0]).toMatchObject({
      subscriptionId,
      status: 'open',
      total: { amount: 12_000, currency: 'GBP' },
    });
    expect(invoices[0].number).toMatch(/^INV-\d{4}-\d{6}$/);
    const html = await eventually('the rendered invoice', async () => {
      const page = await api('GET', `/v1/invoices/${invoices[0].id}/html`);
      return page.status === 200 && (page.body as string);
    });
    expect(html).toContain(invoices[0].number);
    expect(html).toContain('£120.00');

    const message = await eventually('the invoice email', async () => {
      const outbox = await api('GET', '/v1/outbox?to=accounts@globex.test');
      return outbox.body.data.length === 1 && outbox.body.data[0];
    });
    expect(message.subject).toContain(invoices[0].number);
    const full = await api('GET', `/v1/outbox/${message.id}`);
    expect(full.body.text).toContain('£120.00');
    expect(full.body.html).toContain(invoices[0].number);

    const shown = await api('GET', `/v1/subscriptions/${subscriptionId}`);
    expect(shown.body).toMatchObject({ status: 'active', invoicesIssued: 1 });
    expect(Date.parse(shown.body.nextBillingAt)).toBeGreaterThan(Date.now() + 27 * 86_400_000);

    // Finance finds the workflow by CustomerId in Temporal, with its summary.
    const client = await connectClient({
      address: devServer.address,
      namespace: devServer.namespace,
      options: {},
    });
    try {
      const handle = client.workflow.getHandle(`subscription-${subscriptionId}`);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(CustomerId)).toBe(customer.body.id);
      expect(await description.staticSummary()).toContain('Team (monthly), GBP 120.00 every month');
    } finally {
      await client.connection.close();
    }

    const paused = await api('POST', `/v1/subscriptions/${subscriptionId}/pause`, {
      reason: 'e2e',
    });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await api('POST', `/v1/subscriptions/${subscriptionId}/pause`, {})).status).toBe(409);
    const resumed = await api('POST', `/v1/subscriptions/${subscriptionId}/resume`, {
      anchor: 'keep',
    });
    expect(resumed.body.status).toBe('active');
    const canceled = await api('POST', `/v1/subscriptions/${subscriptionId}/cancel`, {
      reason: 'e2e done',
    });
    // Canceled now: the final invoice and the credit for the unused period are issued, and the
    // subscription has ended.
    expect(canceled.body.status).toBe('ended');
    const after = await eventually('the ended row', async () => {
      const row = await api('GET', `/v1/subscriptions/${subscriptionId}`);
      return row.body.status === 'ended' && row.body;
    });
    expect(after.invoicesIssued).toBe(1);
    expect(
      (await api('GET', `/v1/invoices?customerId=${customer.body.id}`)).body.data,
    ).toHaveLength(1);
    // Canceled seconds into the month: almost all of the advance charge comes back as credit.
    const credits = await api('GET', `/v1/invoices/${invoices[0].id}/credit-notes`);
    expect(credits.status).toBe(200);
    expect(credits.body.data).toHaveLength(1);
    expect(credits.body.data[0].number).toMatch(/^CN-\d{4}-\d{6}$/);
    expect(credits.body.data[0].total.amount).toBeGreaterThan(11_900);
    expect(credits.body.data[0].total.amount).toBeLessThanOrEqual(12_000);
  });
});
