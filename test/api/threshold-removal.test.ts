// Removing a billing threshold through the public API (PATCH /v1/subscriptions/{id} with
// `{ "billingThreshold": null }`), with the real subscription and balance workflows on a test
// clock: the subscription shows null, usage far beyond the old threshold issues no interim
// invoice (the balance workflow does not even ask), and the period-end invoice bills all of it,
// once, as an identical twin that never had a threshold is billed. Null means no threshold, not
// the plan's default: a subscription that took its plan's default and had it removed is billed
// as the twin too, while a control that keeps its threshold is billed an interim invoice for the
// same usage (so the absence is not an accident of timing). A request for an interim invoice
// that was already on its way when the threshold was removed bills nothing either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerBalanceWorkflowId, subscriptionWorkflowId } from '../../workflow-contracts/ids.ts';
import { thresholdInvoiceUpdate } from '../../workflow-contracts/thresholds.ts';
import { eventually } from '../support/temporal.ts';
import {
  advanceClock,
  createBillingHarness,
  created,
  invoicesOf,
  issuedInvoices,
  newClock,
  newCustomer,
  subscribe,
  usageCharge,
  type BillingHarness,
  type Invoice,
  type Sub,
} from '../support/billing-harness.ts';

type Name = 'removed' | 'planDefault' | 'kept' | 'twin';
type Subscription = Sub & { billingThreshold: number | null };

let h: BillingHarness;
let clockId: string;
const customers = {} as Record<Name, string>;
const subs = {} as Record<Name, Sub>;

let batch = 0;
/** `count` API calls at 10 cents each for every customer named, one batch each. */
async function ingest(names: Name[], count: number, day: number) {
  batch += 1;
  const events = names.flatMap((name) =>
    Array.from({ length: count }, (_, i) => ({
      transactionId: `removal-${batch}-${name}-${i}`,
      customerId: customers[name],
      metricCode: 'api_calls',
      timestamp: `2027-01-${day}T10:00:00Z`,
    })),
  );
  const response = await h.post('/v1/events', { events });
  expect(response.statusCode, response.body).toBe(200);
}

/** The balance's unbilled usage line, once it has read every notified batch. */
const unbilledCalls = async (name: Name) =>
  (
    await h.get<{ charges: { metricCode: string | null; amount: { amount: number } }[] }>(
      `/v1/customers/${customers[name]}/balance`,
    )
  ).charges.find((c) => c.metricCode === 'api_calls')!.amount.amount;

const interims = (invoices: Invoice[]) =>
  invoices.filter(
    (i) => (i as Invoice & { billingReason: string }).billingReason === 'subscription_threshold',
  );

const patchThreshold = (name: Name, billingThreshold: number | null) =>
  h.api.request({
    method: 'PATCH',
    url: `/v1/subscriptions/${subs[name].id}`,
    payload: { billingThreshold },
  });

