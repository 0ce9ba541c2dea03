// "Pay online", end to end: through the public API on a test clock with the real subscription
// and collection workflows, Stripe's real SDK against stripe-mock, and the hosted invoice page in
// the real Chromium. The invoice email and the reminder link to the hosted page; its button POSTs
// and is redirected to Stripe Checkout (watched, not reached: no internet); a second click goes to the
// same checkout. Stripe's signed webhooks then come in as Stripe sends them: a failed attempt
// (nothing paid, payment.failed emitted once, the page says so), then the paid session, replayed
// and doubled by payment_intent.succeeded: one payment, one receipt, the page shows paid.
import type { Page } from 'playwright-core';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listCheckouts } from '../../db/repositories/online-payments.ts';
import { listWebhookEvents } from '../../db/repositories/webhook-events.ts';
import { getFreePort } from '../../infra/free-port.ts';
import { createStripeCheckout } from '../../payments/stripe-checkout.ts';
import { stripeSignature } from '../../payments/stripe.ts';
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
import { stringMatching } from '../support/api-harness.ts';
import { startStripeMock, type StripeMock } from '../support/stripe-mock.ts';
import { eventually } from '../support/temporal.ts';
import { openUiBrowser, type UiBrowser } from '../support/temporal-ui.ts';

const SIGNING_SECRET = 'online-payment-signing-secret-0123456789';
const WEBHOOK_SECRET = 'whsec_online_payment';
const STRIPE_KEY = 'sk_test_onlinepayment';
const EMAIL = 'ap@online.example';

let h: BillingHarness;
let mock: StripeMock;
let browser: UiBrowser;
let page: Page;
let baseUrl: string;

beforeAll(async () => {
  mock = await startStripeMock();
  const port = await getFreePort();
  baseUrl = `http://127.0.0.1:${port}`;
  h = await createBillingHarness({
    collections: true,
    api: {
      publicBaseUrl: baseUrl,
      signingSecret: SIGNING_SECRET,
      stripeWebhookSecret: WEBHOOK_SECRET,
      paymentCheckout: createStripeCheckout({ secretKey: STRIPE_KEY, apiBase: mock.url }),
    },
    // The worker signs the emails' hosted links with the same secret and base URL.
    env: { BILLWRIGHT_SIGNING_SECRET: SIGNING_SECRET, PUBLIC_BASE_URL: baseUrl },
  });
  await h.api.app.listen({ port, host: '127.0.0.1' });
  browser = await openUiBrowser();
  page = browser.page;
  created(
    await h.post('/v1/plans', {
      code: 'online',
      name: 'Online',
      currency: 'EUR',
      interval: 'month',
      amount: 4900,
    }),
  );
  created(
    await h.post('/v1/dunning-policies', {
      name: 'One reminder',
      default: true,
      beforeDue: null,
      reminders: [{ daysAfterDue: 3, tone: 'gentle' }],
      finalNotice: null,
      markUncollectibleAfterDays: null,
      escalation: [],
      sendWindow: { start: '00:00', end: '23:59', weekdaysOnly: false },
    }),
  );
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await mock?.stop();
});

interface OutboxMessage {
  subject: string;
  text: string;
}

/** The customer's emails, newest last, once `count` are there. */
async function emails(count: number): Promise<OutboxMessage[]> {
  return eventually(`${count} email(s) to ${EMAIL}`, async () => {
    const page = await h.get<{ data: { id: string }[] }>(
      `/v1/outbox?to=${encodeURIComponent(EMAIL)}`,
    );
    if (page.data.length < count) return undefined;
    return Promise.all(page.data.map((m) => h.get<OutboxMessage>(`/v1/outbox/${m.id}`)));
  });
}

/** The link an email gives after "pay it online here:". */
function payOnlineLink(message: OutboxMessage): string {
  const match = /pay it online here:\s*(\S+)/.exec(message.text);
  expect(match, message.text).not.toBeNull();
  return match![1]!;
}

