// Through the public API, on a test clock with the real subscription and collection workflows:
// a payment that arrives after an invoice's reminders have all been sent (its collection ended)
// starts a new run of the collection, and GET /v1/invoices/{id}/collection keeps the reminders
// sent, the status and the end, through a partial payment and then the rest.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { postCustomer } from '../support/builders/customers.ts';
import {
  advanceClock,
  created,
  createBillingHarness,
  invoicesOf,
  newClock,
  subscribe,
  type BillingHarness,
  type Invoice,
} from '../support/billing-harness.ts';
import { eventually } from '../support/temporal.ts';

interface Collection {
  status: string;
  ended: boolean;
  remindersSent: number;
  nextAction: unknown;
}

let h: BillingHarness;
beforeAll(async () => {
  h = await createBillingHarness({ collections: true });
  created(
    await h.post('/v1/plans', {
      code: 'basic',
      name: 'Basic',
      currency: 'EUR',
      interval: 'month',
      amount: 3000,
    }),
  );
  // A reminder 3 days after the due date, the final notice at 10, then nothing: the collection
  // ends with the invoice still owed.
  created(
    await h.post('/v1/dunning-policies', {
      name: 'Reminder and final notice',
      default: true,
      beforeDue: null,
      reminders: [{ daysAfterDue: 3, tone: 'gentle' }],
      finalNotice: { daysAfterDue: 10, consequence: 'We will hand the debt over.' },
      markUncollectibleAfterDays: null,
      escalation: [],
      sendWindow: { start: '08:00', end: '18:00', weekdaysOnly: false },
    }),
  );
}, 120_000);
afterAll(async () => {
  await h?.close();
});

async function pay(invoice: Invoice, amount: number, reference: string): Promise<void> {
  const response = await h.post(`/v1/invoices/${invoice.id}/payments`, {
    amount,
    method: 'bank transfer',
    reference,
  });
  expect(response.statusCode, response.body).toBe(201);
}

const collectionOf = (invoice: Invoice) =>
  h.get<Collection>(`/v1/invoices/${invoice.id}/collection`);

/** The receipts emailed to the customer, once there are `count`. */
const receipts = (count: number) =>
  eventually(`${count} receipt(s)`, async () => {
    const page = await h.get<{ data: { subject: string }[] }>(
      `/v1/outbox?to=${encodeURIComponent('late@payer.example')}`,
    );
    // The customer reads French (fr-FR): "nous avons reçu …", "… est réglée".
    const found = page.data.filter((m) => /avons reçu|est réglée/.test(m.subject));
    return found.length >= count ? found : undefined;
  });

test('a payment after the last reminder keeps the reminders sent, partial or in full', async () => {
  const clock = await newClock(h, '2027-01-10T00:00:00Z');
  const customerId = await postCustomer(h.api, {
    name: 'Late Payer',
    email: 'late@payer.example',
    timezone: 'UTC',
    paymentTermsDays: 14,
    testClockId: clock,
  });
  const sub = await subscribe(h, { customerId, planCode: 'basic' });
  const invoice = await eventually('the first invoice', async () =>
    (await invoicesOf(h, sub.id)).find((i) => i.number),
  );
  // Due Jan 24; the reminder on Jan 27, the final notice on Feb 3; then the collection ends.
  await advanceClock(h, clock, '2027-02-05T00:00:00Z');
  const ended = await eventually('the collection ended', async () => {
    const c = await collectionOf(invoice);
    return c.ended ? c : undefined;
  });
  expect(ended).toMatchObject({ status: 'overdue', remindersSent: 2, nextAction: null });

  // A part now: a new collection run receipts it, and the collection stays as it was.
  const total = invoice.total.amount;
  await pay(invoice, 1000, 'late-part');
  await receipts(1);
  expect(await collectionOf(invoice)).toMatchObject({
    status: 'overdue',
    ended: true,
    remindersSent: 2,
    nextAction: null,
  });

  // The rest: another run settles it, still two reminders sent.
  await pay(invoice, total - 1000, 'late-rest');
  const paid = await eventually('paid', async () => {
    const c = await collectionOf(invoice);
    return c.status === 'paid' ? c : undefined;
  });
  expect(paid).toMatchObject({ ended: true, remindersSent: 2, nextAction: null });
  await receipts(2);
  expect((await collectionOf(invoice)).remindersSent).toBe(2);
});
