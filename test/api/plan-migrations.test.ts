// Moving running subscriptions to a new plan version, against REAL subscription workflows on the
// time-skipping server: one subscription now (credit note and invoice, prorated) or at period
// end (pendingChange, then the boundary bills the new price). Asserted over HTTP and on the
// invoices and credit notes in PostgreSQL: what the customer is billed.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { realActivities } from '../support/activities.ts';
import { loadConfig } from '../../config/index.ts';
import { listPlanVersionChanges } from '../../db/repositories/subscriptions.ts';
import { planMigrationView, startPlanMigration } from '../../services/plan-migrations.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  type RunningWorker,
} from '../support/temporal.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { postSubscription } from '../support/builders/subscriptions.ts';
import { planMigrationWorkflowId } from '../../workflow-contracts/ids.ts';

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
  pendingChange: {
    planCode: string;
    planVersion: number;
    quantity: number;
    appliesAt: string | null;
    requestedBy: string;
    reason: string | null;
  } | null;
}

function ok(response: { statusCode: number; body: string }, status = 201): void {
  expect(response.statusCode, response.body).toBe(status);
}

beforeAll(async () => {
  env = await createTimeSkippingEnvironment();
  api = await createApiHarness({ temporal: env.client, temporalTimeoutMs: 20_000 });
  worker = await startTestWorker(env, {
    activities: realActivities(api.db, loadConfig({}), { temporal: env.client }),
  });
  customerId = await postCustomer(api, {
    name: 'Paris SARL',
    email: 'billing@paris.example',
    timezone: TZ,
  });
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.teardown();
});

/** Moves the test server's clock to `iso` (virtual time), unless it is there already. */
async function advanceTo(iso: string): Promise<void> {
  const wait = Date.parse(iso) - (await env.currentTimeMs());
  if (wait > 0) await env.sleep(wait);
}

/** A monthly plan: version 1, one flat advance charge. */
async function plan(code: string, amount: number): Promise<void> {
  ok(
    await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: { code, name: code, currency: 'EUR', interval: 'month', amount },
    }),
  );
}

/** The plan's next version (new subscriptions get it; running ones stay where they are). */
async function addVersion(code: string, terms: Record<string, unknown>): Promise<void> {
  ok(await api.request({ method: 'POST', url: `/v1/plans/${code}/versions`, payload: terms }));
}

async function subscribe(planCode: string, startAt: string): Promise<string> {
  return (await postSubscription(api, { customerId, planCode, startAt })).id;
}

async function get(id: string): Promise<Sub> {
  const response = await api.request({ method: 'GET', url: `/v1/subscriptions/${id}` });
  ok(response, 200);
  return response.json<Sub>();
}

function invoicesOf(subscriptionId: string) {
  return api.db
    .selectFrom('invoices')
    .select(['subtotal', 'billing_key'])
    .where('subscription_id', '=', subscriptionId)
    .orderBy('issued_at')
    .orderBy('created_at')
    .execute();
}

function creditNotesOf(subscriptionId: string) {
  return api.db
    .selectFrom('credit_notes')
    .innerJoin('invoices', 'invoices.id', 'credit_notes.invoice_id')
    .select(['credit_notes.subtotal'])
    .where('invoices.subscription_id', '=', subscriptionId)
    .execute();
}

