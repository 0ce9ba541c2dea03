// The accounting sync end to end through the public API: invoices finalized, a payment and a
// credit note recorded over HTTP; POST /v1/accounting/syncs runs the real sync workflow on the
// time-skipping server with the real activities, which push through the real node-quickbooks SDK
// to a local QuickBooks stand-in that records every request. It saw the customer before the
// invoices before the payment and the credit memo, with the amounts in QuickBooks decimals; a
// second sync sends nothing; an answer lost after QuickBooks acted is retried without a
// duplicate; and the reconciliation shows what differs once a bookkeeper edits QuickBooks.
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuickBooksSystem } from '../../accounting/quickbooks.ts';
import { loadConfig } from '../../config/index.ts';
import { insertAccountingSync } from '../../db/repositories/accounting-sync.ts';
import { accountingSyncStartOptions } from '../../temporal/accounting-sync-start.ts';
import { realActivities } from '../support/activities.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { startQuickBooksServer, type QuickBooksServer } from '../support/quickbooks-server.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  testDataConverter,
  type RunningWorker,
} from '../support/temporal.ts';

interface Sync {
  id: string;
  status: 'running' | 'completed';
  counts: Record<string, { pushed: number; skipped: number; failed: number }>;
  failures: { kind: string; objectId: string; reason: string | null }[];
}

interface Invoice {
  id: string;
  number: string;
  customerId: string;
  tax: { amount: number };
  total: { amount: number };
}

let qbo: QuickBooksServer;
let env: TestWorkflowEnvironment;
let api: ApiHarness;
let worker: RunningWorker;
let client: Client;

