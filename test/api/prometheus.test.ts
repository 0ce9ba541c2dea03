// GET /metrics on the API: guarded by BILLWRIGHT_METRICS_TOKEN when it is set, outside /v1 (no
// API key), and counting invoices and credit notes issued through the API once each: a manual
// invoice finalized twice, then voided twice, with Temporal unreachable (its starts deferred).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { creditNotesIssued, invoicesIssued } from '../../observability/metrics.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';

const TOKEN = 'scrape-me-7c1f';
let api: ApiHarness;

beforeAll(async () => {
  api = await createApiHarness({ metricsToken: TOKEN });
});

afterAll(async () => {
  await api?.close();
});

async function counted(counter: typeof invoicesIssued, origin: string): Promise<number> {
  const { values } = await counter.get();
  return values.find((v) => v.labels.origin === origin && v.labels.currency === 'EUR')?.value ?? 0;
}

describe('GET /metrics', () => {
  test('asks for the metrics token when one is set, and not for an API key', async () => {
    const anonymous = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    const apiKey = await api.request({ method: 'GET', url: '/metrics' });
    expect(apiKey.statusCode).toBe(401);
    const scraped = await api.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(scraped.body).toContain('# TYPE billwright_invoices_issued_total counter');
    expect(scraped.body).toContain('# TYPE billwright_billing_run_lag_seconds histogram');
    expect(scraped.body).toContain('# TYPE process_cpu_seconds_total counter');
  });

  test('counts a manual invoice finalized twice once, and its void’s credit note once', async () => {
    const [issuedBefore, voidBefore] = [
      await counted(invoicesIssued, 'manual'),
      await counted(creditNotesIssued, 'void'),
    ];
    const customerId = await postCustomer(api);
    const draft = await api.request({
      method: 'POST',
      url: '/v1/invoices',
      payload: { customerId, lines: [{ description: 'Workshop', quantity: 1, unitPrice: 50_000 }] },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const id = draft.json<{ id: string }>().id;
    for (let i = 0; i < 2; i++) {
      const finalized = await api.request({ method: 'POST', url: `/v1/invoices/${id}/finalize` });
      expect(finalized.statusCode, finalized.body).toBe(200);
    }
    expect((await counted(invoicesIssued, 'manual')) - issuedBefore).toBe(1);
    for (let i = 0; i < 2; i++) {
      // Temporal is unreachable: the void stands, its collection is told later (503 or 200).
      await api.request({ method: 'POST', url: `/v1/invoices/${id}/void`, payload: {} });
    }
    const invoice = await api.request({ method: 'GET', url: `/v1/invoices/${id}` });
    expect(invoice.json<{ status: string }>().status).toBe('void');
    expect((await counted(creditNotesIssued, 'void')) - voidBefore).toBe(1);
  });
});