describe('one subscription to a new version', () => {
  test('applyAt now: the unused old price credited, the new price invoiced for the rest of the month', async () => {
    await plan('solo', 3000);
    // Anchored 1 March 2027 00:00 in Paris: the first period is March, 31 local days.
    const id = await subscribe('solo', '2027-03-01T00:00:00+01:00');
    await addVersion('solo', { amount: 5000 });
    expect(await get(id)).toMatchObject({ planVersion: 1 });
    // 11 March 12:00 in Paris: the month is billed on v1, EUR 30.00.
    await advanceTo('2027-03-11T11:00:00Z');
    await eventually('the March invoice', async () => (await get(id)).invoicesIssued >= 1);

    const moved = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/plan-version`,
      payload: { version: 2, applyAt: 'now', reason: 'new pricing' },
    });
    ok(moved, 200);
    expect(moved.json()).toMatchObject({ id, planVersion: 2, quantity: 1, pendingChange: null });

    // Unused: 11 March to 1 April = 21 of March's 31 local days.
    //   credit: 3000 × 21/31 = 2032.26 → 2032 (EUR 20.32)
    //   charge: 5000 × 21/31 = 3387.10 → 3387 (EUR 33.87)
    const invoices = await invoicesOf(id);
    expect(invoices.map((i) => i.subtotal)).toEqual([3000, 3387]);
    expect(invoices[1]!.billing_key).toMatch(/\/change$/);
    expect((await creditNotesOf(id)).map((c) => c.subtotal)).toEqual([2032]);
    // The row follows, with who asked and why.
    const audit = await listPlanVersionChanges(api.db, id);
    expect(audit).toEqual([
      expect.objectContaining({
        from_version: 1,
        to_version: 2,
        actor: api.apiKey.id,
        reason: 'new pricing',
      }),
    ]);
    // Already there: a 200 that asks the workflow nothing and bills nothing.
    const again = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/plan-version`,
      payload: { version: 2, applyAt: 'now' },
    });
    ok(again, 200);
    expect(await invoicesOf(id)).toHaveLength(2);
  });

  test('applyAt period_end (the default): pendingChange until the boundary, which bills the new price', async () => {
    await plan('later', 3000);
    const id = await subscribe('later', '2027-03-01T00:00:00+01:00');
    await addVersion('later', { amount: 4500 });
    await advanceTo('2027-03-11T11:00:00Z');
    await eventually('the March invoice', async () => (await get(id)).invoicesIssued >= 1);

    const moved = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/plan-version`,
      payload: { version: 2, reason: 'price rise, announced' },
    });
    ok(moved, 200);
    // 1 April 00:00 in Paris is 31 March 22:00 UTC (summer time since 28 March).
    const pending = {
      planCode: 'later',
      planVersion: 2,
      quantity: 1,
      appliesAt: '2027-03-31T22:00:00.000Z',
      requestedBy: api.apiKey.id,
      reason: 'price rise, announced',
    };
    expect(moved.json()).toMatchObject({ planVersion: 1, pendingChange: pending });
    expect(await get(id)).toMatchObject({ planVersion: 1, pendingChange: pending });
    expect(await creditNotesOf(id)).toEqual([]);

    // The April renewal bills v2's price; the row follows.
    await advanceTo('2027-04-01T01:00:00Z');
    await eventually('the April invoice', async () => (await invoicesOf(id)).length >= 2);
    expect((await invoicesOf(id)).map((i) => i.subtotal)).toEqual([3000, 4500]);
    expect(await get(id)).toMatchObject({ planVersion: 2, pendingChange: null });
  });

  test('at period end, a seat downgrade already waiting for the boundary keeps its quantity', async () => {
    const seats = [
      {
        key: 'seats',
        type: 'per_seat',
        description: 'Seats',
        billing: 'advance',
        unitAmount: '1000',
      },
    ];
    ok(
      await api.request({
        method: 'POST',
        url: '/v1/plans',
        payload: {
          code: 'seats',
          name: 'Seats',
          currency: 'EUR',
          interval: 'month',
          charges: seats,
        },
      }),
    );
    const response = await api.request({
      method: 'POST',
      url: '/v1/subscriptions',
      payload: {
        customerId,
        planCode: 'seats',
        quantity: 3,
        startAt: new Date(await env.currentTimeMs()).toISOString(),
      },
    });
    ok(response);
    const id = response.json<Sub>().id;
    await eventually('the first invoice', async () => (await get(id)).invoicesIssued >= 1);
    await addVersion('seats', { charges: [{ ...seats[0], unitAmount: '1200' }] });
    // 3 seats down to 1 at the boundary (a downgrade waits), then the move to v2.
    ok(
      await api.request({
        method: 'POST',
        url: `/v1/subscriptions/${id}/change`,
        payload: { quantity: 1 },
      }),
      200,
    );
    const moved = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/plan-version`,
      payload: { version: 2 },
    });
    ok(moved, 200);
    expect(moved.json()).toMatchObject({
      planVersion: 1,
      quantity: 3,
      pendingChange: { planVersion: 2, quantity: 1 },
    });
    // Asked for now, the move is made at once with the seats billed now (as /change does, it
    // replaces what was waiting).
    const now = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/plan-version`,
      payload: { version: 2, applyAt: 'now' },
    });
    ok(now, 200);
    expect(now.json()).toMatchObject({ planVersion: 2, quantity: 3, pendingChange: null });
  });

  test('a version with another interval is refused by the workflow (409); an unknown one is a 422', async () => {
    await plan('interval', 3000);
    const id = await subscribe('interval', new Date(await env.currentTimeMs()).toISOString());
    await addVersion('interval', { amount: 30000, interval: 'year' });
    await eventually('the first invoice', async () => (await get(id)).invoicesIssued >= 1);
    const yearly = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/plan-version`,
      payload: { version: 2, applyAt: 'now' },
    });
    ok(yearly, 409);
    expect(yearly.json<{ detail: string }>().detail).toMatch(/interval/);
    const unknown = await api.request({
      method: 'POST',
      url: `/v1/subscriptions/${id}/plan-version`,
      payload: { version: 7 },
    });
    ok(unknown, 422);
    expect(unknown.json()).toMatchObject({ errors: [{ field: 'version' }] });
    expect(await invoicesOf(id)).toHaveLength(1);
  });
});

interface Migration {
  id: string;
  status: string;
  total: number | null;
  moved: number;
  skipped: number;
  failed: number;
  exceptions: { subscriptionId: string; outcome: string; reason: string | null }[];
}

async function migrate(planCode: string, body: Record<string, unknown>): Promise<Migration> {
  const started = await api.request({
    method: 'POST',
    url: `/v1/plans/${planCode}/migrations`,
    payload: body,
  });
  ok(started, 202);
  const { id } = started.json<Migration>();
  return eventually('the migration to complete', async () => {
    const response = await api.request({
      method: 'GET',
      url: `/v1/plans/${planCode}/migrations/${id}`,
    });
    ok(response, 200);
    const migration = response.json<Migration>();
    return migration.status === 'completed' ? migration : undefined;
  });
}

