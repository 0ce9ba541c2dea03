// /change, /preview-change and /upcoming-invoice against a REAL subscription workflow: the API is
// built on the time-skipping server's client, a worker runs the real activities on the billing
// task queue, and everything is asserted over HTTP and on the rows in PostgreSQL.
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { realActivities } from '../support/activities.ts';
import { loadConfig } from '../../config/index.ts';
import { listPlanVersionChanges } from '../../db/repositories/subscriptions.ts';
import { prorate } from '../../domain/subscriptions/billing-cycles.ts';
import { money } from '../../domain/core/money.ts';
import { unusedShare } from '../../domain/subscriptions/charges.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  type RunningWorker,
} from '../support/temporal.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { postSubscription } from '../support/builders/subscriptions.ts';

const DAY = 86_400_000;
const TZ = 'Europe/Paris';

let env: TestWorkflowEnvironment;
let api: ApiHarness;
let worker: RunningWorker;
let customerId: string;

interface Sub {
  id: string;
  planCode: string;
  planVersion: number;
  quantity: number;
  status: string;
  invoicesIssued: number;
  currentPeriod: { start: string; end: string } | null;
}

const charges = (base: number) => [
  { key: 'base', type: 'flat', description: 'Base', billing: 'advance', amount: String(base) },
  { key: 'seats', type: 'per_seat', description: 'Seats', billing: 'advance', unitAmount: '1000' },
  {
    key: 'calls',
    type: 'usage',
    description: 'API calls',
    billing: 'arrears',
    metricCode: 'api_calls',
    pricing: { model: 'per_unit', unitPrice: '2' },
  },
];

function created(response: { statusCode: number; body: string }): void {
  expect(response.statusCode, response.body).toBe(201);
}

beforeAll(async () => {
  env = await createTimeSkippingEnvironment();
  api = await createApiHarness({ temporal: env.client, temporalTimeoutMs: 20_000 });
  const config = loadConfig({});
  worker = await startTestWorker(env, {
    activities: realActivities(api.db, config),
  });
  customerId = await postCustomer(api, {
    name: 'Paris SARL',
    email: 'billing@paris.example',
    timezone: TZ,
  });
  created(
    await api.request({
      method: 'POST',
      url: '/v1/metrics',
      payload: { code: 'api_calls', name: 'API calls', aggregation: 'count' },
    }),
  );
  const plans = [
    { code: 'team', currency: 'EUR', interval: 'month', charges: charges(3000) },
    { code: 'team-usd', currency: 'USD', interval: 'month', charges: charges(3000) },
    { code: 'team-yearly', currency: 'EUR', interval: 'year', charges: charges(30000) },
  ];
  for (const plan of plans) {
    created(
      await api.request({
        method: 'POST',
        url: '/v1/plans',
        payload: { name: plan.code, ...plan },
      }),
    );
  }
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.teardown();
});

/** Subscribes via the API, anchored `daysAgo` in the past so the first period is open now. */
async function subscribe(quantity: number, daysAgo = 10): Promise<Sub> {
  const { id } = await postSubscription(api, {
    customerId,
    planCode: 'team',
    quantity,
    // The workflow lives on the test server's clock, which earlier tests may have moved.
    startAt: new Date((await env.currentTimeMs()) - daysAgo * DAY).toISOString(),
  });
  return eventually('the first invoice', async () => {
    const sub = await get(id);
    return sub.invoicesIssued >= 1 && sub.currentPeriod ? sub : undefined;
  });
}

