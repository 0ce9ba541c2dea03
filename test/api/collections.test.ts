// Collections over HTTP on a real database with a recording Temporal client: payments
// (idempotent by reference, partial, over), the customer's credit, disputes, dunning policies,
// the collection told about every change, and Stripe webhooks checked by their signature.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openCollectionRow } from '../../db/repositories/collections.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { stripeSignature } from '../../payments/stripe.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal, type RecordingTemporal } from '../support/recording-temporal.ts';

const STRIPE_SECRET = 'whsec_test_collections';
let api: ApiHarness;
let temporal: RecordingTemporal;
let customerId: string;

beforeAll(async () => {
  temporal = recordingTemporal();
  api = await createApiHarness({ temporal: temporal.client, stripeWebhookSecret: STRIPE_SECRET });
  customerId = await postCustomer(api, { name: 'Acme', email: 'ops@acme.test' });
});

afterAll(async () => {
  await api?.close();
});

const post = (url: string, payload?: object, headers?: Record<string, string>) =>
  api.request({
    method: 'POST',
    url,
    ...(payload ? { payload } : {}),
    ...(headers && { headers }),
  });

interface InvoiceBody {
  id: string;
  status: string;
  total: { amount: number };
  amountDue: { amount: number };
}

async function openInvoice(amount = 10000): Promise<InvoiceBody> {
  const draft = await createDraftInvoice(api.db, {
    customerId,
    currency: 'EUR',
    lines: [{ description: 'Pro', quantity: '1', unitAmount: String(amount), amount }],
  });
  const finalized = await post(`/v1/invoices/${draft.id}/finalize`);
  expect(finalized.statusCode).toBe(200);
  return finalized.json<InvoiceBody>();
}

const toldAbout = (invoiceId: string) =>
  temporal.signaled.filter((s) => s.workflowId === `collection-${invoiceId}`).map((s) => s.args[0]);