beforeAll(async () => {
  h = await createBillingHarness();
  clockId = await newClock(h, '2027-01-01T09:00:00Z');
  created(
    await h.post('/v1/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' }),
  );
  const charges = [
    { key: 'base', type: 'flat', description: 'Base', billing: 'advance', amount: '1000' },
    usageCharge('calls', 'api_calls', { model: 'per_unit', unitPrice: '10' }),
  ];
  const plan = { currency: 'EUR', interval: 'month', charges };
  created(await h.post('/v1/plans', { code: 'calls', name: 'Calls', ...plan }));
  // The same charges, with a default threshold of EUR 5.00 for the plan's new subscriptions.
  created(
    await h.post('/v1/plans', {
      code: 'calls-threshold',
      name: 'Calls, billed at EUR 5.00',
      ...plan,
      billingThreshold: 500,
    }),
  );
  for (const name of ['removed', 'planDefault', 'kept', 'twin'] as const)
    customers[name] = await newCustomer(h, clockId);
  subs.removed = await subscribe(h, {
    customerId: customers.removed,
    planCode: 'calls',
    billingThreshold: 500,
  });
  subs.planDefault = await subscribe(h, {
    customerId: customers.planDefault,
    planCode: 'calls-threshold',
  });
  subs.kept = await subscribe(h, {
    customerId: customers.kept,
    planCode: 'calls',
    billingThreshold: 500,
  });
  subs.twin = await subscribe(h, { customerId: customers.twin, planCode: 'calls' });
  await advanceClock(h, clockId, '2027-01-15T12:00:00Z');
  await Promise.all(Object.values(subs).map((s) => issuedInvoices(h, s.id, 1)));
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe('removing a billing threshold', () => {
  it('answers and shows billingThreshold null, the plan’s default removed too', async () => {
    const before = await h.get<Subscription>(`/v1/subscriptions/${subs.planDefault.id}`);
    expect(before.billingThreshold).toBe(500); // taken from the plan at creation
    for (const name of ['removed', 'planDefault'] as const) {
      const response = await patchThreshold(name, null);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<Subscription>().billingThreshold).toBeNull();
      // Null is "no threshold", not "fall back to the plan's": the GET shows null as stored.
      const sub = await h.get<Subscription>(`/v1/subscriptions/${subs[name].id}`);
      expect(sub.billingThreshold).toBeNull();
    }
    const kept = await h.get<Subscription>(`/v1/subscriptions/${subs.kept.id}`);
    expect(kept.billingThreshold).toBe(500);
  });

  it('issues no interim invoice however far the usage goes beyond the old threshold', async () => {
    // Five days on, the usage of those days (the balance counts usage up to the clock).
    await advanceClock(h, clockId, '2027-01-20T12:00:00Z');
    const all: Name[] = ['removed', 'planDefault', 'kept', 'twin'];
    await ingest(all, 30, 16); // 300: under the old threshold
    await ingest(all, 50, 17); // 800: beyond it
    await ingest(all, 120, 18); // 2000: four times it
    // The control keeps its threshold and is billed interim invoices for the same usage, until
    // none of it is unbilled (one or two of them: batches read together cross once).
    // The balance hears of an interim invoice when its request is answered, a moment after the
    // invoice is issued: it shows nothing unbilled once it has.
    await eventually('the control billed at its threshold', async () => {
      const billed = interims(await invoicesOf(h, subs.kept.id));
      const total = billed.reduce((t, i) => t + i.subtotal.amount, 0);
      return total === 2000 && (await unbilledCalls('kept')) === 0;
    });
    // The balance has read every batch: all of the usage is unbilled, nothing was asked.
    for (const name of ['removed', 'planDefault', 'twin'] as const) {
      expect(await unbilledCalls(name)).toBe(2000);
      const history = await h.client.workflow
        .getHandle(customerBalanceWorkflowId(customers[name]))
        .fetchHistory();
      const asked = (history.events ?? []).filter(
        (e) =>
          e.activityTaskScheduledEventAttributes?.activityType?.name === 'requestThresholdInvoice',
      );
      expect(asked).toEqual([]);
    }
    // The control's balance did ask, through the same activity.
    const controlHistory = await h.client.workflow
      .getHandle(customerBalanceWorkflowId(customers.kept))
      .fetchHistory();
    expect(
      (controlHistory.events ?? []).some(
        (e) =>
          e.activityTaskScheduledEventAttributes?.activityType?.name === 'requestThresholdInvoice',
      ),
    ).toBe(true);
    // A request asked before the removal and still waiting (behind another invoice of the
    // subscription) when it is served bills nothing either.
    for (const name of ['removed', 'planDefault'] as const) {
      const answer = await h.client.workflow
        .getHandle(subscriptionWorkflowId(subs[name].id))
        .executeUpdate(thresholdInvoiceUpdate, {
          args: [
            {
              periodEnd: subs[name].currentPeriod!.end,
              sequence: 1,
              unbilled: 2000,
              currency: 'EUR',
            },
          ],
        });
      expect(answer).toMatchObject({ outcome: 'nothing_due', invoiceId: null });
      expect(await invoicesOf(h, subs[name].id)).toHaveLength(1);
    }
  });

  it('bills all of the usage once at the period end, as the twin without a threshold', async () => {
    await advanceClock(h, clockId, '2027-02-01T12:00:00Z');
    const twin = await issuedInvoices(h, subs.twin.id, 2);
    const twinEnd = twin.at(-1)!;
    for (const name of ['removed', 'planDefault'] as const) {
      const invoices = await issuedInvoices(h, subs[name].id, 2);
      expect(interims(invoices)).toEqual([]);
      expect(invoices).toHaveLength(2);
      const periodEnd = invoices.at(-1)!;
      const calls = periodEnd.lines.filter((l) => l.description.includes('calls'));
      // One line, all 200 calls at 10 cents, with no interim invoice to take off.
      expect(calls.map((l) => l.amount.amount)).toEqual([2000]);
      const twinCalls = twinEnd.lines.find((l) => l.description.includes('calls'))!;
      expect(calls[0]!.description).toBe(twinCalls.description);
      expect(periodEnd).toMatchObject({
        subtotal: { amount: 3000 }, // February's base (1000, in advance) and January's calls
        tax: { amount: 600 },
        total: { amount: 3600 },
      });
      expect(periodEnd.subtotal).toEqual(twinEnd.subtotal);
      expect(periodEnd.total).toEqual(twinEnd.total);
    }
    // The control was billed the same in all: its interim invoices and period end add up.
    const kept = await invoicesOf(h, subs.kept.id);
    expect(kept.at(-1)!.lines.find((l) => l.description.includes('calls'))!.amount.amount).toBe(0);
    const january = (list: Invoice[]) => list.slice(1).reduce((t, i) => t + i.total.amount, 0);
    expect(january(kept)).toBe(january(twin));
  });
});
