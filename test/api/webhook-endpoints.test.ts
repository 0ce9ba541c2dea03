// Outgoing webhooks through the public API: endpoints registered with a secret shown once, URLs
// that reach private addresses refused (at registration and when sending), events written with
// the changes of an invoice's life, in order and once each, and a replay that a real receiver
// verifies with the same library, under the same webhook-id.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordSubscriptionTransition } from '../../db/repositories/subscription-transitions.ts';
import { listWebhookEvents } from '../../db/repositories/webhook-events.ts';
import { dispatchWebhookEvents } from '../../temporal/webhook-dispatch.ts';
import { createApiHarness, unreachableTemporal, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { postSubscription } from '../support/builders/subscriptions.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let api: ApiHarness;
let strict: ApiHarness;
let receiver: WebhookReceiver;
let customerId: string;

beforeAll(async () => {
  [api, strict, receiver] = await Promise.all([
    createApiHarness({ temporal: recordingTemporal().client, webhooksAllowPrivate: true }),
    createApiHarness({ webhooksAllowPrivate: false }),
    startWebhookReceiver(),
  ]);
  customerId = await postCustomer(api, {
    name: 'Client',
    email: 'client@example.com',
    country: 'FR',
  });
});

afterAll(async () => {
  await Promise.all([api?.close(), strict?.close(), receiver?.close()]);
});

async function call<T>(
  harness: ApiHarness,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
  status = 200,
): Promise<T> {
  const response = await harness.request({ method, url, ...(payload && { payload }) });
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status);
  return (response.body ? response.json() : undefined) as T;
}

interface EndpointBody {
  id: string;
  url: string;
  status: string;
  eventTypes: string[];
}

