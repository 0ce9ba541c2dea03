// The API on a real subscription workflow: the time-skipping test server, a worker running the
// real activities on the billing task queue and the API's own PostgreSQL database, with test
// clocks to walk customers' time to the minute. Shared by the tests that follow an invoice from
// its prediction (upcoming-invoice, preview-change, estimates) to its issue.
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { getInvoiceDocument } from '../../db/repositories/invoice-documents.ts';
import type { TaxProvider } from '../../domain/tax/provider.ts';
import { realActivities } from './activities.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  testDataConverter,
} from './temporal.ts';
import { createApiHarness, type ApiHarness } from './api-harness.ts';
import { postCustomer } from './builders/customers.ts';
import { postSubscription } from './builders/subscriptions.ts';

export interface Money {
  amount: number;
  currency: string;
}

export interface Sub {
  id: string;
  planCode: string;
  planVersion: number;
  quantity: number;
  status: string;
  anchorAt: string;
  invoicesIssued: number;
  currentPeriod: { start: string; end: string } | null;
  nextBillingAt: string | null;
  createdAt: string;
}

export interface PreviewLine {
  description: string;
  quantity: string;
  amount: Money;
  discount: Money;
  periodStart: string;
  periodEnd: string;
  billing: string;
  explanation: string[];
}

export interface InvoicePreview {
  issuedAt: string;
  periodStart: string;
  periodEnd: string;
  lines: PreviewLine[];
  subtotal: Money;
  discounts: { couponCode: string; amount: Money }[];
  discountTotal: Money;
  totalBeforeTax: Money;
  tax: Money;
  total: Money;
}

export interface Invoice {
  id: string;
  number: string | null;
  subscriptionId: string | null;
  period: { start: string; end: string } | null;
  subtotal: Money;
  discountTotal: Money;
  tax: Money;
  total: Money;
  issuedAt: string | null;
  lines: {
    position: number;
    description: string;
    amount: Money;
    discountAmount: Money;
    taxAmount: Money;
    total: Money;
    period: { start: string; end: string } | null;
  }[];
}

export interface BillingHarness {
  env: TestWorkflowEnvironment;
  /** The API's client: a plain one, which never skips time (for webhook dispatch, queries). */
  client: Client;
  api: ApiHarness;
  post(url: string, payload: object): Promise<{ statusCode: number; body: string; json<T>(): T }>;
  get<T>(url: string): Promise<T>;
  close(): Promise<void>;
}

/**
 * With `collections`, subscription invoices start their collection workflows (reminders); with
 * `webhooks`, endpoints on loopback (a test receiver) are allowed, by the API and the worker.
 */
