// The events added to the webhook catalogue, end to end through the public API on a test clock,
// with the real collection and project workflows and a loopback receiver that verifies every
// delivery's signature: invoice.overdue when the due date passes unpaid (once, and none for an
// invoice paid in time), payment.refunded for a refund of money paid (none for a correction or a
// refund of an unpaid amount), project.milestone_approved and _rejected (once each, a retried
// answer refused and writing none).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listWebhookEvents } from '../../db/repositories/webhook-events.ts';
import { dispatchWebhookEvents } from '../../temporal/webhook-dispatch.ts';
import { postCustomer } from '../support/builders/customers.ts';
import {
  advanceClock,
  created,
  createBillingHarness,
  newClock,
  type BillingHarness,
} from '../support/billing-harness.ts';
import { eventually } from '../support/temporal.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const TYPES = [
  'invoice.overdue',
  'payment.refunded',
  'project.milestone_approved',
  'project.milestone_rejected',
];

let h: BillingHarness;
let receiver: WebhookReceiver;

beforeAll(async () => {
  [h, receiver] = await Promise.all([
    createBillingHarness({ collections: true, webhooks: true }),
    startWebhookReceiver(),
  ]);
  // The first reminder five days after the due date: the invoice is overdue before it.
  created(
    await h.post('/v1/dunning-policies', {
      name: 'One reminder',
      default: true,
      beforeDue: null,
      reminders: [{ daysAfterDue: 5, tone: 'gentle' }],
      finalNotice: null,
      markUncollectibleAfterDays: null,
      escalation: [],
      sendWindow: { start: '00:00', end: '23:59', weekdaysOnly: false },
    }),
  );
  const { secret } = created<{ secret: string }>(
    await h.post('/v1/webhook-endpoints', { url: receiver.url, eventTypes: TYPES }),
  );
  receiver.useSecret(secret);
}, 120_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

async function post<T>(url: string, payload: object = {}, status = 200): Promise<T> {
  const response = await h.post(url, payload);
  expect(response.statusCode, `POST ${url}: ${response.body}`).toBe(status);
  return response.json<T>();
}

interface ApiInvoice {
  id: string;
  number: string;
  dueAt: string;
  total: { amount: number };
}

async function finalizedInvoice(customerId: string, unitPrice: number): Promise<ApiInvoice> {
  const { id } = await post<{ id: string }>(
    '/v1/invoices',
    { customerId, lines: [{ description: 'Consulting', quantity: 1, unitPrice }] },
    201,
  );
  return post<ApiInvoice>(`/v1/invoices/${id}/finalize`);
}

const pay = (invoice: ApiInvoice, amount: number, reference: string) =>
  post(`/v1/invoices/${invoice.id}/payments`, { amount, method: 'wire', reference }, 201);

/** The events of `type` written so far, their objects in commit order. */
async function written(type: string) {
  const events = await listWebhookEvents(h.api.db);
  return events
    .filter((e) => e.type === type)
    .map((e) => (e.payload as { data: { object: Record<string, unknown> } }).data.object);
}

test('each new event is written once with its change and delivered signed', async () => {
  const clock = await newClock(h, '2027-01-04T09:00:00Z');
  const customerId = await postCustomer(h.api, {
    name: 'Late Payer',
    email: 'late@payer.example',
    timezone: 'UTC',
    paymentTermsDays: 10,
    testClockId: clock,
  });

  // invoice.overdue: two invoices due Jan 14; one paid in time, the other not.
  const paidInTime = await finalizedInvoice(customerId, 10000);
  const late = await finalizedInvoice(customerId, 20000);
  expect(late.dueAt).toBe('2027-01-14T09:00:00.000Z');
  await pay(paidInTime, paidInTime.total.amount, 'wire-in-time');
  await advanceClock(h, clock, '2027-01-15T09:00:00Z'); // a day late, before the reminder
  await eventually('the late invoice overdue', async () => (await written('invoice.overdue'))[0]);
  const overdue = await written('invoice.overdue');
  expect(overdue).toHaveLength(1);
  expect(overdue[0]).toMatchObject({
    object: 'invoice',
    id: late.id,
    number: late.number,
    customerId,
    status: 'open',
    amountDue: late.total.amount,
    dueAt: late.dueAt,
    overdueAt: late.dueAt,
  });
  const lateCollection = await h.get<{ status: string; remindersSent: number }>(
    `/v1/invoices/${late.id}/collection`,
  );
  expect(lateCollection).toMatchObject({ status: 'overdue', remindersSent: 0 });
  // On past the reminder (the collection reports "overdue" again with it): still one event.
  await advanceClock(h, clock, '2027-01-21T09:00:00Z');
  await eventually('the reminder sent', async () => {
    const c = await h.get<{ remindersSent: number }>(`/v1/invoices/${late.id}/collection`);
    return c.remindersSent === 1 ? c : undefined;
  });
  expect(await written('invoice.overdue')).toHaveLength(1);

  // payment.refunded: the late invoice paid, then 50.00 of it refunded. A correction on the
  // other one (customer credit, not a refund) and a refund of an unpaid amount write none.
  await pay(late, late.total.amount, 'wire-late');
  const refund = await post<{ id: string; number: string }>(
    `/v1/invoices/${late.id}/credit-notes`,
    { reason: 'refund', amount: 5000, memo: 'Goodwill' },
    201,
  );
  await post(
    `/v1/invoices/${paidInTime.id}/credit-notes`,
    { reason: 'correction', amount: 100 },
    201,
  );
  const unpaid = await finalizedInvoice(customerId, 30000);
  await post(`/v1/invoices/${unpaid.id}/credit-notes`, { reason: 'refund', amount: 1000 }, 201);
  expect(await written('payment.refunded')).toEqual([
    {
      object: 'payment',
      id: refund.id,
      creditNoteNumber: refund.number,
      invoiceId: late.id,
      customerId,
      currency: 'EUR',
      amount: 5000,
      memo: 'Goodwill',
      refundedAt: '2027-01-21T09:00:00.000Z',
    },
  ]);

  // project.milestone_approved / _rejected: the operator answers for the customer.
  const project = await post<{ id: string }>(
    '/v1/projects',
    {
      customerId,
      name: 'Website',
      currency: 'EUR',
      contractValue: 100000,
      sequential: false,
      milestones: [
        { key: 'design', name: 'Design', amount: 40000, requiresApproval: true },
        { key: 'build', name: 'Build', balance: true, requiresApproval: true },
      ],
    },
    201,
  );
  const milestone = (key: string, action: string) =>
    `/v1/projects/${project.id}/milestones/${key}/${action}`;
  await post(milestone('design', 'complete'));
  await post(milestone('design', 'approve'), { reason: 'approved on the phone' });
  await post(milestone('design', 'approve'), {}, 409); // answered already: nothing twice
  await post(milestone('build', 'complete'));
  await post(milestone('build', 'reject'), { reason: 'Pages missing' });
  await post(milestone('build', 'reject'), { reason: 'Again' }, 409);
  const answer = {
    object: 'project',
    id: project.id,
    customerId,
    projectName: 'Website',
    currency: 'EUR',
    actor: h.api.apiKey.id,
  };
  expect(await written('project.milestone_approved')).toEqual([
    {
      ...answer,
      milestoneKey: 'design',
      milestoneName: 'Design',
      amount: 40000,
      reason: 'approved on the phone',
      approvedAt: '2027-01-21T09:00:00.000Z',
    },
  ]);
  expect(await written('project.milestone_rejected')).toEqual([
    {
      ...answer,
      milestoneKey: 'build',
      milestoneName: 'Build',
      amount: 60000,
      reason: 'Pages missing',
      rejectedAt: '2027-01-21T09:00:00.000Z',
    },
  ]);

  // Delivered to the receiver, signed, once each, in commit order.
  await dispatchWebhookEvents(h.api.db, h.client);
  await dispatchWebhookEvents(h.api.db, h.client); // nothing left: nothing twice
  await eventually('four deliveries', () => Promise.resolve(receiver.received.length >= 4));
  const events = (await listWebhookEvents(h.api.db)).filter((e) => TYPES.includes(e.type));
  expect(receiver.received.map((r) => r.id)).toEqual(events.map((e) => e.id));
  expect(receiver.received.map((r) => r.body.type)).toEqual(TYPES);
  expect(receiver.received.every((r) => r.verified)).toBe(true);
  expect(receiver.received[0]!.body.data.object).toMatchObject({ id: late.id });
  expect(receiver.received[1]!.body.data.object).toMatchObject({ id: refund.id, amount: 5000 });
}, 180_000);
