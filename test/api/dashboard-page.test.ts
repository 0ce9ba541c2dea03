// The finance dashboard in a real browser (Debian's Chromium through playwright-core), on the API
// with the real subscription and collection workflows: a quarter of billing on a test clock
// (test/support/finance-quarter.ts), then finance signs in with a read key and reads the page.
// What the page shows (its data, its charts, its tables) must be what /v1/insights/* answers for
// the same query, and each customer must link to its workflows in the Temporal UI.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, money } from '../../domain/core/money.ts';
import {
  advanceClock,
  createBillingHarness,
  created,
  type BillingHarness,
} from '../support/billing-harness.ts';
import { QUARTER, tellFinanceQuarter, type FinanceQuarter } from '../support/finance-quarter.ts';
import { openUiBrowser, type UiBrowser } from '../support/temporal-ui.ts';

const TEMPORAL_UI = 'https://temporal.example.test';
const RENEWALS_TO = new Date(Date.parse(QUARTER.end) + 30 * 86_400_000).toISOString();

interface MoneyAnswer {
  amount: number;
  currency: string;
}
interface Answers {
  mrr: { months: { month: string; mrr: MoneyAnswer; movements: Record<string, MoneyAnswer> }[] };
  arAging: { currencies: { currency: string; buckets: { amount: MoneyAnswer }[] }[] };
  payments: { months: { month: string; collected: MoneyAnswer }[] };
  overdueInvoices: {
    data: {
      invoiceId: string;
      number: string;
      customerId: string;
      customerName: string;
      amountDue: MoneyAnswer;
      daysOverdue: number;
    }[];
  };
  upcomingRenewals: { data: { subscriptionId: string; customerId: string; amount: MoneyAnswer }[] };
}

let h: BillingHarness;
let browser: UiBrowser;
let page: Page;
let baseUrl: string;
let story: FinanceQuarter;
let readKey: string;

beforeAll(async () => {
  // Settings the API reads from its environment, as a deployment sets them (this file runs in a
  // process of its own).
  process.env.BILLWRIGHT_SIGNING_SECRET = 'dashboard-page-secret-0123456789abcdef';
  process.env.BILLWRIGHT_TEMPORAL_UI_URL = TEMPORAL_UI;
  [h, browser] = await Promise.all([
    createBillingHarness(),
    openUiBrowser({ viewport: { width: 1280, height: 1100 } }),
  ]);
  page = browser.page;
  story = await tellFinanceQuarter({
    post: async <T>(path: string, body: object) => {
      const response = await h.post(path, body);
      expect(response.statusCode, `${path}: ${response.body}`).toBeLessThan(300);
      return response.json<T>();
    },
    get: (path) => h.get(path),
    advanceClock: (clockId, to) => advanceClock(h, clockId, to),
  });
  readKey = created<{ key: string }>(
    await h.post('/v1/api-keys', { name: 'finance team', scopes: ['read'] }),
  ).key;
  baseUrl = await h.api.app.listen({ port: 0, host: '127.0.0.1' });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The insights API's answers for the quarter, with the harness's key. */
async function apiAnswers(): Promise<Answers> {
  const window = `currency=EUR&from=${QUARTER.from}&to=${QUARTER.to}&asOf=${QUARTER.end}`;
  const [mrr, arAging, payments, overdueInvoices, upcomingRenewals] = await Promise.all([
    h.get(`/v1/insights/mrr?${window}`),
    h.get(`/v1/insights/ar-aging?currency=EUR&asOf=${QUARTER.end}`),
    h.get(`/v1/insights/payments?${window}`),
    h.get(`/v1/insights/overdue-invoices?currency=EUR&asOf=${QUARTER.end}&limit=20`),
    h.get(
      `/v1/insights/upcoming-renewals?currency=EUR&from=${QUARTER.end}&to=${RENEWALS_TO}&limit=20`,
    ),
  ]);
  return { mrr, arAging, payments, overdueInvoices, upcomingRenewals } as Answers;
}

const dashboardUrl = () =>
  `${baseUrl}/dashboard?currency=EUR&from=${QUARTER.from}&to=${QUARTER.to}&asOf=${encodeURIComponent(QUARTER.end)}`;

async function signIn(key: string) {
  await page.goto(`${baseUrl}/dashboard`);
  expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
  await page.fill('input[name="key"]', key);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.url().endsWith('/dashboard/sign-in') && r.request().method() === 'POST',
    ),
    page.click('button[type="submit"]'),
  ]);
  await page.waitForLoadState();
  return response.status();
}

