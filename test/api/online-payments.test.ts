// POST /hosted/invoices/{id}/pay on a real database, with the real Stripe SDK against
// stripe-mock: the link checked like the page's (403 forged, 410 expired), nothing due refused
// (409), the checkout for what is due now (a partial payment opens one for the rest), a new
// generation once a checkout has expired, a provider that failed answered 503 and the retry
// opening the same checkout with the same idempotency key; without STRIPE_SECRET_KEY no route and
// no button. The banner speaks the customer's language.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostedBanner } from '../../api/hosted-pages.ts';
import type { Invoice } from '../../db/database.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { listCheckouts } from '../../db/repositories/online-payments.ts';
import { signHostedInvoiceLink } from '../../documents/hosted-links.ts';
import { CheckoutError, type PaymentCheckout } from '../../payments/provider.ts';
import { createStripeCheckout } from '../../payments/stripe-checkout.ts';
import { CHECKOUT_LIFETIME_MS, openCheckout } from '../../services/online-payments.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';
import { startStripeMock, type StripeMock } from '../support/stripe-mock.ts';

const SECRET = 'online-payments-api-secret-0123456789abc';

let api: ApiHarness;
let mock: StripeMock;
let customerId: string;
/** Fails the next `failNext` opens as an unreachable Stripe would, then opens at stripe-mock. */
let failNext = 0;

beforeAll(async () => {
  mock = await startStripeMock();
  const stripe = createStripeCheckout({ secretKey: 'sk_test_api', apiBase: mock.url });
  const flaky: PaymentCheckout = {
    provider: stripe.provider,
    origins: stripe.origins,
    open: async (request) => {
      if (failNext > 0) {
        failNext--;
        throw new CheckoutError('connect ECONNREFUSED');
      }
      return stripe.open(request);
    },
  };
  api = await createApiHarness({
    temporal: recordingTemporal().client,
    signingSecret: SECRET,
    paymentCheckout: flaky,
  });
  customerId = await postCustomer(api, { name: 'Payer', email: 'payer@acme.test' });
});

afterAll(async () => {
  await api?.close();
  await mock?.stop();
});

/** A finalized invoice of `amount` before tax (the French customer's VAT at 20 % on top). */
async function invoice(amount: number, finalize = true): Promise<{ id: string; due: number }> {
  const draft = await createDraftInvoice(api.db, {
    customerId,
    currency: 'EUR',
    lines: [{ description: 'Work', quantity: '1', unitAmount: String(amount), amount }],
  });
  if (!finalize) return { id: draft.id, due: 0 };
  const answer = await api.request({ method: 'POST', url: `/v1/invoices/${draft.id}/finalize` });
  expect(answer.statusCode, answer.body).toBe(200);
  return { id: draft.id, due: answer.json<{ amountDue: { amount: number } }>().amountDue.amount };
}

function payUrl(id: string, expiresAt = new Date(Date.now() + 86_400_000)): string {
  const link = new URL(signHostedInvoiceLink('http://localhost:3000', id, expiresAt, SECRET));
  return `/hosted/invoices/${id}/pay${link.search}`;
}

const pay = (url: string) =>
  api.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  });

const sessionsOpened = () => mock.requests.filter((r) => r.path === '/v1/checkout/sessions');

