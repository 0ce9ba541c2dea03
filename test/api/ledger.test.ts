// The ledger's routes over HTTP on a real database: who may change the chart and its mappings,
// refusals naming the field, the journal as CSV by format or Accept, and the OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../db/repositories/api-keys.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { finalizeInvoice } from '../../db/repositories/invoice-finalization.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { finalizeOptions } from '../support/builders/invoices.ts';

type Mappings = { data: Record<string, string>[] };
type Problem = { errors: { field: string }[] };

let api: ApiHarness;
let writeKey: string;

beforeAll(async () => {
  api = await createApiHarness();
  writeKey = (await createApiKey(api.db, 'writer', ['write'])).key;
  const customer = await insertCustomer(api.db);
  const draft = await createDraftInvoice(api.db, {
    customerId: customer.id,
    currency: 'EUR',
    lines: [
      { description: 'Audit, "phase 1", =fees', quantity: '1', unitAmount: '10000', amount: 10000 },
    ],
  });
  await finalizeInvoice(api.db, draft.id, { ...finalizeOptions(), at: '2027-01-10T10:00:00Z' });
});

afterAll(async () => {
  await api?.close();
});

describe('chart of accounts and mappings', () => {
  it('lists the seeded accounts; adds one (admin), refuses a taken code', async () => {
    const list = await api.request({ method: 'GET', url: '/v1/ledger/accounts?limit=100' });
    expect(list.json<{ data: { code: string }[] }>().data.map((a) => a.code)).toEqual([
      '1000',
      '1100',
      '2100',
      '2200',
      '2250',
      '2300',
      '2400',
      '3000',
      '4000',
      '6100',
    ]);
    const body = { code: '4020', name: 'Revenue: projects', type: 'revenue' };
    const created = await api.request({
      method: 'POST',
      url: '/v1/ledger/accounts',
      payload: body,
    });
    expect(created.statusCode).toBe(201);
    const again = await api.request({
      method: 'POST',
      url: '/v1/ledger/accounts',
      payload: { ...body, name: 'x' },
    });
    expect(again.statusCode).toBe(409);
    const writer = await api.request({
      method: 'POST',
      url: '/v1/ledger/accounts',
      payload: { ...body, code: '4030' },
      headers: { authorization: `Bearer ${writeKey}` },
    });
    expect(writer.statusCode).toBe(403);
  });

  it('replaces the mappings (admin), naming each field at fault', async () => {
    const current = (
      await api.request({ method: 'GET', url: '/v1/ledger/mappings' })
    ).json<Mappings>().data;
    expect(current).toContainEqual({ role: 'revenue', accountCode: '4000' });
    const payload = {
      mappings: [
        ...current,
        { role: 'revenue', origin: 'project', accountCode: '4020' },
        { role: 'tax_payable', jurisdiction: 'FR', taxRate: '20', accountCode: '2100' },
      ],
    };
    const writer = await api.request({
      method: 'PUT',
      url: '/v1/ledger/mappings',
      payload,
      headers: { authorization: `Bearer ${writeKey}` },
    });
    expect(writer.statusCode).toBe(403);
    const replaced = await api.request({ method: 'PUT', url: '/v1/ledger/mappings', payload });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json<Mappings>().data).toContainEqual({
      role: 'revenue',
      origin: 'project',
      accountCode: '4020',
    });
    const wrong = await api.request({
      method: 'PUT',
      url: '/v1/ledger/mappings',
      payload: { mappings: [{ role: 'revenue', method: 'card', accountCode: '4000' }] },
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json<Problem>().errors.map((e) => e.field)).toContain('mappings[0].method');
  });
});

describe('reports', () => {
  it('refuses an unknown currency and a period that ends before it starts', async () => {
    const currency = await api.request({
      method: 'GET',
      url: '/v1/ledger/trial-balance?currency=XYZ',
    });
    expect(currency.statusCode).toBe(422);
    expect(currency.json<Problem>().errors[0]?.field).toBe('currency');
    const period = await api.request({
      method: 'GET',
      url: '/v1/ledger/journal?from=2027-02-01&to=2027-01-01',
    });
    expect(period.statusCode).toBe(422);
    expect(period.json<Problem>().errors[0]?.field).toBe('from');
  });

  it('exports CSV by format or by Accept, quoting and defusing text', async () => {
    const byFormat = await api.request({ method: 'GET', url: '/v1/ledger/journal?format=csv' });
    expect(byFormat.headers['content-type']).toBe('text/csv; charset=utf-8');
    const byAccept = await api.request({
      method: 'GET',
      url: '/v1/ledger/journal',
      headers: { accept: 'text/csv' },
    });
    expect(byAccept.body).toBe(byFormat.body);
    const rows = byFormat.body.trimEnd().split('\r\n');
    expect(rows).toHaveLength(4); // header, AR, revenue, tax
    expect(rows[2]).toContain('"Audit, ""phase 1"", =fees"');
    const json = await api.request({ method: 'GET', url: '/v1/ledger/journal' });
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.json<{ data: unknown[] }>().data).toHaveLength(3);
  });

  it('documents the CSV response in OpenAPI', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, { get: { responses: Record<string, { content: object }> } }>;
    }>();
    const ok = doc.paths['/v1/ledger/journal']!.get.responses['200']!;
    expect(Object.keys(ok.content).sort()).toEqual(['application/json', 'text/csv']);
  });
});