describe('the finance dashboard in Chromium', () => {
  it('refuses a wrong key with a clear message, and signs a read key in', async () => {
    expect(await signIn('bw_live_this-is-not-a-key')).toBe(401);
    await expect
      .poll(() => page.locator('p.error').innerText())
      .toBe('That API key is unknown or revoked. Check that it was copied in full.');
    expect(await signIn(readKey)).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    const cookies = await browser.context.cookies(`${baseUrl}/dashboard`);
    expect(cookies.find((c) => c.name === 'bw_dashboard_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/dashboard',
    });
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('shows what the insights API answers for the same query: data, charts and tables', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(dashboardUrl());
    await page.locator('body[data-charts="drawn"]').waitFor();
    expect(errors).toEqual([]);
    const api = await apiAnswers();

    // The fixture means something: money came in, something is overdue, MRR moved.
    expect(api.overdueInvoices.data.map((i) => i.customerId)).toContain(story.customers.hooli);
    expect(api.payments.months.some((m) => m.collected.amount > 0)).toBe(true);
    expect(api.mrr.months.map((m) => m.month)).toEqual(['2027-01', '2027-02', '2027-03']);
    expect(api.mrr.months.some((m) => m.movements.churn!.amount < 0)).toBe(true);

    const shown = JSON.parse(
      (await page.locator('#dashboard-data').textContent()) ?? '{}',
    ) as Answers;
    for (const part of [
      'mrr',
      'arAging',
      'payments',
      'overdueInvoices',
      'upcomingRenewals',
    ] as const)
      expect(shown[part], part).toEqual(api[part]);

    const charts = await page.evaluate(() => {
      interface ChartData {
        labels: string[];
        datasets: { label: string; data: number[] }[];
      }
      const { Chart } = globalThis as unknown as {
        Chart: { getChart(id: string): { data: ChartData } };
      };
      const read = (id: string) => {
        const { labels, datasets } = Chart.getChart(id).data;
        return { labels, datasets: datasets.map((d) => ({ label: d.label, data: d.data })) };
      };
      return { mrr: read('mrr-movements'), aging: read('ar-aging'), cash: read('cash-collected') };
    });
    const months = api.mrr.months;
    expect(charts.mrr.labels).toEqual(months.map((m) => m.month));
    expect(charts.mrr.datasets).toEqual([
      { label: 'MRR', data: months.map((m) => m.mrr.amount) },
      ...(
        [
          ['New', 'new'],
          ['Expansion', 'expansion'],
          ['Reactivation', 'reactivation'],
          ['Contraction', 'contraction'],
          ['Churn', 'churn'],
        ] as const
      ).map(([label, key]) => ({ label, data: months.map((m) => m.movements[key]!.amount) })),
    ]);
    const eur = api.arAging.currencies.find((c) => c.currency === 'EUR')!;
    expect(charts.aging.labels).toHaveLength(5);
    expect(charts.aging.datasets[0]!.data).toEqual(eur.buckets.map((b) => b.amount.amount));
    expect(charts.cash.labels).toEqual(api.payments.months.map((m) => m.month));
    expect(charts.cash.datasets[0]!.data).toEqual(
      api.payments.months.map((m) => m.collected.amount),
    );
    expect(await page.locator('canvas').count()).toBe(3);

    // Tables: each overdue invoice with its amount due and days, as the API says.
    const rows = page.locator('#overdue-invoices tbody tr');
    expect(await rows.count()).toBe(api.overdueInvoices.data.length);
    for (const [i, invoice] of api.overdueInvoices.data.entries()) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      expect(cells).toEqual([
        invoice.number,
        invoice.customerName,
        formatMoney(money(invoice.amountDue.amount, 'EUR'), 'en-GB'),
        expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as string,
        String(invoice.daysOverdue),
      ]);
    }
    const renewals = page.locator('#upcoming-renewals tbody tr');
    expect(await renewals.count()).toBe(Math.max(1, api.upcomingRenewals.data.length));
    // Browser code as strings: this project's TypeScript has no DOM types.
    const amounts = await page.evaluate<number[]>(
      '[...document.querySelectorAll("#upcoming-renewals tbody .money")].map((c) => Number(c.dataset.amount))',
    );
    expect(amounts).toEqual(api.upcomingRenewals.data.map((r) => r.amount.amount));
    const lastMonth = months.at(-1)!;
    expect(await page.locator('[data-figure="mrr"] .money').getAttribute('data-amount')).toBe(
      String(lastMonth.mrr.amount),
    );
    expect(await page.locator('[data-figure="mrr"] .value').innerText()).toBe(
      formatMoney(lastMonth.mrr, 'en-GB'),
    );
  });

  it('links each customer to its workflows in the Temporal UI, filtered by CustomerId', async () => {
    const links = await page.evaluate<[string, string][]>(
      '[...document.querySelectorAll("a.customer-workflows")].map((a) => [a.textContent, a.href])',
    );
    expect(links.length).toBeGreaterThan(0);
    const hooli = links.find(([name]) => name === 'Hooli SAS')!;
    const url = new URL(hooli[1]);
    expect(`${url.origin}${url.pathname}`).toBe(`${TEMPORAL_UI}/namespaces/default/workflows`);
    expect(url.searchParams.get('query')).toBe(`CustomerId="${story.customers.hooli}"`);
    for (const [, href] of links)
      expect(new URL(href).searchParams.get('query')).toMatch(/^CustomerId="cus_[a-z2-7]{20}"$/);
  });

  it('its filters keep the query: Show reloads the same figures; emptied fields mean the defaults', async () => {
    await page.click('form.filters button');
    await page.locator('body[data-charts="drawn"]').waitFor();
    const query = new URL(page.url()).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      currency: 'EUR',
      from: QUARTER.from,
      to: QUARTER.to,
      asOf: QUARTER.end,
    });
    await page.fill('input[name="asOf"]', '');
    await page.click('form.filters button');
    await page.locator('body[data-charts="drawn"]').waitFor();
    const shown = JSON.parse((await page.locator('#dashboard-data').textContent()) ?? '{}') as {
      asOf: string;
      from: string;
    };
    expect(Math.abs(Date.parse(shown.asOf) - Date.now())).toBeLessThan(60_000); // now
    expect(shown.from).toBe(QUARTER.from);
  });

  it('signs out: the dashboard asks for a key again', async () => {
    await page.click('form.sign-out button');
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
    await page.goto(`${baseUrl}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
  });
});