async function get(id: string): Promise<Sub> {
  const response = await api.request({ method: 'GET', url: `/v1/subscriptions/${id}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Sub>();
}

async function listed(id: string): Promise<Sub> {
  const response = await api.request({
    method: 'GET',
    url: `/v1/subscriptions?customerId=${customerId}&limit=100`,
  });
  return response.json<{ data: Sub[] }>().data.find((s) => s.id === id)!;
}

function invoicesOf(subscriptionId: string) {
  return api.db
    .selectFrom('invoices')
    .select(['id', 'subtotal', 'total', 'billing_key'])
    .where('subscription_id', '=', subscriptionId)
    .orderBy('issued_at')
    .execute();
}

function creditNotesOf(subscriptionId: string) {
  return api.db
    .selectFrom('credit_notes')
    .innerJoin('invoices', 'invoices.id', 'credit_notes.invoice_id')
    .select(['credit_notes.subtotal', 'credit_notes.total'])
    .where('invoices.subscription_id', '=', subscriptionId)
    .execute();
}

describe('a real subscription workflow through the API', () => {
  test('upcoming-invoice prices the advance charges and the usage posted so far', async () => {
    const sub = await subscribe(2);
    const period = sub.currentPeriod!;
    const events = Array.from({ length: 7 }, (_, i) => ({
      transactionId: `tx-${randomUUID()}`,
      subscriptionId: sub.id,
      metricCode: 'api_calls',
      timestamp: new Date(Date.parse(period.start) + DAY + i * 60_000).toISOString(),
    }));
    const ingested = await api.request({ method: 'POST', url: '/v1/events', payload: { events } });
    expect(ingested.statusCode, ingested.body).toBeLessThan(300);
    const response = await api.request({
      method: 'GET',
      url: `/v1/subscriptions/${sub.id}/upcoming-invoice`,
    });
    expect(response.statusCode, response.body).toBe(200);
    const upcoming = response.json<{
      periodStart: string;
      periodEnd: string;
      lines: { description: string; billing: string; amount: { amount: number } }[];
      subtotal: { amount: number; currency: string };
    }>();
    // The invoice of the next boundary: this period's usage so far in arrears and the next
    // period's advance charges, issued when this period ends.
    expect(upcoming.periodStart).toBe(period.start);
    expect(upcoming.periodEnd).toBe(
      DateTime.fromISO(period.end, { zone: TZ }).plus({ months: 1 }).toUTC().toISO(),
    );
    expect(upcoming.lines.map((l) => [l.billing, l.amount.amount])).toEqual(
      expect.arrayContaining([
        ['advance', 3000],
        ['advance', 2000],
        ['arrears', 14],
      ]),
    );
    expect(upcoming.subtotal).toEqual({ amount: 5014, currency: 'EUR' });
  });

  test('preview-change, then the upgrade: credit note, invoice, new terms on the row', async () => {
    const sub = await subscribe(2);
    expect(sub.planVersion).toBe(1);
    // A new version of the plan costs more: the change moves the subscription onto it.
    created(
      await api.request({
        method: 'POST',
        url: '/v1/plans/team/versions',
        payload: { charges: charges(5000) },
      }),
    );
    const period = sub.currentPeriod!;
    const before = await invoicesOf(sub.id);

    // Proration counts local days left, read when each call runs (the preview on the API's
    // clock, the change on the workflow's). Expect the figures for the share just before or just
    // after each call, so a local midnight passing during it cannot fail the test.
    const figures = (at: number) => {
      const share = unusedShare(period, new Date(at).toISOString(), TZ);
      const credit = prorate(money(5000, 'EUR'), share).amount;
      const charge = prorate(money(8000, 'EUR'), share).amount;
      return { credit, charge };
    };
    const previewWindow = [figures(Date.now())];
    const previewed = await api.request({
      method: 'GET',
      url: `/v1/subscriptions/${sub.id}/preview-change?planCode=team&quantity=3`,
    });
    previewWindow.push(figures(Date.now()));
    expect(previewed.statusCode, previewed.body).toBe(200);
    const preview = previewed.json<{
      applyAt: string;
      credit: { amount: number };
      charge: { amount: number };
      net: { amount: number };
      nextPeriod: { amount: number };
      invoice: { totalBeforeTax: { amount: number } };
    }>();
    expect(preview).toMatchObject({ applyAt: 'now', nextPeriod: { amount: 8000 } });
    expect(preview.net.amount).toBe(preview.charge.amount - preview.credit.amount);
    // Before tax, the change's invoice is the new terms for the days left.
    expect(previewWindow.map((f) => f.charge)).toContain(preview.invoice.totalBeforeTax.amount);
    // A preview changes nothing.
    expect(await invoicesOf(sub.id)).toEqual(before);
    expect(await creditNotesOf(sub.id)).toEqual([]);
    expect(await get(sub.id)).toMatchObject({ planVersion: 1, quantity: 2 });

    const changeWindow = [figures(await env.currentTimeMs())];
    const changed = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${sub.id}/change`,
      payload: { planCode: 'team', quantity: 3, reason: 'more seats' },
    });
    changeWindow.push(figures(await env.currentTimeMs()));
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      id: sub.id,
      status: 'active',
      planCode: 'team',
      planVersion: 2,
      quantity: 3,
      invoicesIssued: 2,
    });
    const invoices = await invoicesOf(sub.id);
    expect(invoices).toHaveLength(2);
    expect(invoices[1]!.billing_key).toMatch(/\/change$/);
    const creditNotes = await creditNotesOf(sub.id);
    expect(creditNotes).toHaveLength(1);
    expect(changeWindow).toContainEqual({
      credit: creditNotes[0]!.subtotal,
      charge: invoices[1]!.subtotal,
    });
    // The preview said what the change then did, tax included (same local day left).
    if (previewWindow[0]!.charge === changeWindow[0]!.charge) {
      expect(preview.charge.amount).toBe(invoices[1]!.total);
      expect(preview.credit.amount).toBe(creditNotes[0]!.total);
    }

    // The row (what lists show) bills the new terms, with the move in the audit trail.
    expect(await listed(sub.id)).toMatchObject({ planVersion: 2, quantity: 3 });
    const audit = await listPlanVersionChanges(api.db, sub.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      from_version: 1,
      to_version: 2,
      from_quantity: 2,
      to_quantity: 3,
      actor: api.apiKey.id,
      reason: 'more seats',
      change_key: expect.stringMatching(/\/change$/) as string,
    });
    // One subscription.updated webhook event, written with the change, with the new terms.
    expect(await updatedEvents(sub.id)).toEqual([
      expect.objectContaining({ id: sub.id, planVersion: 2, quantity: 3 }),
    ]);
  });

  test('another currency or interval is a 409, an unknown plan a 422; nothing changes', async () => {
    const sub = await subscribe(1);
    const before = await invoicesOf(sub.id);
    for (const planCode of ['team-usd', 'team-yearly']) {
      const response = await api.request({
        method: 'POST',
        url: `/v1/subscriptions/${sub.id}/change`,
        payload: { planCode },
      });
      expect(response.statusCode, response.body).toBe(409);
    }
    const usd = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${sub.id}/change`,
      payload: { planCode: 'team-usd' },
    });
    expect(usd.json<{ detail: string }>().detail).toMatch(/USD/);
    const unknown = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${sub.id}/change`,
      payload: { planCode: 'no-such-plan' },
    });
    expect(unknown.statusCode).toBe(422);
    expect(await invoicesOf(sub.id)).toEqual(before);
    expect(await listed(sub.id)).toMatchObject({ planVersion: sub.planVersion, quantity: 1 });
  });

  test('a downgrade waits for the boundary, then the row follows', async () => {
    const sub = await subscribe(4, 20);
    const response = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${sub.id}/change`,
      payload: { quantity: 1 },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ quantity: 4, invoicesIssued: 1 });
    expect(await listed(sub.id)).toMatchObject({ quantity: 4 });
    // To the boundary (virtual time): the next period opens on the new quantity.
    const end = Date.parse(sub.currentPeriod!.end);
    await env.sleep(end + 3_600_000 - (await env.currentTimeMs()));
    await eventually('the boundary invoice', async () => (await invoicesOf(sub.id)).length >= 2);
    await eventually('the row to follow', async () => (await listed(sub.id)).quantity === 1);
    const audit = await listPlanVersionChanges(api.db, sub.id);
    expect(audit.map((a) => [a.from_quantity, a.to_quantity, a.change_key])).toEqual([
      [4, 1, `${new Date(end).toISOString()}/boundary`],
    ]);
    // Applied at the boundary: then, and only then, one subscription.updated.
    expect(await updatedEvents(sub.id)).toEqual([
      expect.objectContaining({ id: sub.id, quantity: 1 }),
    ]);
  });
});

/** The subscription.updated events' objects, in commit order. */
async function updatedEvents(subscriptionId: string): Promise<Record<string, unknown>[]> {
  const rows = await api.db
    .selectFrom('webhook_events')
    .select('payload')
    .where('type', '=', 'subscription.updated')
    .where('object_id', '=', subscriptionId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => (r.payload as { data: { object: Record<string, unknown> } }).data.object);
}
