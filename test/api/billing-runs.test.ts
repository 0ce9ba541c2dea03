// The bill-run view through the public API, on the real subscription workflow and a test clock:
// three subscriptions renew in February, the tax service fails the USD one's invoicing until it
// recovers, and GET /v1/billing-runs counts what the workflows did (issued, retrying, then
// issued after its retries), per currency, with the failing renewal's last error and attempts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
import type { TaxProvider } from '../../domain/tax/provider.ts';
import {
  created,
  createBillingHarness,
  newClock,
  subscribe,
  type BillingHarness,
  type Sub,
} from '../support/billing-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { eventually } from '../support/temporal.ts';

interface Counts {
  due: number;
  issued: number;
  retrying: number;
  failed: number;
  late: number;
  scheduled: number;
}

interface BillingRuns {
  from: string;
  to: string;
  counts: Counts;
  byCurrency: ({ currency: string } & Counts)[];
  lag: { issued: number; p50Seconds: number | null };
  failures: {
    data: {
      id: string;
      subscriptionId: string;
      customerId: string;
      billingKey: string;
      currency: string;
      dueAt: string;
      state: string;
      attempts: number;
      lastError: string;
    }[];
    hasMore: boolean;
  };
}

/** A tax service that answers, except for USD invoices while it is "down". */
const builtIn = createBuiltInTaxProvider();
const usdTaxDown = { on: false, calls: 0 };
const flakyTax: TaxProvider = {
  name: builtIn.name,
  calculate(request) {
    if (usdTaxDown.on && request.currency === 'USD') {
      usdTaxDown.calls++;
      throw new Error('tax service unavailable (503)');
    }
    return builtIn.calculate(request);
  },
};

const none: Counts = { due: 0, issued: 0, retrying: 0, failed: 0, late: 0, scheduled: 0 };
const FEBRUARY = 'from=2027-02-01T00:00:00.000Z&to=2027-03-01T00:00:00.000Z';

let h: BillingHarness;
let clockId: string;
let subs: { eurA: Sub; eurB: Sub; usd: Sub };
let usdCustomer: string;

async function customer(currency: string): Promise<string> {
  return postCustomer(h.api, { currency, timezone: 'UTC', testClockId: clockId });
}

async function plan(code: string, currency: string, amount: number): Promise<void> {
  created(await h.post('/v1/plans', { code, name: code, currency, interval: 'month', amount }));
}

const runs = (query: string) => h.get<BillingRuns>(`/v1/billing-runs?${query}`);

