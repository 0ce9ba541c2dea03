// The accounting routes' answers on real PostgreSQL with a stand-in Temporal: without
// configuration nothing syncs and the API says why; two starts at once run one sync; a sync of
// another period waits its turn; bad periods are refused naming the field; a Temporal outage
// stores nothing. The sync itself runs in test/workflows/accounting-sync.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuickBooksSystem } from '../../accounting/quickbooks.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { recordingTemporal, type RecordingTemporal } from '../support/recording-temporal.ts';

// Never reached: these tests stop before anything is pushed or read.
const system = createQuickBooksSystem({
  realmId: '1',
  accessToken: 'unused',
  baseUrl: 'http://127.0.0.1:9/v3/company/',
  itemRefs: { default: '1' },
});

let off: ApiHarness;
let on: ApiHarness;
let temporal: RecordingTemporal;

beforeAll(async () => {
  off = await createApiHarness();
  temporal = recordingTemporal({ latencyMs: 50 });
  on = await createApiHarness({ temporal: temporal.client, accounting: system });
});
afterAll(async () => {
  await off?.close();
  await on?.close();
});

const post = (api: ApiHarness, payload: object) =>
  api.request({ method: 'POST', url: '/v1/accounting/syncs', payload });

describe('accounting routes', () => {
  it('answers 409 without QuickBooks configured, and syncs nothing', async () => {
    const start = await post(off, {});
    expect(start.statusCode).toBe(409);
    expect(start.headers['content-type']).toContain('application/problem+json');
    expect(start.json<{ detail: string }>().detail).toMatch(
      /not configured: set QUICKBOOKS_REALM_ID/,
    );
    const report = await off.request({
      method: 'GET',
      url: '/v1/accounting/reconciliation?from=2026-12-01&to=2027-01-01',
    });
    expect(report.statusCode).toBe(409);
    const rows = await off.db.selectFrom('accounting_syncs').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('refuses a period that ends before it starts, naming the field', async () => {
    const start = await post(on, { period: { from: '2026-12-01', to: '2026-11-01' } });
    expect(start.statusCode).toBe(422);
    expect(start.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('period.to');
    const report = await on.request({
      method: 'GET',
      url: '/v1/accounting/reconciliation?from=2026-01-01&to=2027-06-01',
    });
    expect(report.statusCode).toBe(422);
    expect(report.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('to');
  });

  it('answers 404 for a sync that does not exist', async () => {
    const response = await on.request({ method: 'GET', url: '/v1/accounting/syncs/acsync_nope' });
    expect(response.statusCode).toBe(404);
  });

  it('runs one sync for two starts at once, and refuses another period while it runs', async () => {
    const period = { from: '2026-12-01', to: '2027-01-01' };
    const [a, b] = await Promise.all([post(on, { period }), post(on, { period })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 202]);
    const ids = [a, b].map((r) => r.json<{ id: string }>().id);
    expect(ids[0]).toBe(ids[1]);
    expect(temporal.started.map((s) => s.workflowId)).toEqual([`accounting-sync-${ids[0]}`]);
    expect(a.json()).toMatchObject({
      period,
      status: 'running',
      provider: 'quickbooks',
      counts: { invoices: { pushed: 0, skipped: 0, failed: 0 } },
    });

    const another = await post(on, {});
    expect(another.statusCode).toBe(409);
    expect(another.json<{ detail: string }>().detail).toContain(`Sync ${ids[0]}`);
    const read = await on.request({ method: 'GET', url: `/v1/accounting/syncs/${ids[0]}` });
    expect(read.json()).toMatchObject({ id: ids[0], workflowId: `accounting-sync-${ids[0]}` });
  });

  it('stores nothing when Temporal cannot start the sync', async () => {
    const down = recordingTemporal();
    down.down = true;
    const api = await createApiHarness({ temporal: down.client, accounting: system });
    try {
      expect((await post(api, {})).statusCode).toBe(503);
      expect(await api.db.selectFrom('accounting_syncs').selectAll().execute()).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
