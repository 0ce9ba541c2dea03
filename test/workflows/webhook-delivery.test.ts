// Webhook delivery on the time-skipping server with the real activities, the API on its own
// database and a real loopback receiver that verifies each signature with the standardwebhooks
// library: an invoice's life arrives in order, once each; a receiver that fails a few times gets
// the event once, after backoff; one down for three days gets its endpoint paused and the
// operator emailed; and a test clock's customer is billed through the public API meanwhile.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { listWebhookEvents } from '../../db/repositories/webhook-events.ts';
import { dispatchWebhookEvents } from '../../temporal/webhook-dispatch.ts';
import type { webhookDeliveryWorkflow } from '../../workflows/webhook-delivery.ts';
import { webhookDeliveryWorkflowId } from '../../workflow-contracts/ids.ts';
import { realActivities } from '../support/activities.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  type RunningWorker,
} from '../support/temporal.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const OPERATOR = 'ops@billwright.test';

let env: TestWorkflowEnvironment;
let worker: RunningWorker;
let api: ApiHarness;
let customerId: string;
let clockId: string;

beforeAll(async () => {
  [env, api] = await Promise.all([
    createTimeSkippingEnvironment(),
    createApiHarness({ temporal: recordingTemporal().client, webhooksAllowPrivate: true }),
  ]);
  const config = loadConfig({
    BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE: 'on',
    BILLWRIGHT_OPERATOR_EMAIL: OPERATOR,
  });
  worker = await startTestWorker(env, { activities: realActivities(api.db, config) });
  clockId = (
    await api
      .request({
        method: 'POST',
        url: '/v1/test-clocks',
        payload: { frozenTime: '2027-03-01T09:00:00Z' },
      })
      .then((r) => r.json<{ id: string }>())
  ).id;
  customerId = await postCustomer(api, {
    name: 'Client',
    email: 'client@example.com',
    country: 'FR',
    testClockId: clockId,
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await Promise.all([api?.close(), env?.teardown()]);
});

async function post<T>(url: string, payload?: object, status = 200): Promise<T> {
  const response = await api.request({ method: 'POST', url, ...(payload && { payload }) });
  expect(response.statusCode, `POST ${url}: ${response.body}`).toBe(status);
  return response.json<T>();
}

const endpoints: string[] = [];

afterEach(async () => {
  // A closed receiver's endpoint would be retried (and paused) in the later tests.
  for (const id of endpoints.splice(0)) {
    await api.request({ method: 'DELETE', url: `/v1/webhook-endpoints/${id}` });
  }
});

async function endpointOn(receiver: WebhookReceiver, eventTypes = ['*']): Promise<string> {
  const { secret, endpoint } = await post<{ secret: string; endpoint: { id: string } }>(
    '/v1/webhook-endpoints',
    { url: receiver.url, eventTypes },
    201,
  );
  receiver.useSecret(secret);
  endpoints.push(endpoint.id);
  return endpoint.id;
}

/** A manual invoice finalized and paid in full through the API: its id. */
async function paidInvoice(): Promise<string> {
  const { id } = await post<{ id: string }>(
    '/v1/invoices',
    { customerId, lines: [{ description: 'Audit', quantity: 1, unitPrice: 25000 }] },
    201,
  );
  const invoice = await post<{ total: { amount: number } }>(`/v1/invoices/${id}/finalize`);
  await post(
    `/v1/invoices/${id}/payments`,
    { amount: invoice.total.amount, method: 'wire', reference: `wire-${id}` },
    201,
  );
  return id;
}

const delivery = (endpointId: string) =>
  env.client.workflow.getHandle<typeof webhookDeliveryWorkflow>(
    webhookDeliveryWorkflowId(endpointId),
  );

describe('webhook delivery', () => {
  test('an invoice’s life reaches the receiver in order, once each, verified', async () => {
    const receiver = await startWebhookReceiver();
    try {
      await endpointOn(receiver, [
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'payment.succeeded',
      ]);
      const id = await paidInvoice();
      await dispatchWebhookEvents(api.db, env.client);
      await dispatchWebhookEvents(api.db, env.client); // nothing left: nothing twice
      await eventually('four deliveries', () => Promise.resolve(receiver.received.length >= 4));
      const events = (await listWebhookEvents(api.db)).filter((e) =>
        JSON.stringify(e.payload).includes(id),
      );
      expect(receiver.received.map((r) => r.id)).toEqual(events.map((e) => e.id));
      expect(receiver.received.map((r) => r.body.type)).toEqual([
        'invoice.created',
        'invoice.finalized',
        'payment.succeeded',
        'invoice.paid',
      ]);
      expect(receiver.received.every((r) => r.verified)).toBe(true);
      // The test clock's instant, as the invoice records it.
      expect(receiver.received[3]!.body.data.object).toMatchObject({
        object: 'invoice',
        id,
        status: 'paid',
        paidAt: '2027-03-01T09:00:00.000Z',
      });
    } finally {
      await receiver.close();
    }
  });

  test('a receiver failing three times gets the event once, after backoff', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const endpointId = await endpointOn(receiver, ['invoice.paid']);
      receiver.failNext(3);
      const id = await paidInvoice();
      await dispatchWebhookEvents(api.db, env.client);
      await delivery(endpointId).result(); // skips the backoff, then the idle hour
      expect(receiver.refused).toBe(3);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.body).toMatchObject({
        type: 'invoice.paid',
        data: { object: { id } },
      });
      const attempts = await api.request({
        method: 'GET',
        url: `/v1/webhook-endpoints/${endpointId}/attempts`,
      });
      expect(
        attempts.json<{ data: { statusCode: number; succeeded: boolean }[] }>().data,
      ).toMatchObject([
        { statusCode: 200, succeeded: true },
        { statusCode: 503, succeeded: false },
        { statusCode: 503, succeeded: false },
        { statusCode: 503, succeeded: false },
      ]);
    } finally {
      await receiver.close();
    }
  });

  test('a receiver down for three days gets its endpoint paused and the operator told', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const endpointId = await endpointOn(receiver, ['invoice.paid']);
      receiver.failNext(Infinity);
      await paidInvoice();
      await dispatchWebhookEvents(api.db, env.client);
      const outcome = await delivery(endpointId).result();
      expect(outcome).toMatch(/^paused on evt_/);
      const shown = await api.request({
        method: 'GET',
        url: `/v1/webhook-endpoints/${endpointId}`,
      });
      expect(shown.json()).toMatchObject({
        status: 'paused',
        pausedReason: expect.stringContaining('503') as string,
      });
      const emails = await api.db
        .selectFrom('outbox_messages')
        .selectAll()
        .where('subject', 'like', 'Webhook endpoint paused%')
        .where('text', 'like', `%${endpointId}%`)
        .execute();
      expect(emails).toHaveLength(1);
      expect(emails[0]!.to_addresses).toEqual([OPERATOR]);
      // The pause is audited once, by the system (no API key), in the pause's transaction.
      const audited = await api.request({
        method: 'GET',
        url: `/v1/audit-events?resourceId=${endpointId}`,
      });
      const pauses = audited
        .json<{ data: { action: string }[] }>()
        .data.filter((e) => e.action === 'webhook_endpoint.paused');
      expect(pauses).toEqual([
        expect.objectContaining({
          actor: 'system',
          apiKeyId: null,
          method: null,
          path: null,
          status: null,
          resourceId: endpointId,
          changes: [
            { field: 'status', from: 'enabled', to: 'paused' },
            { field: 'pausedReason', from: null, to: expect.stringContaining('503') as string },
          ],
        }),
      ]);
      expect(receiver.refused).toBeGreaterThan(8);
      expect(receiver.received).toHaveLength(0);

      // Paused: new events are not handed to it; enabled again, the next ones are.
      await paidInvoice();
      await dispatchWebhookEvents(api.db, env.client);
      receiver.failNext(0);
      const resumed = await api.request({
        method: 'PATCH',
        url: `/v1/webhook-endpoints/${endpointId}`,
        payload: { enabled: true },
      });
      expect(resumed.json()).toMatchObject({ status: 'enabled', pausedReason: null });
      await paidInvoice();
      await dispatchWebhookEvents(api.db, env.client);
      await eventually('the delivery after resuming', () =>
        Promise.resolve(receiver.received.length >= 1),
      );
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
