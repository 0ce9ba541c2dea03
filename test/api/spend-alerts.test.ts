// Spend alerts through the public API, with the real subscription and balance workflows on a
// test clock: an amount alert and a usage alert fire once when ingested usage reaches their
// levels (one spend_alert.triggered each, delivered signed to a loopback receiver, one email to
// the operator), however many more events arrive and reads follow; after the period boundary
// each crossing resolves once; a hard stop turns the entitlement to "no"; a plan's alert applies
// to a customer on that plan, and stops applying once deleted; invalid bodies name the field.
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listWebhookEvents } from '../../db/repositories/webhook-events.ts';
import { dispatchWebhookEvents } from '../../temporal/webhook-dispatch.ts';
import { customerBalanceWorkflowId } from '../../workflow-contracts/ids.ts';
import {
  advanceClock,
  createBillingHarness,
  created,
  issuedInvoices,
  newClock,
  newCustomer,
  subscribe,
  usageCharge,
  type BillingHarness,
  type Money,
} from '../support/billing-harness.ts';
import { eventually, testDataConverter, workflowBundle } from '../support/temporal.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const OPERATOR = 'ops@seller.test';
const TYPES = ['spend_alert.triggered', 'spend_alert.resolved'];

interface Alert {
  id: string;
  customerId: string | null;
  planCode: string | null;
  kind: string;
  units: string | null;
  amount: Money | null;
  hardStop: boolean;
  enabled: boolean;
}

interface BalanceAlert {
  alertId: string;
  scope: string;
  state: string;
  usedUnits: string | null;
  ratedAmount: Money | null;
  crossedAt: string | null;
  unresolved: boolean;
}

interface Entitlement {
  metric: string;
  allowed: boolean;
  remainingUnits: string | null;
}

let h: BillingHarness;
let receiver: WebhookReceiver;
let clockId: string;
let watched: string; // customer alerts: usage (hard stop) and amount
let capped: string; // on the plan with a plan-level amount hard stop
let usageAlert: Alert;
let amountAlert: Alert;
let planAlert: Alert;

const JAN = (day: number) => `2027-01-${String(day).padStart(2, '0')}T10:00:00Z`;

async function ingest(customerId: string, prefix: string, count: number, at = JAN(14)) {
  const events = Array.from({ length: count }, (_, i) => ({
    transactionId: `${customerId}-${prefix}-${i}`,
    customerId,
    metricCode: 'api_calls',
    timestamp: at,
  }));
  const response = await h.post('/v1/events', { events });
  expect(response.statusCode, response.body).toBe(200);
}

const alertsOf = async (customerId: string) =>
  (await h.get<{ spendAlerts: BalanceAlert[] }>(`/v1/customers/${customerId}/balance`)).spendAlerts;
const entitlementOf = (customerId: string) =>
  h.get<Entitlement>(`/v1/customers/${customerId}/entitlement?metric=api_calls`);
const events = async (type: string) =>
  (await listWebhookEvents(h.api.db)).filter((e) => e.type === type);
const objectOf = (event: { payload: unknown }) =>
  (event.payload as { data: { object: Record<string, unknown> } }).data.object;
const operatorMail = () =>
  h.api.db
    .selectFrom('outbox_messages')
    .selectAll()
    .where(({ eb, fn }) => eb(fn('array_to_string', ['to_addresses', eb.val(',')]), '=', OPERATOR))
    .execute();

async function alert(body: object): Promise<Alert> {
  return created<Alert>(await h.post('/v1/spend-alerts', body));
}