export async function createBillingHarness(
  options: {
    taxProvider?: TaxProvider;
    collections?: boolean;
    webhooks?: boolean;
    /** The API's options beside its Temporal (a signing secret, Stripe, a public base URL, …). */
    api?: Omit<NonNullable<Parameters<typeof createApiHarness>[0]>, 'temporal'>;
    /** The worker's settings (loadConfig); its signing secret also signs the API's links. */
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<BillingHarness> {
  const { webhooks } = options;
  const config = loadConfig({
    ...(webhooks ? { BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE: 'on' } : {}),
    ...options.env,
  });
  const env = await createTimeSkippingEnvironment();
  // A plain client (not the environment's, which skips time whenever it waits): clocked
  // workflows move only when their clock is advanced.
  const client = new Client({
    connection: await Connection.connect({ address: env.address }),
    namespace: env.namespace ?? 'default',
    dataConverter: testDataConverter,
  });
  const api = await createApiHarness({
    temporalTimeoutMs: 30_000,
    webhooksAllowPrivate: webhooks ?? false,
    signingSecret: config.signingSecret,
    ...options.api,
    temporal: client,
  });
  const worker = await startTestWorker(env, {
    activities: realActivities(api.db, config, {
      temporal: client,
      ...(options.taxProvider ? { taxProvider: options.taxProvider } : {}),
      collections: options.collections ?? false,
    }),
  });
  const post = (url: string, payload: object) => api.request({ method: 'POST', url, payload });
  return {
    env,
    client,
    api,
    post,
    async get<T>(url: string): Promise<T> {
      const response = await api.request({ method: 'GET', url });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
      return response.json<T>();
    },
    async close() {
      await worker.stop();
      await api.close();
      await env.teardown();
    },
  };
}

export function created<T>(response: { statusCode: number; body: string; json<U>(): U }): T {
  expect(response.statusCode, response.body).toBe(201);
  return response.json<T>();
}

/** A test clock frozen at `at`. */
export async function newClock(h: BillingHarness, at: string): Promise<string> {
  return created<{ id: string }>(await h.post('/v1/test-clocks', { frozenTime: at })).id;
}

/** Moves the clock to `to` and waits until every boundary before it is billed. */
export async function advanceClock(h: BillingHarness, clockId: string, to: string): Promise<void> {
  const response = await h.post(`/v1/test-clocks/${clockId}/advance`, { frozenTime: to });
  expect(response.statusCode, response.body).toBe(202);
  await eventually(
    `clock ${clockId} ready at ${to}`,
    async () => {
      const clock = await h.get<{ status: string; frozenTime: string }>(
        `/v1/test-clocks/${clockId}`,
      );
      return clock.status === 'ready' && Date.parse(clock.frozenTime) === Date.parse(to);
    },
    45_000,
  );
}

/** A French customer (VAT 20 %) in Paris, on the clock. */
export async function newCustomer(h: BillingHarness, clockId: string): Promise<string> {
  return postCustomer(h.api, {
    name: 'Lutèce SAS',
    email: 'factures@lutece.example',
    testClockId: clockId,
  });
}

/** Subscribes and waits for the workflow to be in its first period (its first invoice issued). */
export async function subscribe(h: BillingHarness, payload: object): Promise<Sub> {
  const { id } = await postSubscription(h.api, payload);
  return eventually('the subscription to open its first period', async () => {
    const sub = await h.get<Sub>(`/v1/subscriptions/${id}`);
    return sub.currentPeriod ? sub : undefined;
  });
}

/** The subscription's invoices, oldest first, with their lines. */
export async function invoicesOf(h: BillingHarness, subscriptionId: string): Promise<Invoice[]> {
  const list = await h.get<{ data: { id: string; issuedAt: string | null }[] }>(
    `/v1/invoices?subscriptionId=${subscriptionId}&limit=100`,
  );
  const all = await Promise.all(list.data.map((i) => h.get<Invoice>(`/v1/invoices/${i.id}`)));
  return all.sort((a, b) => Date.parse(a.issuedAt ?? '') - Date.parse(b.issuedAt ?? ''));
}

/** The subscription's invoices, once `count` are issued (numbered). */
export function issuedInvoices(
  h: BillingHarness,
  subscriptionId: string,
  count: number,
): Promise<Invoice[]> {
  return eventually(`${count} invoice(s) issued`, async () => {
    const invoices = await invoicesOf(h, subscriptionId);
    return invoices.filter((i) => i.number).length >= count ? invoices : undefined;
  });
}

/** The invoice's stored HTML, once its workflow has rendered it. */
export function storedInvoiceHtml(h: BillingHarness, invoiceId: string) {
  return eventually(`invoice ${invoiceId} rendered`, async () => {
    const document = await getInvoiceDocument(h.api.db, invoiceId, 'html');
    return document ? document : undefined;
  });
}

/** What an invoice and its prediction must agree on, line by line and in total. */
export function invoiceFigures(invoice: Invoice) {
  return {
    period: invoice.period,
    lines: invoice.lines
      .map((l) => ({
        description: l.description,
        amount: l.amount.amount,
        discount: l.discountAmount.amount,
        period: l.period,
      }))
      .sort(byLine),
    subtotal: invoice.subtotal.amount,
    discountTotal: invoice.discountTotal.amount,
    tax: invoice.tax.amount,
    total: invoice.total.amount,
  };
}

export function previewFigures(preview: InvoicePreview) {
  return {
    period: { start: preview.periodStart, end: preview.periodEnd },
    lines: preview.lines
      .map((l) => ({
        description: l.description,
        amount: l.amount.amount,
        discount: l.discount.amount,
        period: { start: l.periodStart, end: l.periodEnd },
      }))
      .sort(byLine),
    subtotal: preview.subtotal.amount,
    discountTotal: preview.discountTotal.amount,
    tax: preview.tax.amount,
    total: preview.total.amount,
  };
}

const byLine = (a: { description: string; amount: number }, b: typeof a) =>
  a.description.localeCompare(b.description) || a.amount - b.amount;

/** A usage charge billed in arrears on `metricCode`. */
export function usageCharge(key: string, metricCode: string, pricing: object, options = {}) {
  return {
    key,
    type: 'usage',
    description: key,
    billing: 'arrears',
    metricCode,
    pricing,
    ...options,
  };
}