beforeAll(async () => {
  qbo = await startQuickBooksServer();
  const system = createQuickBooksSystem({
    realmId: qbo.realmId,
    accessToken: 'qbo-access-token',
    baseUrl: qbo.baseUrl,
    itemRefs: { default: '1', manual: '7' },
    taxCodeRefs: { standard: 'TAX' },
  });
  env = await createTimeSkippingEnvironment();
  client = new Client({
    connection: await Connection.connect({ address: env.address }),
    namespace: env.namespace ?? 'default',
    dataConverter: testDataConverter,
  });
  api = await createApiHarness({ temporal: client, temporalTimeoutMs: 30_000, accounting: system });
  worker = await startTestWorker(env, {
    activities: realActivities(api.db, loadConfig({}), { temporal: client, accounting: system }),
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.teardown();
  await qbo?.close();
});

async function post<T>(url: string, payload: object, status: number): Promise<T> {
  const response = await api.request({ method: 'POST', url, payload });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
  return response.json<T>();
}

async function get<T>(url: string): Promise<T> {
  const response = await api.request({ method: 'GET', url });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
  return response.json<T>();
}

/** A manual invoice for the customer, finalized through the API. */
async function finalizedInvoice(customerId: string, unitPrice: number): Promise<Invoice> {
  const draft = await post<{ id: string }>(
    '/v1/invoices',
    { customerId, lines: [{ description: 'Implementation work', quantity: 3, unitPrice }] },
    201,
  );
  return post<Invoice>(`/v1/invoices/${draft.id}/finalize`, {}, 200);
}

/** Starts a sync through the API and waits for it to complete. */
async function sync(): Promise<Sync> {
  const started = await post<Sync>('/v1/accounting/syncs', {}, 202);
  return eventually(
    `sync ${started.id} to complete`,
    async () => {
      const current = await get<Sync>(`/v1/accounting/syncs/${started.id}`);
      return current.status === 'completed' ? current : undefined;
    },
    60_000,
  );
}

const today = new Date().toISOString().slice(0, 10);
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const reconciliationUrl = `/v1/accounting/reconciliation?from=${today}&to=${tomorrow}`;

let paid: Invoice;
let other: Invoice;
let paymentId: string;
let creditNote: { id: string; number: string; total: { amount: number } };

describe('accounting sync to QuickBooks', () => {
  it('pushes the customer, then invoices, then the payment and the credit memo, in decimals', async () => {
    const customerId = await postCustomer(api, { name: 'Lutèce SAS', email: 'ap@lutece.test' });
    paid = await finalizedInvoice(customerId, 12345);
    other = await finalizedInvoice(customerId, 5000);
    const payment = await post<{ payment: { id: string } }>(
      `/v1/invoices/${paid.id}/payments`,
      { amount: 20000, method: 'Bank transfer', reference: 'SEPA-2026-12-03-001' },
      201,
    );
    paymentId = payment.payment.id;
    creditNote = await post(
      `/v1/invoices/${other.id}/credit-notes`,
      { reason: 'refund', amount: 1200, memo: 'Half a day not worked' },
      201,
    );

    const done = await sync();

    expect(done.counts).toEqual({
      customers: { pushed: 1, skipped: 0, failed: 0 },
      invoices: { pushed: 2, skipped: 0, failed: 0 },
      payments: { pushed: 1, skipped: 0, failed: 0 },
      creditNotes: { pushed: 1, skipped: 0, failed: 0 },
    });
    const creates = qbo.creates();
    expect(creates.map((r) => r.entity)).toEqual([
      'Customer',
      'Invoice',
      'Invoice',
      'Payment',
      'CreditMemo',
    ]);
    const [customer, first, second, payment_, memo] = creates.map((r) => r.body!);
    const [qboCustomer] = qbo.held('Customer');
    expect(customer).toMatchObject({ DisplayName: `Lutèce SAS (${customerId})` });
    // 3 × 123.45 = 370.35, taxed as Billwright taxed it.
    const sorted = [first!, second!].sort((a, b) =>
      String(a.DocNumber).localeCompare(String(b.DocNumber)),
    );
    expect(sorted[0]).toMatchObject({
      DocNumber: paid.number,
      CustomerRef: { value: qboCustomer!.Id },
      CurrencyRef: { value: 'EUR' },
      Line: [{ Amount: 370.35, SalesItemLineDetail: { ItemRef: { value: '7' }, Qty: 3 } }],
      TxnTaxDetail: { TotalTax: paid.tax.amount / 100 },
    });
    const heldPaid = qbo.held('Invoice').find((i) => i.DocNumber === paid.number)!;
    expect(Math.round(Number(heldPaid.TotalAmt) * 100)).toBe(paid.total.amount);
    expect(payment_).toMatchObject({
      TotalAmt: 200,
      PaymentRefNum: 'SEPA-2026-12-03-001',
      Line: [{ LinkedTxn: [{ TxnId: heldPaid.Id, TxnType: 'Invoice' }] }],
    });
    expect(memo).toMatchObject({
      DocNumber: creditNote.number,
      CustomerRef: { value: qboCustomer!.Id },
      CustomerMemo: { value: 'Half a day not worked' },
    });
    const heldMemo = qbo.held('CreditMemo')[0]!;
    expect(Math.round(Number(heldMemo.TotalAmt) * 100)).toBe(creditNote.total.amount);
  }, 120_000);

  it('sends nothing new on a second sync', async () => {
    const before = qbo.requests.filter((r) => r.operation !== 'query').length;
    const done = await sync();
    expect(done.counts).toEqual({
      customers: { pushed: 0, skipped: 1, failed: 0 },
      invoices: { pushed: 0, skipped: 2, failed: 0 },
      payments: { pushed: 0, skipped: 1, failed: 0 },
      creditNotes: { pushed: 0, skipped: 1, failed: 0 },
    });
    expect(qbo.requests.filter((r) => r.operation !== 'query')).toHaveLength(before);
  }, 120_000);

  it('retries an answer lost after QuickBooks created the invoice, without a duplicate', async () => {
    const customerId = await postCustomer(api, { name: 'Brest Marine', email: 'ap@brest.test' });
    const late = await finalizedInvoice(customerId, 990);
    qbo.failNext(500, (r) => r.entity === 'Invoice' && r.operation === 'create', { after: true });

    const done = await sync();

    expect(done.counts.invoices).toEqual({ pushed: 1, skipped: 2, failed: 0 });
    expect(done.failures).toEqual([]);
    const tries = qbo.requests.filter(
      (r) => r.entity === 'Invoice' && r.body?.DocNumber === late.number,
    );
    // Created once (answered 500), then found by its number and updated, not created again.
    expect(tries.map((r) => r.operation)).toEqual(['create', 'update']);
    expect(qbo.held('Invoice').filter((i) => i.DocNumber === late.number)).toHaveLength(1);
    expect(qbo.held('Customer')).toHaveLength(2);
  }, 120_000);

  it('reconciles: matched, then what differs once QuickBooks is edited or holds more', async () => {
    type Report = {
      totals: { kind: string; currency: string; matched: number; amountDiffers: number }[];
      documents: {
        kind: string;
        status: string;
        billwright: { id: string } | null;
        accounting: { externalId: string; amount: number } | null;
        difference: number;
      }[];
    };
    const clean = await get<Report>(reconciliationUrl);
    expect(new Set(clean.documents.map((d) => d.status))).toEqual(new Set(['matched']));
    expect(clean.documents.filter((d) => d.kind === 'invoice')).toHaveLength(3);
    expect(clean.documents.find((d) => d.billwright?.id === paymentId)).toMatchObject({
      kind: 'payment',
      accounting: { amount: 20000 },
    });

    const heldPaid = qbo.held('Invoice').find((i) => i.DocNumber === paid.number)!;
    qbo.edit('Invoice', heldPaid.Id, { TotalAmt: Number(heldPaid.TotalAmt) + 10 });
    const unfinished = await finalizedInvoice(paid.customerId, 100);

    const report = await get<Report>(reconciliationUrl);
    const byInvoice = (id: string) => report.documents.find((d) => d.billwright?.id === id);
    expect(byInvoice(paid.id)).toMatchObject({ status: 'amount_differs', difference: 1000 });
    expect(byInvoice(unfinished.id)).toMatchObject({
      status: 'missing_in_accounting',
      accounting: null,
    });
    expect(byInvoice(other.id)).toMatchObject({ status: 'matched', difference: 0 });
    expect(report.totals.find((t) => t.kind === 'invoice')).toMatchObject({
      currency: 'EUR',
      matched: 2,
      amountDiffers: 1,
      missingInAccounting: 1,
      unknownInBillwright: 0,
    });
  }, 120_000);

  it('continues as new between batches, so history stays bounded, counting across runs', async () => {
    const syncId = 'acsync_continueasnew0000001';
    await insertAccountingSync(api.db, { id: syncId, provider: 'quickbooks', actor: 'test' });
    const input = { syncId, systemName: 'QuickBooks', batchSize: 1, batchesPerRun: 2 };
    const handle = await client.workflow.start(
      'accountingSyncWorkflow',
      accountingSyncStartOptions(input, 'test'),
    );

    // Everything was pushed before but the invoice finalized since the last sync.
    expect(await handle.result()).toEqual({
      customer: { pushed: 0, skipped: 2, failed: 0 },
      invoice: { pushed: 1, skipped: 3, failed: 0 },
      payment: { pushed: 0, skipped: 1, failed: 0 },
      credit_note: { pushed: 0, skipped: 1, failed: 0 },
    });
    const first = client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');
    // Each run: at most two batches of a list and a push, then continue-as-new.
    const last = await client.workflow.getHandle(handle.workflowId).fetchHistory();
    expect(last.events!.length).toBeLessThan(40);
    expect(await get<Sync>(`/v1/accounting/syncs/${syncId}`)).toMatchObject({
      status: 'completed',
    });
  }, 120_000);
});