beforeAll(async () => {
  [h, receiver] = await Promise.all([
    createBillingHarness({ webhooks: true, env: { BILLWRIGHT_OPERATOR_EMAIL: OPERATOR } }),
    startWebhookReceiver(),
  ]);
  const { secret } = created<{ secret: string }>(
    await h.post('/v1/webhook-endpoints', { url: receiver.url, eventTypes: TYPES }),
  );
  receiver.useSecret(secret);
  clockId = await newClock(h, '2027-01-01T09:00:00Z');
  created(
    await h.post('/v1/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' }),
  );
  for (const code of ['metered', 'capped'])
    created(
      await h.post('/v1/plans', {
        code,
        name: code,
        currency: 'EUR',
        interval: 'month',
        charges: [
          { key: 'base', type: 'flat', description: 'Base', billing: 'advance', amount: '1000' },
          usageCharge('calls', 'api_calls', { model: 'per_unit', unitPrice: '5' }),
        ],
      }),
    );
  watched = await newCustomer(h, clockId);
  capped = await newCustomer(h, clockId);
  const subs = [
    await subscribe(h, { customerId: watched, planCode: 'metered' }),
    await subscribe(h, { customerId: capped, planCode: 'capped' }),
  ];
  await advanceClock(h, clockId, '2027-01-15T12:00:00Z');
  await Promise.all(subs.map((s) => issuedInvoices(h, s.id, 1)));
}, 180_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('spend alerts', () => {
  it('refuses invalid alerts with 4xx naming the field', async () => {
    const cases: [object, number, string][] = [
      [{ kind: 'usage', metricCode: 'api_calls', units: '10' }, 422, 'customerId'],
      [
        {
          customerId: watched,
          planCode: 'metered',
          kind: 'usage',
          metricCode: 'api_calls',
          units: '1',
        },
        422,
        'planCode',
      ],
      [
        { customerId: 'cus_nobody', kind: 'usage', metricCode: 'api_calls', units: '1' },
        422,
        'customerId',
      ],
      [
        { planCode: 'no_such_plan', kind: 'amount', amount: { amount: 5, currency: 'EUR' } },
        422,
        'planCode',
      ],
      [
        { customerId: watched, kind: 'usage', metricCode: 'no_metric', units: '1' },
        422,
        'metricCode',
      ],
      [{ customerId: watched, kind: 'usage', metricCode: 'api_calls', units: '0' }, 422, 'units'],
      [{ customerId: watched, kind: 'usage', metricCode: 'api_calls' }, 422, 'units'],
      [
        { customerId: watched, kind: 'amount', amount: { amount: 0, currency: 'EUR' } },
        422,
        'amount.amount',
      ],
      [
        { customerId: watched, kind: 'amount', amount: { amount: 500, currency: 'USD' } },
        422,
        'amount.currency',
      ],
      [
        {
          customerId: watched,
          kind: 'amount',
          metricCode: 'api_calls',
          amount: { amount: 5, currency: 'EUR' },
        },
        422,
        'metricCode',
      ],
      [{ customerId: watched, kind: 'usage', metricCode: 'api_calls', units: '-3' }, 400, 'units'],
      [{ customerId: watched, kind: 'budget' }, 400, 'kind'],
    ];
    for (const [body, status, field] of cases) {
      const response = await h.api.request({
        method: 'POST',
        url: '/v1/spend-alerts',
        payload: body,
      });
      expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body, JSON.stringify(body)).toContain(field);
    }
    const missing = await h.api.request({ method: 'GET', url: '/v1/spend-alerts/sal_nope' });
    expect(missing.statusCode).toBe(404);
  });

  it('sets customer and plan alerts, listed and shown', async () => {
    usageAlert = await alert({
      customerId: watched,
      name: 'Fifty calls',
      kind: 'usage',
      metricCode: 'api_calls',
      units: '50',
      hardStop: true,
    });
    amountAlert = await alert({
      customerId: watched,
      kind: 'amount',
      amount: { amount: 1500, currency: 'EUR' },
    });
    planAlert = await alert({
      planCode: 'capped',
      name: 'Capped plan',
      kind: 'amount',
      amount: { amount: 1100, currency: 'EUR' },
      hardStop: true,
    });
    expect(usageAlert).toMatchObject({ units: '50', amount: null, hardStop: true, enabled: true });
    expect(amountAlert).toMatchObject({
      amount: { amount: 1500, currency: 'EUR' },
      hardStop: false,
    });
    const mine = await h.get<{ data: Alert[] }>(`/v1/spend-alerts?customerId=${watched}`);
    expect(mine.data.map((a) => a.id)).toEqual([usageAlert.id, amountAlert.id]);
    expect(await h.get<Alert>(`/v1/spend-alerts/${planAlert.id}`)).toEqual(planAlert);
    const onPlan = await h.get<{ data: Alert[] }>('/v1/spend-alerts?planCode=capped');
    expect(onPlan.data).toEqual([planAlert]);
    expect((await h.get<{ data: Alert[] }>('/v1/spend-alerts')).data).toHaveLength(3);
    // Nothing used yet: the hard stop leaves its 50 units; no wallet limits the rest.
    expect(await entitlementOf(watched)).toEqual({
      metric: 'api_calls',
      allowed: true,
      remainingUnits: '50',
      remainingCredit: null,
    });
  });

  it('fires the usage alert once when usage reaches it, and stops the entitlement', async () => {
    await ingest(watched, 'a', 30);
    let alerts = await alertsOf(watched);
    expect(alerts.map((a) => [a.alertId, a.state])).toEqual([
      [usageAlert.id, 'under'],
      [amountAlert.id, 'under'],
    ]);
    expect(await entitlementOf(watched)).toMatchObject({ allowed: true, remainingUnits: '20' });
    await ingest(watched, 'b', 25); // 55 calls: over 50; 1275 rated: under 1500
    alerts = await alertsOf(watched);
    expect(alerts[0]).toMatchObject({
      state: 'crossed',
      usedUnits: '55',
      crossedAt: JAN(15).replace('10:00:00Z', '12:00:00.000Z'),
    });
    expect(alerts[1]).toMatchObject({
      state: 'under',
      ratedAmount: { amount: 1275 },
      crossedAt: null,
    });
    expect(await entitlementOf(watched)).toMatchObject({ allowed: false, remainingUnits: '0' });
    expect(await events('spend_alert.triggered')).toHaveLength(1);
  });

  it('fires the amount alert once; more usage and reads write nothing twice', async () => {
    await ingest(watched, 'c', 50); // 105 calls: 1525 rated
    const alerts = await alertsOf(watched);
    expect(alerts[1]).toMatchObject({ state: 'crossed', ratedAmount: { amount: 1525 } });
    await ingest(watched, 'd', 10);
    await ingest(watched, 'e', 10);
    await alertsOf(watched);
    await alertsOf(watched);
    const triggered = await events('spend_alert.triggered');
    expect(triggered.map((e) => objectOf(e).alertId)).toEqual([usageAlert.id, amountAlert.id]);
    expect(objectOf(triggered[0]!)).toMatchObject({
      customerId: watched,
      kind: 'usage',
      metricCode: 'api_calls',
      units: '50',
      value: '55',
      hardStop: true,
      periodStart: '2027-01-01T09:00:00.000Z',
    });
    expect(objectOf(triggered[1]!)).toMatchObject({ kind: 'amount', amount: 1500, value: '1525' });

    // The operator is told once per crossing.
    const mail = await operatorMail();
    expect(mail).toHaveLength(2);
    expect(mail.map((m) => m.subject).sort()).toEqual([
      expect.stringContaining('Spend alert “Fifty calls”'),
      expect.stringContaining(`Spend alert “${amountAlert.id}”`),
    ]);
    expect(mail.find((m) => m.subject.includes('Fifty'))!.text).toContain('55 units of api_calls');
    expect(mail.find((m) => m.subject.includes(amountAlert.id))!.text).toContain('€15.25');

    // Delivered to the receiver, signed, once each.
    await dispatchWebhookEvents(h.api.db, h.client);
    await dispatchWebhookEvents(h.api.db, h.client);
    await eventually('two deliveries', () => Promise.resolve(receiver.received.length >= 2));
    expect(receiver.received.map((r) => r.id)).toEqual(triggered.map((e) => e.id));
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(receiver.received.map((r) => r.body.type)).toEqual([
      'spend_alert.triggered',
      'spend_alert.triggered',
    ]);
  });

  it('applies a plan’s alert to a customer on that plan only, until deleted', async () => {
    expect((await alertsOf(watched)).map((a) => a.alertId)).not.toContain(planAlert.id);
    // 1100 − 1000 rated leaves 100: 20 calls at 5.
    expect(await entitlementOf(capped)).toMatchObject({ allowed: true, remainingUnits: '20' });
    await ingest(capped, 'a', 25);
    const [shown] = await alertsOf(capped);
    expect(shown).toMatchObject({ alertId: planAlert.id, scope: 'plan', state: 'crossed' });
    expect(await entitlementOf(capped)).toMatchObject({ allowed: false, remainingUnits: '0' });
    const triggered = await events('spend_alert.triggered');
    expect(triggered.filter((e) => objectOf(e).customerId === capped)).toHaveLength(1);

    const deleted = await h.api.request({
      method: 'DELETE',
      url: `/v1/spend-alerts/${planAlert.id}`,
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json<Alert>().enabled).toBe(false);
    expect(await entitlementOf(capped)).toEqual({
      metric: 'api_calls',
      allowed: true,
      remainingUnits: null,
      remainingCredit: null,
    });
    expect(await alertsOf(capped)).toEqual([]);
  });

  it('resolves each crossing once after the period boundary, lifting the hard stop', async () => {
    await advanceClock(h, clockId, '2027-02-01T12:00:00Z');
    const alerts = await alertsOf(watched);
    expect(alerts.map((a) => [a.state, a.crossedAt, a.unresolved])).toEqual([
      ['under', null, false],
      ['under', null, false],
    ]);
    expect(await entitlementOf(watched)).toMatchObject({ allowed: true, remainingUnits: '50' });
    await alertsOf(watched);
    await ingest(watched, 'f', 3, '2027-02-01T11:00:00Z'); // February: under both levels
    await alertsOf(watched);
    const resolved = await events('spend_alert.resolved');
    expect(resolved.map((e) => objectOf(e).alertId).sort()).toEqual(
      [usageAlert.id, amountAlert.id].sort(),
    );
    expect(objectOf(resolved.find((e) => objectOf(e).alertId === usageAlert.id)!)).toMatchObject({
      value: '55',
      resolvedValue: '0',
      resolvedAt: '2027-02-01T12:00:00.000Z',
    });
    expect(await events('spend_alert.triggered')).toHaveLength(3);
    expect(await operatorMail()).toHaveLength(3);
    await dispatchWebhookEvents(h.api.db, h.client);
    await eventually('the resolutions delivered', () =>
      Promise.resolve(receiver.received.length >= 5),
    );
    // Two triggered for `watched`, one for `capped` (its endpoint gets every spend alert event).
    expect(receiver.received.slice(3).map((r) => r.body.type)).toEqual([
      'spend_alert.resolved',
      'spend_alert.resolved',
    ]);
  });

  it('replays the balance workflow’s history, crossings and resolutions included', async () => {
    const handle = h.client.workflow.getHandle(customerBalanceWorkflowId(watched));
    const history = await handle.fetchHistory();
    const activities = history.events!.filter(
      (e) =>
        e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordSpendAlertChanges',
    );
    // Two crossings in January (two reads), the resolutions at the boundary: three calls, no
    // more, however many reads there were.
    expect(activities).toHaveLength(3);
    const reads = history.events!.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'readCustomerBalance',
    );
    expect(reads.length).toBeGreaterThan(activities.length);
    console.log(
      `[billwright] ${reads.length} balance reads, ${activities.length} alert activities`,
    );
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), dataConverter: testDataConverter },
      history,
    );
  });
});