beforeAll(async () => {
  h = await createBillingHarness({ taxProvider: flakyTax });
  clockId = await newClock(h, '2027-01-15T00:00:00.000Z');
  await plan('runs-eur', 'EUR', 3000);
  await plan('runs-usd', 'USD', 5000);
  usdCustomer = await customer('USD');
  subs = {
    eurA: await subscribe(h, { customerId: await customer('EUR'), planCode: 'runs-eur' }),
    eurB: await subscribe(h, { customerId: await customer('EUR'), planCode: 'runs-eur' }),
    usd: await subscribe(h, { customerId: usdCustomer, planCode: 'runs-usd' }),
  };
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('GET /v1/billing-runs', () => {
  test('counts renewals issued, waiting on a retry, and issued after their retries', async () => {
    // Before the clock moves, February's renewals (on the 15th) are all scheduled.
    // (The first invoice's activity moves the subscription's period just after the invoice.)
    const before = await eventually('February renewals scheduled', async () => {
      const view = await runs(FEBRUARY);
      return view.counts.due === 3 ? view : undefined;
    });
    expect(before.counts).toEqual({ ...none, due: 3, scheduled: 3 });
    expect(before.byCurrency).toEqual([
      { currency: 'EUR', ...none, due: 2, scheduled: 2 },
      { currency: 'USD', ...none, due: 1, scheduled: 1 },
    ]);
    // January's first invoices were issued on the clock: counted, but no real-time lag.
    const january = await runs('from=2027-01-01T00:00:00.000Z&to=2027-02-01T00:00:00.000Z');
    expect(january.counts).toEqual({ ...none, due: 3, issued: 3 });
    expect(january.lag).toMatchObject({ issued: 0, p50Seconds: null });

    usdTaxDown.on = true;
    const advance = await h.post(`/v1/test-clocks/${clockId}/advance`, {
      frozenTime: '2027-02-20T00:00:00.000Z',
    });
    expect(advance.statusCode, advance.body).toBe(202);

    // The EUR renewals are issued; the USD one fails, and Temporal retries it.
    const failing = await eventually(
      'the USD renewal retrying after two failed attempts',
      async () => {
        const view = await runs(FEBRUARY);
        const failure = view.failures.data[0];
        return view.counts.issued === 2 && failure && failure.attempts >= 2 ? view : undefined;
      },
      45_000,
    );
    expect(failing.counts).toEqual({ ...none, due: 3, issued: 2, retrying: 1 });
    expect(failing.byCurrency).toEqual([
      { currency: 'EUR', ...none, due: 2, issued: 2 },
      { currency: 'USD', ...none, due: 1, retrying: 1 },
    ]);
    expect(failing.failures.data).toEqual([
      {
        id: `${subs.usd.id}/2027-02-15T00:00:00.000Z`,
        subscriptionId: subs.usd.id,
        customerId: usdCustomer,
        billingKey: '2027-02-15T00:00:00.000Z/boundary',
        currency: 'USD',
        dueAt: '2027-02-15T00:00:00.000Z',
        state: 'retrying',
        attempts: expect.any(Number) as number,
        lastError: 'tax service unavailable (503)',
        firstFailedAt: expect.any(String) as string,
        lastFailedAt: expect.any(String) as string,
      },
    ]);
    expect(failing.failures.data[0]!.attempts).toBeLessThanOrEqual(usdTaxDown.calls);
    expect(failing.failures.hasMore).toBe(false);

    // The tax service recovers: the next retry issues the invoice, once.
    usdTaxDown.on = false;
    const recovered = await eventually(
      'the USD renewal issued',
      async () => {
        const view = await runs(FEBRUARY);
        return view.counts.issued === 3 ? view : undefined;
      },
      60_000,
    );
    expect(recovered.counts).toEqual({ ...none, due: 3, issued: 3 });
    expect(recovered.failures).toEqual({ data: [], hasMore: false });
    const usdInvoices = await h.get<{ data: { issuedAt: string }[] }>(
      `/v1/invoices?subscriptionId=${subs.usd.id}`,
    );
    expect(usdInvoices.data.map((i) => i.issuedAt).sort()).toEqual([
      '2027-01-15T00:00:00.000Z',
      '2027-02-15T00:00:00.000Z',
    ]);
    // The clock's walk finishes once every workflow has billed its boundary.
    await eventually(
      'the clock ready at 2027-02-20',
      async () =>
        (await h.get<{ status: string }>(`/v1/test-clocks/${clockId}`)).status === 'ready',
      60_000,
    );
    // March's renewals are next, scheduled by the clock (at 2027-02-20).
    const march = await runs('from=2027-03-01T00:00:00.000Z&to=2027-04-01T00:00:00.000Z');
    expect(march.counts).toEqual({ ...none, due: 3, scheduled: 3 });
  }, 150_000);

  test('pages the failures by cursor', async () => {
    const page = await runs(`${FEBRUARY}&limit=1&startingAfter=${subs.eurA.id}/nonsense`);
    expect(page.failures).toEqual({ data: [], hasMore: false });
  });

  test('refuses a window longer than 31 days, or ending before it starts, with a 400', async () => {
    for (const [query, detail] of [
      [
        'from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:01Z',
        'to must be at most 31 days after from.',
      ],
      ['from=2027-02-01T00:00:00Z&to=2027-02-01T00:00:00Z', 'to must be after from.'],
    ] as const) {
      const response = await h.api.request({ method: 'GET', url: `/v1/billing-runs?${query}` });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 400, detail, errors: [{ field: 'to' }] });
    }
    const missing = await h.api.request({ method: 'GET', url: '/v1/billing-runs?from=x' });
    expect(missing.statusCode).toBe(400);
  });
});
