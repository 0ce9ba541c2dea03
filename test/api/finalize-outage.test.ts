// Finalizing during a real Temporal outage: the API's client points at a server that is not
// there (the SDK's own UNAVAILABLE errors), the finalization still answers 200, and once Temporal
// is back (the time-skipping test server with a real worker and activities) the drainer starts
// the invoice's delivery and collection: the email goes out once, the collection runs. Starting
// the same rows again (a drainer whose mark was lost) starts nothing new.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pendingWorkflowStarts } from '../../db/repositories/workflow-starts.ts';
import { drainWorkflowStarts, startPendingWorkflows } from '../../temporal/workflow-starts.ts';
import { realActivities } from '../support/activities.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  type RunningWorker,
} from '../support/temporal.ts';
import { createApiHarness, unreachableTemporal, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';

let env: TestWorkflowEnvironment;
let api: ApiHarness;
let worker: RunningWorker;

beforeAll(async () => {
  env = await createTimeSkippingEnvironment();
  api = await createApiHarness({ temporal: unreachableTemporal(), temporalTimeoutMs: 2_000 });
  worker = await startTestWorker(env, {
    activities: realActivities(api.db),
  });
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.teardown();
});

test('a finalization during an outage answers 200; delivery and collection follow', async () => {
  const customerId = await postCustomer(api, {
    name: 'Atelier SARL',
    email: 'compta@atelier.example',
  });
  const draft = await api.request({
    method: 'POST',
    url: '/v1/invoices',
    payload: {
      customerId,
      lines: [{ description: 'Workshop', quantity: 1, unitPrice: 120_000 }],
    },
  });
  const id = draft.json<{ id: string }>().id;

  const finalized = await api.request({ method: 'POST', url: `/v1/invoices/${id}/finalize` });
  expect(finalized.statusCode, finalized.body).toBe(200);
  const number = finalized.json<{ number: string; status: string }>().number;
  expect(finalized.json()).toMatchObject({ status: 'open', number: expect.any(String) as string });
  const pending = await pendingWorkflowStarts(api.db);
  expect(pending.map((r) => [r.kind, r.workflow_id, r.attempts])).toEqual(
    expect.arrayContaining([
      ['manual_invoice_delivery', `invoice-${id}`, 1],
      ['collection', `collection-${id}`, 1],
    ]) as unknown,
  );
  expect(pending.every((r) => /UNAVAILABLE/.test(r.last_error ?? ''))).toBe(true);

  // Temporal is back: the worker's drainer starts both.
  const drainer = drainWorkflowStarts(api.db, env.client, { intervalMs: 100 });
  try {
    await eventually('the starts', async () => (await pendingWorkflowStarts(api.db)).length === 0);
  } finally {
    await drainer.stop();
  }
  const emails = () =>
    api.db
      .selectFrom('outbox_messages')
      .select('subject')
      .execute()
      .then((rows) => rows.filter((r) => r.subject.includes(number)));
  await eventually('the invoice email', async () => (await emails()).length === 1);
  await env.client.workflow.getHandle(`invoice-${id}`).result();
  const collection = env.client.workflow.getHandle(`collection-${id}`);
  const before = await collection.describe();
  expect(before.status.name).toBe('RUNNING');

  // The same rows started again (their marks lost): one delivery, one collection run.
  await api.db.updateTable('workflow_starts').set({ started_at: null }).execute();
  const again = await startPendingWorkflows(api.db, env.client, {
    ids: (await pendingWorkflowStarts(api.db)).map((r) => r.id),
  });
  expect(again).toMatchObject({ started: 2, failed: [] });
  expect((await collection.describe()).runId).toBe(before.runId);
  expect(await emails()).toHaveLength(1);
});