describe('a plan migration', () => {
  test('moves the running subscriptions in a batch, skips one already there, leaves the canceled one; renewals bill the new price', async () => {
    await plan('pro', 4900);
    // Anchored 1 April 2027 00:00 in Paris (summer time): 31 March 22:00 UTC.
    const anchor = '2027-04-01T00:00:00+02:00';
    const [a, b, canceled] = [
      await subscribe('pro', anchor),
      await subscribe('pro', anchor),
      await subscribe('pro', anchor),
    ];
    await addVersion('pro', { amount: 5900 });
    const onV2 = await subscribe('pro', anchor); // new subscriptions get v2
    await advanceTo('2027-04-10T10:00:00Z');
    for (const id of [a, b, canceled, onV2]) {
      await eventually('the April invoice', async () => (await get(id)).invoicesIssued >= 1);
    }
    ok(
      await api.request({
        method: 'POST',
        url: `/v1/subscriptions/${canceled}/cancel`,
        payload: { reason: 'left' },
      }),
      200,
    );
    const canceledInvoices = (await invoicesOf(canceled)).length;

    const migration = await migrate('pro', { toVersion: 2, reason: 'new price list' });
    // Running: a, b (v1) and onV2; the canceled one is not walked.
    expect(migration).toMatchObject({
      total: 3,
      moved: 2,
      skipped: 1,
      failed: 0,
      exceptions: [{ subscriptionId: onV2, outcome: 'skipped', reason: 'already on v2' }],
    });
    // What finance reads in the Temporal UI: the summary on top, the progress as its details.
    const shown = env.client.workflow.getHandle(planMigrationWorkflowId(migration.id));
    expect(await (await shown.describe()).staticSummary()).toBe('Migrate plan pro → v2');
    const metadata = await shown.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toBe(
      'Migrate plan pro → v2: 2 of 3 moved, 1 skipped, 0 failed. Completed.',
    );
    for (const id of [a, b]) {
      expect(await get(id)).toMatchObject({
        planVersion: 1,
        pendingChange: {
          planVersion: 2,
          quantity: 1,
          appliesAt: '2027-04-30T22:00:00.000Z', // 1 May 00:00 in Paris
          requestedBy: api.apiKey.id,
          reason: `plan migration ${migration.id}: new price list`,
        },
      });
    }
    // Asked again, one subscription per batch (two batches, continued as new between them):
    // nothing is sent twice, both moves are pending already.
    const again = await startPlanMigration(
      { db: api.db, temporal: env.client },
      {
        planCode: 'pro',
        toVersion: 2,
        fromVersions: [1],
        applyAt: 'period_end',
        actor: 'test',
        batchSize: 1,
      },
    );
    const handle = env.client.workflow.getHandle(planMigrationWorkflowId(again.id));
    expect(await handle.result()).toEqual({ total: 2, moved: 0, skipped: 2, failed: 0 });
    // The last run was continued from the batch before it.
    const { events } = await handle.fetchHistory();
    const first = events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(first?.continuedExecutionRunId).toBeTruthy();
    const reasons = (await planMigrationView(api.db, 'pro', again.id))!.exceptions.map(
      (e) => e.detail,
    );
    expect(reasons).toEqual(['already moving to v2', 'already moving to v2']);

    // The May renewals bill v2's EUR 59.00; April stays as billed on v1.
    await advanceTo('2027-05-01T01:00:00Z');
    for (const id of [a, b, onV2]) {
      await eventually('the May invoice', async () => (await invoicesOf(id)).length >= 2);
    }
    expect((await invoicesOf(a)).map((i) => i.subtotal)).toEqual([4900, 5900]);
    expect((await invoicesOf(b)).map((i) => i.subtotal)).toEqual([4900, 5900]);
    expect((await invoicesOf(onV2)).map((i) => i.subtotal)).toEqual([5900, 5900]);
    expect(await invoicesOf(canceled)).toHaveLength(canceledInvoices);
    expect(await get(a)).toMatchObject({ planVersion: 2, pendingChange: null });
  });

  test('an unknown plan is a 404, an unknown version a 422 naming the field', async () => {
    const unknownPlan = await api.request({
      method: 'POST',
      url: '/v1/plans/nope/migrations',
      payload: { toVersion: 2 },
    });
    ok(unknownPlan, 404);
    await plan('basic', 1000);
    const unknownVersion = await api.request({
      method: 'POST',
      url: '/v1/plans/basic/migrations',
      payload: { toVersion: 1, fromVersions: [3] },
    });
    ok(unknownVersion, 422);
    expect(unknownVersion.json()).toMatchObject({ errors: [{ field: 'fromVersions[0]' }] });
    const missing = await api.request({
      method: 'GET',
      url: '/v1/plans/basic/migrations/pmig_missing',
    });
    ok(missing, 404);
  });
});