describe('registration', () => {
  test('the secret is shown once, in the Standard Webhooks format, and rotates', async () => {
    const created = await call<{ secret: string; endpoint: EndpointBody }>(
      api,
      'POST',
      '/v1/webhook-endpoints',
      { url: receiver.url, eventTypes: ['invoice.paid'], description: 'ERP' },
      201,
    );
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    const { id } = created.endpoint;
    const shown = await call<object>(api, 'GET', `/v1/webhook-endpoints/${id}`);
    expect(JSON.stringify(shown)).not.toContain(created.secret.slice(6));
    expect(shown).toMatchObject({ status: 'enabled', eventTypes: ['invoice.paid'] });
    const list = await call<{ data: EndpointBody[] }>(api, 'GET', '/v1/webhook-endpoints');
    expect(list.data.map((e) => e.id)).toContain(id);
    expect(JSON.stringify(list)).not.toContain('whsec_');

    const rotated = await call<{ secret: string }>(
      api,
      'POST',
      `/v1/webhook-endpoints/${id}/rotate-secret`,
    );
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);

    const patched = await call<EndpointBody>(api, 'PATCH', `/v1/webhook-endpoints/${id}`, {
      enabled: false,
      eventTypes: ['*'],
    });
    expect(patched).toMatchObject({ status: 'disabled', eventTypes: ['*'] });
    await call(api, 'DELETE', `/v1/webhook-endpoints/${id}`, undefined, 204);
    await call(api, 'GET', `/v1/webhook-endpoints/${id}`, undefined, 404);
  });

  test.each([
    ['http://localhost:8080/hooks', 'https'],
    ['https://localhost/hooks', '127.0.0.1'],
    ['https://127.0.0.1/hooks', 'private'],
    ['https://10.0.0.8/hooks', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'private'],
    ['https://100.64.1.1/hooks', 'private'],
    ['https://[::1]/hooks', 'private'],
    ['https://[::ffff:127.0.0.1]/hooks', 'private'],
    ['https://[fe80::1]/hooks', 'private'],
    ['https://0.0.0.0/hooks', 'private'],
    ['https://user:pw@hooks.example.com/', 'credentials'],
  ])('refuses %s, naming url', async (url, reason) => {
    const response = await strict.request({
      method: 'POST',
      url: '/v1/webhook-endpoints',
      payload: { url, eventTypes: ['*'] },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors: [{ field: 'url' }] });
    expect(response.body).toContain(reason);
  });

  test('an unknown event type is refused', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/webhook-endpoints',
      payload: { url: receiver.url, eventTypes: ['invoice.exploded'] },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('events', () => {
  async function manualInvoice(): Promise<string> {
    const draft = await call<{ id: string }>(
      api,
      'POST',
      '/v1/invoices',
      { customerId, lines: [{ description: 'Consulting', quantity: 1, unitPrice: 10000 }] },
      201,
    );
    return draft.id;
  }
  const typesOf = async (objectId: string) =>
    (await listWebhookEvents(api.db, { objectId })).map((e) => e.type);

  test('an invoice’s life writes its events in order, once each', async () => {
    const id = await manualInvoice();
    const invoice = await call<{ total: { amount: number } }>(
      api,
      'POST',
      `/v1/invoices/${id}/finalize`,
    );
    await call(api, 'POST', `/v1/invoices/${id}/finalize`); // again: nothing new
    const half = Math.floor(invoice.total.amount / 2);
    const pay = (amount: number, reference: string, status = 201) =>
      call(
        api,
        'POST',
        `/v1/invoices/${id}/payments`,
        { amount, method: 'wire', reference },
        status,
      );
    await pay(half, 'wire-1');
    await pay(half, 'wire-1', 200); // a repeat of the same reference: nothing new
    await pay(invoice.total.amount - half, 'wire-2');
    expect(await typesOf(id)).toEqual(['invoice.created', 'invoice.finalized', 'invoice.paid']);
    const payments = (await listWebhookEvents(api.db)).filter(
      (e) => e.type === 'payment.succeeded' && JSON.stringify(e.payload).includes(id),
    );
    expect(payments).toHaveLength(2);

    const voided = await manualInvoice();
    await call(api, 'POST', `/v1/invoices/${voided}/finalize`);
    await call(api, 'POST', `/v1/invoices/${voided}/void`);
    await call(api, 'POST', `/v1/invoices/${voided}/void`);
    expect(await typesOf(voided)).toEqual([
      'invoice.created',
      'invoice.finalized',
      'invoice.voided',
    ]);
    const notes = (await listWebhookEvents(api.db)).filter(
      (e) => e.type === 'credit_note.created' && JSON.stringify(e.payload).includes(voided),
    );
    expect(notes).toHaveLength(1);

    const writtenOff = await manualInvoice();
    await call(api, 'POST', `/v1/invoices/${writtenOff}/finalize`);
    await call(api, 'POST', `/v1/invoices/${writtenOff}/mark-uncollectible`);
    expect(await typesOf(writtenOff)).toEqual([
      'invoice.created',
      'invoice.finalized',
      'invoice.marked_uncollectible',
    ]);
  });

  test('a subscription’s creation and its lifecycle transitions write their events, once each', async () => {
    await call(
      api,
      'POST',
      '/v1/plans',
      { code: 'pro', name: 'Pro', currency: 'EUR', interval: 'month', amount: 4900 },
      201,
    );
    const { id } = await postSubscription(api, { customerId, planCode: 'pro' });
    // As the subscription workflow's activity records them (a retried one once: same key).
    const transition = (from: string, to: string, key: string) =>
      recordSubscriptionTransition(api.db, {
        subscriptionId: id,
        from,
        to,
        actor: 'operator',
        occurredAt: new Date().toISOString(),
        idempotencyKey: key,
      });
    await transition('active', 'past_due', 't1');
    await transition('past_due', 'paused', 't2');
    await transition('past_due', 'paused', 't2');
    await transition('paused', 'active', 't3');
    await transition('active', 'canceled', 't4');
    const events = await listWebhookEvents(api.db, { objectId: id });
    expect(events.map((e) => e.type)).toEqual([
      'subscription.created',
      'subscription.paused',
      'subscription.resumed',
      'subscription.canceled',
    ]);
    expect(events[3]!.payload).toMatchObject({
      data: { object: { object: 'subscription', id, status: 'canceled' } },
    });
  });

  test('a refused change writes no event', async () => {
    const id = await manualInvoice();
    const before = (await listWebhookEvents(api.db)).length;
    const refused = await api.request({ method: 'POST', url: `/v1/invoices/${id}/void` });
    expect(refused.statusCode).toBe(409);
    expect((await listWebhookEvents(api.db)).length).toBe(before);
  });

  test('a replay re-sends the event, signed, with the same webhook-id; attempts are listed', async () => {
    const { secret, endpoint } = await call<{ secret: string; endpoint: EndpointBody }>(
      api,
      'POST',
      '/v1/webhook-endpoints',
      { url: receiver.url, eventTypes: ['*'] },
      201,
    );
    receiver.useSecret(secret);
    const id = await manualInvoice();
    await call(api, 'POST', `/v1/invoices/${id}/finalize`);
    const [, finalized] = await listWebhookEvents(api.db, { objectId: id });
    const replay = () =>
      call<{ succeeded: boolean; statusCode: number }>(
        api,
        'POST',
        `/v1/webhook-endpoints/${endpoint.id}/events/${finalized!.id}/replay`,
      );
    expect(await replay()).toMatchObject({ succeeded: true, statusCode: 200 });
    expect(await replay()).toMatchObject({ succeeded: true, statusCode: 200 });
    const got = receiver.received.filter((r) => r.id === finalized!.id);
    expect(got).toHaveLength(2);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(got[0]!.body).toMatchObject({
      type: 'invoice.finalized',
      data: { object: { object: 'invoice', id, status: 'open' } },
    });
    expect(got[0]!.body).toEqual(got[1]!.body);
    const attempts = await call<{ data: { trigger: string; statusCode: number }[] }>(
      api,
      'GET',
      `/v1/webhook-endpoints/${endpoint.id}/attempts?eventId=${finalized!.id}`,
    );
    expect(attempts.data).toMatchObject([
      { trigger: 'replay', statusCode: 200, succeeded: true },
      { trigger: 'replay', statusCode: 200, succeeded: true },
    ]);
  });

  test('sending re-checks the address: a loopback URL is refused when private addresses are not allowed', async () => {
    // Registered while allowed, sent by an API that does not allow them (as after a config change).
    const { endpoint } = await call<{ endpoint: EndpointBody }>(
      api,
      'POST',
      '/v1/webhook-endpoints',
      { url: 'http://localhost:9/hooks', eventTypes: ['*'] },
      201,
    );
    await strict.db
      .insertInto('webhook_endpoints')
      .values({
        id: endpoint.id,
        url: 'https://localhost:9/hooks',
        event_types: '["*"]',
        status: 'enabled',
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      })
      .execute();
    await strict.db
      .insertInto('webhook_events')
      .values({
        id: 'evt_local',
        type: 'invoice.paid',
        object_id: 'inv_x',
        payload: '{"type":"invoice.paid","data":{"object":{}}}',
      })
      .execute();
    const result = await call<{ succeeded: boolean; error: string }>(
      strict,
      'POST',
      `/v1/webhook-endpoints/${endpoint.id}/events/evt_local/replay`,
    );
    expect(result.succeeded).toBe(false);
    expect(result.error).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
  });

  test('with Temporal unreachable, dispatching fails and every event stays pending', async () => {
    const pending = async () =>
      (await listWebhookEvents(api.db)).filter((e) => e.dispatched_at === null).length;
    const before = await pending();
    expect(before).toBeGreaterThan(0);
    const temporal = unreachableTemporal();
    try {
      await expect(dispatchWebhookEvents(api.db, temporal, { timeoutMs: 2_000 })).rejects.toThrow();
    } finally {
      await temporal.connection.close();
    }
    expect(await pending()).toBe(before);
  });
});
