// Finalization that never strands an invoice: 200 concurrent finalizations of manual drafts
// through the API while Temporal is slow and fails some calls (before or after doing them), and
// a Temporal outage during finalize. Every answer is 200, the numbers are consecutive and
// unique, and every invoice's delivery and collection start: at once, or by the drainer.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pendingWorkflowStarts } from '../../db/repositories/workflow-starts.ts';
import { drainWorkflowStarts } from '../../temporal/workflow-starts.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal, type RecordingTemporal } from '../support/recording-temporal.ts';

let api: ApiHarness;
let temporal: RecordingTemporal;
let customerId: string;
/** Workflow ids whose first call fails, and how: decided per test. */
const failFirst = new Map<string, 'before' | 'after'>();

beforeAll(async () => {
  temporal = recordingTemporal({
    latencyMs: 20,
    fail: (call) => {
      const failure = failFirst.get(call.workflowId);
      failFirst.delete(call.workflowId); // the next attempt succeeds
      return failure;
    },
  });
  api = await createApiHarness({ temporal: temporal.client, temporalTimeoutMs: 2_000 });
  customerId = await postCustomer(api, { name: 'Acme', email: 'ops@acme.test' });
});

afterAll(async () => {
  await api?.close();
});

interface InvoiceBody {
  id: string;
  number: string | null;
  status: string;
}

async function manualDraft(): Promise<string> {
  const created = await api.request({
    method: 'POST',
    url: '/v1/invoices',
    payload: { customerId, lines: [{ description: 'Workshop', quantity: 1, unitPrice: 50_000 }] },
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json<{ id: string }>().id;
}

/** Runs the worker's drainer until no start is pending (or `ms` passed). */
async function drain(ms = 20_000): Promise<void> {
  const drainer = drainWorkflowStarts(api.db, temporal.client, {
    intervalMs: 50,
    retryMs: 50,
    maxRetryMs: 200,
    claimMs: 5_000,
  });
  try {
    const until = Date.now() + ms;
    while ((await pendingWorkflowStarts(api.db)).length > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await drainer.stop();
  }
}

const distinct = <T>(values: T[]) => new Set(values);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('finalization under load', () => {
  test('200 concurrent finalizations: 200 × 200, consecutive numbers, 200 collections', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push(await manualDraft());
    // A third of the collections and a fifth of the deliveries fail their first call: half of
    // them before Temporal acts (unreachable), half after (the answer lost past the deadline).
    ids.forEach((id, i) => {
      if (i % 3 === 0) failFirst.set(`collection-${id}`, i % 2 === 0 ? 'before' : 'after');
      if (i % 5 === 0) failFirst.set(`invoice-${id}`, i % 2 === 0 ? 'after' : 'before');
    });
    const failing = failFirst.size;

    const latencies: number[] = [];
    const t0 = Date.now();
    const answers = await Promise.all(
      ids.map(async (id) => {
        const began = performance.now();
        const answer = await api.request({ method: 'POST', url: `/v1/invoices/${id}/finalize` });
        latencies.push(performance.now() - began);
        return answer;
      }),
    );
    const wall = Date.now() - t0;

    expect(answers.map((a) => a.statusCode)).toEqual(ids.map(() => 200));
    const invoices = answers.map((a) => a.json<InvoiceBody>());
    expect(invoices.every((i) => i.status === 'open')).toBe(true);
    const sequence = invoices
      .map((i) => Number(/(\d+)$/.exec(i.number!)![1]))
      .sort((a, b) => a - b);
    expect(distinct(sequence).size).toBe(200);
    expect(sequence.at(-1)! - sequence[0]!).toBe(199);

    // The failed calls left their rows pending; the drainer starts them.
    const pendingAfterApi = (await pendingWorkflowStarts(api.db)).length;
    expect(pendingAfterApi).toBeGreaterThan(0);
    await drain();
    expect(await pendingWorkflowStarts(api.db)).toEqual([]);
    expect(failFirst.size).toBe(0); // every planned failure happened

    const collections = distinct(temporal.signaled.map((s) => s.workflowId));
    const deliveries = distinct(temporal.started.map((s) => s.workflowId));
    expect(collections).toEqual(distinct(ids.map((id) => `collection-${id}`)));
    expect(deliveries).toEqual(distinct(ids.map((id) => `invoice-${id}`)));
    const rows = await api.db.selectFrom('workflow_starts').selectAll().execute();
    expect(rows).toHaveLength(400);
    expect(rows.every((r) => r.started_at !== null)).toBe(true);

    latencies.sort((a, b) => a - b);
    const ms = (v: number) => `${Math.round(v)} ms`;
    console.log(
      `200 concurrent finalizations (Temporal 20 ms a call, ${failing} first calls failing): ` +
        `median ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, ` +
        `max ${ms(latencies.at(-1)!)}, wall ${ms(wall)}; ${pendingAfterApi} starts left to the ` +
        `drainer, all ${rows.length} started`,
    );
  });
});

describe('a Temporal outage', () => {
  test('finalize answers 200 and the collection starts once Temporal is back', async () => {
    const id = await manualDraft();
    temporal.down = true;
    const answer = await api.request({ method: 'POST', url: `/v1/invoices/${id}/finalize` });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json<InvoiceBody>()).toMatchObject({ status: 'open' });

    // While Temporal is down the drainer keeps trying, and the rows stay pending with why.
    const drainer = drainWorkflowStarts(api.db, temporal.client, {
      intervalMs: 50,
      retryMs: 50,
      maxRetryMs: 100,
      claimMs: 5_000,
    });
    const pendingOf = async () =>
      (await pendingWorkflowStarts(api.db)).filter((r) => r.payload.invoiceId === id);
    const until = Date.now() + 10_000;
    while ((await pendingOf()).some((r) => r.attempts < 3) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await drainer.stop();
    const pending = await pendingOf();
    expect(pending.map((r) => r.kind).sort()).toEqual(['collection', 'manual_invoice_delivery']);
    expect(pending.every((r) => r.attempts >= 3 && /UNAVAILABLE/.test(r.last_error!))).toBe(true);
    expect(temporal.signaled.filter((s) => s.workflowId === `collection-${id}`)).toEqual([]);

    // Repeating the finalization is still harmless: the same invoice, nothing new to start.
    const again = await api.request({ method: 'POST', url: `/v1/invoices/${id}/finalize` });
    expect(again.json<InvoiceBody>().number).toBe(answer.json<InvoiceBody>().number);

    temporal.down = false;
    await drain();
    expect(await pendingOf()).toEqual([]);
    const told = temporal.signaled.filter((s) => s.workflowId === `collection-${id}`);
    expect(told.map((s) => s.args)).toEqual([['finalized']]);
    expect(temporal.started.filter((s) => s.workflowId === `invoice-${id}`)).toHaveLength(1);
  });
});
