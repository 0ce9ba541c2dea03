// The Stripe Checkout adapter with the real `stripe` SDK against stripe-mock (Stripe's own API
// stand-in): the session it asks for (amount due in minor units, currency, the invoice in the
// metadata of the session and of its PaymentIntent, the return URL, the customer's language),
// the idempotency key on every try, and a provider that does not answer as a CheckoutError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutError, type CheckoutRequest } from '../../payments/provider.ts';
import { createStripeCheckout } from '../../payments/stripe-checkout.ts';
import { startStripeMock, type StripeMock } from '../support/stripe-mock.ts';

let mock: StripeMock;
beforeAll(async () => {
  mock = await startStripeMock();
});
afterAll(async () => {
  await mock?.stop();
});

const request = (overrides: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  invoiceId: 'inv_checkout',
  description: 'Invoice INV-2027-000042',
  amountDue: 123_456,
  currency: 'EUR',
  idempotencyKey: 'billwright/inv_checkout/checkout/123456/1',
  returnUrl: 'https://billing.example.com/hosted/invoices/inv_checkout?expires=1&signature=s',
  expiresAt: new Date('2027-03-01T12:00:00Z'),
  customerEmail: 'ap@acme.example',
  locale: 'de-DE',
  ...overrides,
});

describe('createStripeCheckout', () => {
  it('opens a Checkout Session for the amount due, naming the invoice twice', async () => {
    const checkout = createStripeCheckout({ secretKey: 'sk_test_checkout', apiBase: mock.url });
    const session = await checkout.open(request());
    expect(session.id).toMatch(/^cs_/);
    expect(new URL(session.url).origin).toBe('https://checkout.stripe.com');
    expect(checkout.origins).toContain('https://checkout.stripe.com');

    const sent = mock.requests.at(-1)!;
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v1/checkout/sessions',
      idempotencyKey: 'billwright/inv_checkout/checkout/123456/1',
      status: 200,
    });
    expect(sent.form).toEqual({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '123456',
      'line_items[0][price_data][product_data][name]': 'Invoice INV-2027-000042',
      client_reference_id: 'inv_checkout',
      'metadata[invoice_id]': 'inv_checkout',
      'payment_intent_data[metadata][invoice_id]': 'inv_checkout',
      'payment_intent_data[description]': 'Invoice INV-2027-000042',
      customer_email: 'ap@acme.example',
      locale: 'de',
      expires_at: String(Date.parse('2027-03-01T12:00:00Z') / 1000),
      success_url: request().returnUrl,
      cancel_url: request().returnUrl,
    });
  });

  it('sends zero-decimal amounts as they are, and an unknown language as auto', async () => {
    const checkout = createStripeCheckout({ secretKey: 'sk_test_checkout', apiBase: mock.url });
    await checkout.open(
      request({ amountDue: 4900, currency: 'JPY', locale: 'ja-JP', customerEmail: undefined }),
    );
    const sent = mock.requests.at(-1)!;
    expect(sent.form).toMatchObject({
      'line_items[0][price_data][currency]': 'jpy',
      'line_items[0][price_data][unit_amount]': '4900',
      locale: 'auto',
    });
    expect(sent.form).not.toHaveProperty('customer_email');
  });

  it('sends the same idempotency key for the same checkout, and another for another', async () => {
    const checkout = createStripeCheckout({ secretKey: 'sk_test_checkout', apiBase: mock.url });
    const before = mock.requests.length;
    await Promise.all([checkout.open(request()), checkout.open(request())]);
    await checkout.open(request({ idempotencyKey: 'billwright/inv_checkout/checkout/100/1' }));
    expect(mock.requests.slice(before).map((r) => r.idempotencyKey)).toEqual([
      'billwright/inv_checkout/checkout/123456/1',
      'billwright/inv_checkout/checkout/123456/1',
      'billwright/inv_checkout/checkout/100/1',
    ]);
  });

  it('answers CheckoutError when Stripe is not reachable', async () => {
    const checkout = createStripeCheckout({
      secretKey: 'sk_test_checkout',
      apiBase: 'http://127.0.0.1:1',
    });
    await expect(checkout.open(request())).rejects.toBeInstanceOf(CheckoutError);
  });

  it('answers CheckoutError when Stripe refuses the request, saying why', async () => {
    const checkout = createStripeCheckout({ secretKey: 'sk_test_checkout', apiBase: mock.url });
    // stripe-mock checks every request against Stripe's OpenAPI, as Stripe does.
    const refused = checkout.open(request({ expiresAt: new Date(Number.NaN) }));
    await expect(refused).rejects.toBeInstanceOf(CheckoutError);
    await expect(refused).rejects.toThrow(/expires_at/);
    expect(mock.requests.at(-1)!.status).toBe(400);
  });
});