describe('payments', () => {
  test('finalizing starts the collection; a payment is recorded once per reference and told', async () => {
    const invoice = await openInvoice();
    expect(toldAbout(invoice.id)).toEqual(['finalized']);
    const started = temporal.signaled.find((s) => s.workflowId === `collection-${invoice.id}`)!;
    expect(started.signal).toBe('collectionChanged');

    const body = { amount: 4000, method: 'bank transfer', reference: 'wire-1' };
    const first = await post(`/v1/invoices/${invoice.id}/payments`, body);
    expect(first.statusCode).toBe(201);
    const paid = first.json<{ payment: { id: string }; invoice: InvoiceBody }>();
    expect(paid.invoice).toMatchObject({
      status: 'partially_paid',
      amountDue: { amount: invoice.total.amount - 4000 },
    });
    const again = await post(`/v1/invoices/${invoice.id}/payments`, body);
    expect(again.statusCode).toBe(200);
    expect(again.json<{ payment: { id: string } }>().payment.id).toBe(paid.payment.id);

    const other = await post(`/v1/invoices/${invoice.id}/payments`, { ...body, amount: 5000 });
    expect(other.statusCode).toBe(409);
    expect(other.json<{ detail: string }>().detail).toContain('wire-1');

    const wrongCurrency = await post(`/v1/invoices/${invoice.id}/payments`, {
      ...body,
      reference: 'wire-2',
      currency: 'USD',
    });
    expect(wrongCurrency.statusCode).toBe(422);
    expect(wrongCurrency.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('currency');
    expect(toldAbout(invoice.id)).toEqual(['finalized', 'payment', 'payment']);

    const list = await api.request({ method: 'GET', url: `/v1/invoices/${invoice.id}/payments` });
    expect(list.json<{ data: { reference: string }[] }>().data.map((p) => p.reference)).toEqual([
      'wire-1',
    ]);
  });

  test('an overpayment settles the invoice and leaves customer credit', async () => {
    const invoice = await openInvoice();
    const res = await post(`/v1/invoices/${invoice.id}/payments`, {
      amount: invoice.total.amount + 700,
      method: 'card',
      reference: 'pi_over',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      payment: { appliedAmount: { amount: invoice.total.amount }, overpaidAmount: { amount: 700 } },
      invoice: { status: 'paid', amountDue: { amount: 0 } },
    });
    const balance = await api.request({
      method: 'GET',
      url: `/v1/customers/${customerId}/credit-balance`,
    });
    expect(balance.json()).toEqual({ data: [{ amount: 700, currency: 'EUR' }], hasMore: false });
  });

  test('a draft cannot be paid, and an unknown invoice is 404', async () => {
    const draft = await createDraftInvoice(api.db, {
      customerId,
      currency: 'EUR',
      lines: [{ description: 'Pro', quantity: '1', unitAmount: '100', amount: 100 }],
    });
    const body = { amount: 100, method: 'card', reference: 'x' };
    expect((await post(`/v1/invoices/${draft.id}/payments`, body)).statusCode).toBe(409);
    expect((await post('/v1/invoices/inv_nope/payments', body)).statusCode).toBe(404);
    const missing = await post(`/v1/invoices/${draft.id}/payments`, { method: 'card' });
    expect(missing.statusCode).toBe(400);
  });
});

describe('disputes, void and write-off', () => {
  test('dispute pauses, a second dispute is 409, resolve resumes; the collection is told each time', async () => {
    const invoice = await openInvoice();
    // The workflow creates the row when it starts; the recording client runs none.
    await openCollectionRow(api.db, {
      invoiceId: invoice.id,
      customerId,
      workflowId: `collection-${invoice.id}`,
      policyId: null,
      status: 'overdue',
    });
    const disputed = await post(`/v1/invoices/${invoice.id}/dispute`, { reason: 'wrong seats' });
    expect(disputed.statusCode).toBe(200);
    expect(disputed.json()).toMatchObject({
      status: 'disputed',
      dispute: { reason: 'wrong seats', resolvedAt: null },
    });
    expect((await post(`/v1/invoices/${invoice.id}/dispute`, { reason: 'again' })).statusCode).toBe(
      409,
    );
    const resolved = await post(`/v1/invoices/${invoice.id}/resolve`, { resolution: 'fixed' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ dispute: { resolution: 'fixed' } });
    expect((await post(`/v1/invoices/${invoice.id}/resolve`, { resolution: 'x' })).statusCode).toBe(
      409,
    );
    expect(toldAbout(invoice.id)).toEqual(['finalized', 'dispute', 'resolve']);
    const shown = await api.request({
      method: 'GET',
      url: `/v1/invoices/${invoice.id}/collection`,
    });
    expect(shown.json()).toMatchObject({ invoiceId: invoice.id, ended: false });
  });

  test('an invoice without a running collection cannot be disputed', async () => {
    const invoice = await openInvoice();
    const res = await post(`/v1/invoices/${invoice.id}/dispute`, { reason: 'x' });
    expect(res.statusCode).toBe(409);
  });

  test('void and write-off tell the collection', async () => {
    const a = await openInvoice();
    expect((await post(`/v1/invoices/${a.id}/void`)).statusCode).toBe(200);
    expect(toldAbout(a.id)).toEqual(['finalized', 'void']);
    const b = await openInvoice();
    expect((await post(`/v1/invoices/${b.id}/mark-uncollectible`)).statusCode).toBe(200);
    expect(toldAbout(b.id)).toEqual(['finalized', 'uncollectible']);
  });
});

describe('dunning policies', () => {
  const policy = {
    beforeDue: { daysBefore: 3 },
    reminders: [
      { daysAfterDue: 1, tone: 'gentle' },
      { daysAfterDue: 7, tone: 'firm' },
    ],
    finalNotice: { daysAfterDue: 14, consequence: 'Your account will be paused.' },
    markUncollectibleAfterDays: 30,
    escalation: [
      { daysAfterDue: 1, action: 'past_due' },
      { daysAfterDue: 30, action: 'pause' },
    ],
    sendWindow: { start: '09:00', end: '17:00', weekdaysOnly: true },
  };

  test('a default and a customer policy; the same scope replaces; list, get, delete', async () => {
    const created = await post('/v1/dunning-policies', {
      name: 'Default',
      default: true,
      ...policy,
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    expect(created.json()).toMatchObject({ isDefault: true, ...policy });
    const replaced = await post('/v1/dunning-policies', {
      name: 'Default v2',
      default: true,
      ...policy,
    });
    expect(replaced.json()).toMatchObject({ id, name: 'Default v2' });
    const own = await post('/v1/dunning-policies', { name: 'Acme', customerId, ...policy });
    expect(own.json()).toMatchObject({ customerId, isDefault: false });
    const list = await api.request({ method: 'GET', url: '/v1/dunning-policies' });
    // Newest first, as every list.
    expect(list.json<{ data: { name: string }[] }>().data.map((p) => p.name)).toEqual([
      'Acme',
      'Default v2',
    ]);
    const got = await api.request({ method: 'GET', url: `/v1/dunning-policies/${id}` });
    expect(got.statusCode).toBe(200);
    const gone = await api.request({ method: 'DELETE', url: `/v1/dunning-policies/${id}` });
    expect(gone.statusCode).toBe(204);
    const again = await api.request({ method: 'DELETE', url: `/v1/dunning-policies/${id}` });
    expect(again.statusCode).toBe(404);
  });

  test('exactly one scope, reminders in order, a window that opens', async () => {
    const two = await post('/v1/dunning-policies', {
      name: 'x',
      default: true,
      customerId,
      ...policy,
    });
    expect(two.statusCode).toBe(422);
    const disorder = await post('/v1/dunning-policies', {
      name: 'x',
      default: true,
      ...policy,
      reminders: [
        { daysAfterDue: 7, tone: 'firm' },
        { daysAfterDue: 1, tone: 'gentle' },
      ],
    });
    expect(disorder.statusCode).toBe(422);
    expect(disorder.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe(
      'reminders[1].daysAfterDue',
    );
    const closed = await post('/v1/dunning-policies', {
      name: 'x',
      default: true,
      ...policy,
      sendWindow: { start: '18:00', end: '09:00', weekdaysOnly: false },
    });
    expect(closed.statusCode).toBe(422);
    expect(closed.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('sendWindow');
    const unknownPlan = await post('/v1/dunning-policies', {
      name: 'x',
      planCode: 'nope',
      ...policy,
    });
    expect(unknownPlan.statusCode).toBe(404);
  });

  test('escalation in several steps: each later and stronger than the one before, nothing after cancel', async () => {
    const escalate = (escalation: object[]) =>
      post('/v1/dunning-policies', { name: 'x', customerId, ...policy, escalation });
    // Past due the day after the due date, paused on day 14, canceled on day 21.
    const stepped = await escalate([
      { daysAfterDue: 1, action: 'past_due' },
      { daysAfterDue: 14, action: 'pause' },
      { daysAfterDue: 21, action: 'cancel' },
    ]);
    expect(stepped.statusCode, stepped.body).toBe(201);
    expect(stepped.json()).toMatchObject({
      escalation: [
        { daysAfterDue: 1, action: 'past_due' },
        { daysAfterDue: 14, action: 'pause' },
        { daysAfterDue: 21, action: 'cancel' },
      ],
    });
    const problem = async (escalation: object[]) => {
      const response = await escalate(escalation);
      expect(response.statusCode, response.body).toBe(422);
      return response.json<{ type: string; errors: { field: string; message: string }[] }>();
    };
    // Day 21 then day 14: out of order.
    expect(
      await problem([
        { daysAfterDue: 21, action: 'pause' },
        { daysAfterDue: 14, action: 'cancel' },
      ]),
    ).toMatchObject({
      type: '/problems/unprocessable',
      errors: [
        {
          field: 'escalation[1].daysAfterDue',
          message: expect.stringMatching(/in order/) as unknown,
        },
      ],
    });
    // Canceled on day 21, then paused on day 30: nothing can follow cancel.
    expect(
      await problem([
        { daysAfterDue: 1, action: 'past_due' },
        { daysAfterDue: 21, action: 'cancel' },
        { daysAfterDue: 30, action: 'pause' },
      ]),
    ).toMatchObject({
      errors: [
        {
          field: 'escalation[2].action',
          message: expect.stringMatching(/follow cancel/) as unknown,
        },
      ],
    });
    // Paused on day 14, then past due on day 21: a step back.
    expect(
      await problem([
        { daysAfterDue: 14, action: 'pause' },
        { daysAfterDue: 21, action: 'past_due' },
      ]),
    ).toMatchObject({ errors: [{ field: 'escalation[1].action' }] });
    // An action the policy does not know is the request's shape: 400.
    const unknown = await escalate([{ daysAfterDue: 14, action: 'suspend' }]);
    expect(unknown.statusCode).toBe(400);
  });
});

describe('Stripe webhook', () => {
  function event(invoiceId: string, amount: number, id = 'pi_123') {
    return JSON.stringify({
      id: `evt_${id}`,
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id,
          amount_received: amount,
          currency: 'eur',
          created: Math.floor(Date.now() / 1000),
          payment_method_types: ['card'],
          metadata: { invoice_id: invoiceId },
        },
      },
    });
  }
  const signed = (body: string, t = Math.floor(Date.now() / 1000), secret = STRIPE_SECRET) => ({
    'content-type': 'application/json',
    'stripe-signature': `t=${t},v1=${stripeSignature(secret, t, body)}`,
  });
  const deliver = (body: string, headers: Record<string, string>) =>
    api.app.inject({ method: 'POST', url: '/webhooks/payments/stripe', payload: body, headers });

  test('a signed payment_intent.succeeded records one payment, however often delivered', async () => {
    const invoice = await openInvoice();
    const body = event(invoice.id, invoice.total.amount, 'pi_once');
    const first = await deliver(body, signed(body));
    expect(first.statusCode).toBe(200);
    const { paymentId } = first.json<{ paymentId: string }>();
    expect(paymentId).toMatch(/^pay_/);
    const second = await deliver(body, signed(body));
    expect(second.json<{ paymentId: string }>().paymentId).toBe(paymentId);
    const payments = await api.db
      .selectFrom('payments')
      .select(['source', 'reference', 'method'])
      .where('invoice_id', '=', invoice.id)
      .execute();
    expect(payments).toEqual([{ source: 'stripe', reference: 'pi_once', method: 'card' }]);
    expect(toldAbout(invoice.id)).toEqual(['finalized', 'stripe', 'stripe']);
  });

  test('a wrong, missing or stale signature is refused and records nothing', async () => {
    const invoice = await openInvoice();
    const body = event(invoice.id, 100, 'pi_forged');
    const wrong = await deliver(body, signed(body, undefined, 'whsec_other'));
    expect(wrong.statusCode).toBe(400);
    const tampered = await deliver(
      body.replace('"amount_received":100', '"amount_received":1'),
      signed(body),
    );
    expect(tampered.statusCode).toBe(400);
    const stale = await deliver(body, signed(body, Math.floor(Date.now() / 1000) - 3600));
    expect(stale.statusCode).toBe(400);
    const missing = await deliver(body, { 'content-type': 'application/json' });
    expect(missing.statusCode).toBe(400);
    const rows = await api.db
      .selectFrom('payments')
      .select('id')
      .where('invoice_id', '=', invoice.id)
      .execute();
    expect(rows).toEqual([]);
  });

  test('other events are acknowledged and ignored; an unknown provider is 404', async () => {
    const body = JSON.stringify({ id: 'evt_x', type: 'customer.created', data: { object: {} } });
    const res = await deliver(body, signed(body));
    expect(res.json()).toMatchObject({ received: true, paymentId: null, ignored: 'not a payment' });
    const other = await api.app.inject({
      method: 'POST',
      url: '/webhooks/payments/paypal',
      payload: body,
      headers: signed(body),
    });
    expect(other.statusCode).toBe(404);
  });
});