describe('POST /hosted/invoices/{id}/pay', () => {
  it('refuses a forged link (403), an expired one (410) and an invoice with nothing due (409)', async () => {
    const open = await invoice(1000);
    const forged = payUrl(open.id).replace(/signature=[^&]+/, 'signature=AAAA');
    expect((await pay(forged)).statusCode).toBe(403);
    expect((await pay(payUrl(open.id, new Date(Date.now() - 1000)))).statusCode).toBe(410);
    const draft = await invoice(1000, false);
    const refused = await pay(payUrl(draft.id));
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json<{ detail: string }>().detail).toMatch(/nothing due/);
    expect((await pay(payUrl('inv_nosuchinvoice'))).statusCode).toBe(404);
  });

  it('opens a checkout for what is due now: after a partial payment, one for the rest', async () => {
    const { id, due } = await invoice(10_000);
    expect(due).toBe(12_000);
    const first = await pay(payUrl(id));
    expect(first.statusCode, first.body).toBe(303);
    expect(first.headers.location).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    const paid = await api.request({
      method: 'POST',
      url: `/v1/invoices/${id}/payments`,
      payload: { amount: 2500, method: 'bank transfer', reference: 'part-1' },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect((await pay(payUrl(id))).statusCode).toBe(303);
    const checkouts = await listCheckouts(api.db, id);
    expect(checkouts.map((c) => [c.amount_due, c.generation, c.idempotency_key])).toEqual([
      [12_000, 1, `billwright/${id}/checkout/12000/1`],
      [9_500, 1, `billwright/${id}/checkout/9500/1`],
    ]);
    const amounts = sessionsOpened()
      .filter((r) => r.form['metadata[invoice_id]'] === id)
      .map((r) => r.form['line_items[0][price_data][unit_amount]']);
    expect(amounts).toEqual(['12000', '9500']);
  });

  it('opens the next generation once a checkout has expired', async () => {
    const { id, due } = await invoice(4200);
    const checkout = createStripeCheckout({ secretKey: 'sk_test_api', apiBase: mock.url });
    const returnUrl = 'http://localhost:3000/hosted/invoices/x';
    await openCheckout(api.db, checkout, { invoiceId: id, returnUrl });
    await openCheckout(api.db, checkout, { invoiceId: id, returnUrl });
    const later = new Date(Date.now() + CHECKOUT_LIFETIME_MS);
    await openCheckout(api.db, checkout, { invoiceId: id, returnUrl, now: later });
    const checkouts = await listCheckouts(api.db, id);
    expect(checkouts.map((c) => c.idempotency_key)).toEqual([
      `billwright/${id}/checkout/${due}/1`,
      `billwright/${id}/checkout/${due}/2`,
    ]);
    expect(checkouts[1]!.expires_at.getTime()).toBeGreaterThan(checkouts[0]!.expires_at.getTime());
  });

  it('answers 503 when Stripe does not answer; the retry opens the same checkout', async () => {
    const { id, due } = await invoice(3300);
    failNext = 1;
    const down = await pay(payUrl(id));
    expect(down.statusCode).toBe(503);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retried = await pay(payUrl(id));
    expect(retried.statusCode, retried.body).toBe(303);
    const [checkout, ...others] = await listCheckouts(api.db, id);
    expect(others).toEqual([]);
    expect(checkout!.session_url).toBe(retried.headers.location);
    const sent = sessionsOpened().filter((r) => r.form['metadata[invoice_id]'] === id);
    expect(sent.map((r) => r.idempotencyKey)).toEqual([`billwright/${id}/checkout/${due}/1`]);
  });
});

describe('without STRIPE_SECRET_KEY', () => {
  it('has no pay route and no button', async () => {
    const plain = await createApiHarness({ signingSecret: SECRET });
    try {
      const draft = await createDraftInvoice(plain.db, {
        customerId: await postCustomer(plain, { name: 'P', email: 'p@acme.test' }),
        currency: 'EUR',
        lines: [{ description: 'W', quantity: '1', unitAmount: '100', amount: 100 }],
      });
      expect((await plain.app.inject({ method: 'POST', url: payUrl(draft.id) })).statusCode).toBe(
        404,
      );
      const openapi = await plain.app.inject({ method: 'GET', url: '/docs/json' });
      expect(openapi.body).not.toContain('/hosted/invoices/{id}/pay');
      expect(plain.app.paymentCheckout).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('the banner', () => {
  const open = {
    id: 'inv_banner',
    status: 'open',
    currency: 'EUR',
    total: 5831,
    amount_due: 5831,
    due_at: new Date('2027-03-15T12:00:00Z'),
  } as Invoice;
  const facts = (locale: string, online?: Parameters<typeof hostedBanner>[0]['online']) =>
    hostedBanner({
      invoice: open,
      locale,
      timezone: 'Europe/Berlin',
      paymentInstructions: undefined,
      contactEmail: 'billing@seller.test',
      pdfHref: 'inv_banner/pdf',
      online,
    });
  const online = {
    payHref: 'inv_banner/pay?expires=1&signature=s',
    amountDue: 5831,
    currency: 'EUR',
    failed: { amount: 5831, currency: 'EUR', at: new Date('2027-03-10T10:00:00Z') },
  };

  it('shows the button and the failed attempt in the customer’s language', () => {
    const html = facts('de-DE', online);
    expect(html).toContain('action="inv_banner/pay?expires=1&amp;signature=s"');
    // Intl separates the amount from its symbol with a no-break space.
    expect(html).toMatch(/>58,31\s€ online bezahlen<\/button>/);
    expect(html).toMatch(
      /Ihre Online-Zahlung über 58,31\s€ vom 10\. März 2027 ist nicht durchgegangen/,
    );
    expect(facts('fr-FR', { ...online, failed: undefined })).toMatch(/Payer 58,31\s€ en ligne/);
  });

  it('shows no button without online payment', () => {
    expect(facts('en-GB')).not.toContain('bw-pay');
  });
});