/** Stripe's webhook delivery: the event signed with the endpoint's secret. */
async function deliver(event: object) {
  const body = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const response = await h.api.app.inject({
    method: 'POST',
    url: '/webhooks/payments/stripe',
    payload: body,
    headers: {
      'content-type': 'application/json',
      'stripe-signature': `t=${t},v1=${stripeSignature(WEBHOOK_SECRET, t, body)}`,
    },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ paymentId: string | null; failureId?: string; ignored?: string }>();
}

async function receiptsSent(invoiceId: string): Promise<number> {
  const rows = await h.api.db
    .selectFrom('email_deliveries')
    .select('idempotency_key')
    .where('invoice_id', '=', invoiceId)
    .where('kind', '=', 'receipt')
    .execute();
  return rows.length;
}

test('an invoice paid online through Stripe Checkout, after a failed attempt', async () => {
  const clock = await newClock(h, '2027-03-01T09:00:00Z');
  const customerId = await postCustomer(h.api, {
    name: 'Online Payer GmbH',
    email: EMAIL,
    country: 'DE',
    timezone: 'Europe/Berlin',
    locale: 'en-GB',
    paymentTermsDays: 14,
    testClockId: clock,
  });
  const sub = await subscribe(h, { customerId, planCode: 'online' });
  const invoice: Invoice = await eventually('the first invoice', async () =>
    (await invoicesOf(h, sub.id)).find((i) => i.number),
  );
  const amountDue = invoice.total.amount;

  // The invoice email, then (3 days after the due date) the reminder: both link to the page.
  const [issued] = await emails(1);
  await advanceClock(h, clock, '2027-03-19T12:00:00Z');
  const all = await emails(2);
  const reminder = all.find((m) => m.subject.includes('was due'))!;
  expect(reminder, all.map((m) => m.subject).join(' | ')).toBeDefined();
  for (const link of [payOnlineLink(issued!), payOnlineLink(reminder)]) {
    expect(link.startsWith(`${baseUrl}/hosted/invoices/${invoice.id}?`)).toBe(true);
    await page.goto(link);
    await expect
      .poll(() => page.locator('form.bw-pay button').textContent())
      .toBe('Pay €58.31 online');
  }
  expect(amountDue).toBe(5831); // EUR 49.00 and German VAT at 19 %

  // The button: POST to the signed route, 303 to Stripe Checkout.
  // Playwright calls no route handler for a redirect's target, so the test watches the browser's
  // request for it instead (it then fails to resolve: there is no internet here).
  const [posted, toStripe] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/pay?')),
    page.waitForRequest((r) => r.url().startsWith('https://checkout.stripe.com/')),
    page.locator('form.bw-pay button').click(),
  ]);
  const [checkout] = await listCheckouts(h.api.db, invoice.id);
  expect(checkout).toMatchObject({ amount_due: amountDue, currency: 'EUR', generation: 1 });
  expect((await posted.response())?.status()).toBe(303);
  expect(toStripe.isNavigationRequest()).toBe(true);
  expect(toStripe.url()).toBe(checkout!.session_url);
  // That navigation fails (no internet) and ends on Chromium's error page: let it land, or it
  // interrupts the test's next navigation.
  await page.waitForURL((url) => url.protocol === 'chrome-error:');
  const opened = mock.requests.filter((r) => r.path === '/v1/checkout/sessions');
  expect(opened).toHaveLength(1);
  expect(opened[0]!.form).toMatchObject({
    'line_items[0][price_data][unit_amount]': String(amountDue),
    'line_items[0][price_data][currency]': 'eur',
    'metadata[invoice_id]': invoice.id,
    'payment_intent_data[metadata][invoice_id]': invoice.id,
    success_url: checkout!.return_url,
  });
  expect(checkout!.return_url.startsWith(`${baseUrl}/hosted/invoices/${invoice.id}?`)).toBe(true);

  // A double click (two more posts at once): the same checkout, nothing new at Stripe.
  const pay = new URL(`${invoice.id}/pay`, `${baseUrl}/hosted/invoices/`);
  pay.search = new URL(payOnlineLink(issued!)).search;
  const again = await Promise.all(
    [1, 2].map(() => h.api.app.inject({ method: 'POST', url: pay.pathname + pay.search })),
  );
  expect(again.map((r) => [r.statusCode, r.headers.location])).toEqual([
    [303, checkout!.session_url],
    [303, checkout!.session_url],
  ]);
  expect(mock.requests.filter((r) => r.path === '/v1/checkout/sessions')).toHaveLength(1);
  expect(await listCheckouts(h.api.db, invoice.id)).toHaveLength(1);

  // Stripe's own view of the session names its PaymentIntent.
  const stripe = new Stripe(STRIPE_KEY, {
    host: '127.0.0.1',
    port: Number(new URL(mock.url).port),
    protocol: 'http',
  });
  const session = await stripe.checkout.sessions.retrieve(checkout!.session_id!);
  const intentId = session.payment_intent as string;
  const now = Math.floor(Date.now() / 1000);

  // The card is declined: nothing paid, one payment.failed however often Stripe sends it.
  const failed = {
    id: 'evt_declined',
    object: 'event',
    type: 'payment_intent.payment_failed',
    created: now,
    data: {
      object: {
        id: intentId,
        object: 'payment_intent',
        amount: amountDue,
        currency: 'eur',
        metadata: { invoice_id: invoice.id },
        last_payment_error: {
          code: 'card_declined',
          decline_code: 'insufficient_funds',
          message: 'Your card has insufficient funds.',
        },
      },
    },
  };
  const first = await deliver(failed);
  expect(first).toMatchObject({ paymentId: null, failureId: stringMatching(/^pfl_/) });
  expect(await deliver(failed)).toEqual(first);
  const events = await listWebhookEvents(h.api.db, { objectId: first.failureId! });
  expect(events.map((e) => e.type)).toEqual(['payment.failed']);
  expect(events[0]!.payload).toMatchObject({
    type: 'payment.failed',
    data: {
      object: {
        object: 'payment',
        id: first.failureId,
        invoiceId: invoice.id,
        amount: amountDue,
        currency: 'EUR',
        reference: intentId,
        code: 'insufficient_funds',
        source: 'stripe',
      },
    },
  });
  expect((await h.get<Invoice & { status: string }>(`/v1/invoices/${invoice.id}`)).status).toBe(
    'open',
  );
  await page.goto(checkout!.return_url);
  await expect
    .poll(() => page.locator('.bw-failed').textContent())
    .toMatch(/Your online payment of €58\.31 on .* did not go through, and nothing was charged/);
  expect(await page.locator('form.bw-pay button').count()).toBe(1);

  // The customer pays: checkout.session.completed (twice, as a retry) and the PaymentIntent's
  // own success name one payment.
  const completed = {
    id: 'evt_completed',
    object: 'event',
    type: 'checkout.session.completed',
    created: now + 60,
    data: {
      object: {
        ...session,
        amount_total: amountDue,
        currency: 'eur',
        metadata: { invoice_id: invoice.id },
        payment_status: 'paid',
        status: 'complete',
      },
    },
  };
  const paid = await deliver(completed);
  expect(paid.paymentId).toMatch(/^pay_/);
  expect(await deliver(completed)).toEqual(paid);
  const succeeded = await deliver({
    id: 'evt_succeeded',
    object: 'event',
    type: 'payment_intent.succeeded',
    created: now + 61,
    data: {
      object: {
        id: intentId,
        object: 'payment_intent',
        amount: amountDue,
        amount_received: amountDue,
        currency: 'eur',
        payment_method_types: ['card'],
        metadata: { invoice_id: invoice.id },
      },
    },
  });
  expect(succeeded.paymentId).toBe(paid.paymentId);

  const payments = await h.get<{ data: { id: string; amount: { amount: number } }[] }>(
    `/v1/invoices/${invoice.id}/payments`,
  );
  expect(payments.data.map((p) => [p.id, p.amount.amount])).toEqual([[paid.paymentId, amountDue]]);
  await eventually('the invoice paid and its receipt sent', async () => {
    const now = await h.get<{ status: string }>(`/v1/invoices/${invoice.id}`);
    return now.status === 'paid' && (await receiptsSent(invoice.id)) === 1 ? true : undefined;
  });
  const paidEvents = await listWebhookEvents(h.api.db, { objectId: invoice.id });
  expect(paidEvents.filter((e) => e.type === 'invoice.paid')).toHaveLength(1);

  // The page shows it paid, with no button; paying again is refused.
  await page.goto(checkout!.return_url);
  await expect.poll(() => page.locator('.bw-hosted').textContent()).toMatch(/Paid\./);
  expect(await page.locator('form.bw-pay').count()).toBe(0);
  const late = await h.api.app.inject({ method: 'POST', url: pay.pathname + pay.search });
  expect(late.statusCode, late.body).toBe(409);
  expect(late.headers['content-type']).toMatch(/application\/problem\+json/);

  // Still one receipt after the collection has settled.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await receiptsSent(invoice.id)).toBe(1);
  const receipts = (await emails(3)).filter((m) => /is paid|received/.test(m.subject));
  expect(receipts).toHaveLength(1);
});
