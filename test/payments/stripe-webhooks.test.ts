// What each Stripe event means here (payments/stripe.ts, eventOf): the events online payment
// sends, read from their objects, and the ones that record nothing.
import { describe, expect, it } from 'vitest';
import { createStripeProvider, stripeSignature } from '../../payments/stripe.ts';

const SECRET = 'whsec_reader';
const provider = createStripeProvider(SECRET);
const NOW = 1_800_000_000;

function read(type: string, object: Record<string, unknown>) {
  const rawBody = JSON.stringify({ id: `evt_${type}`, type, created: NOW, data: { object } });
  return provider.eventOf({
    rawBody,
    headers: { 'stripe-signature': `t=${NOW},v1=${stripeSignature(SECRET, NOW, rawBody)}` },
    now: NOW,
  });
}

const session = {
  id: 'cs_test_1',
  object: 'checkout.session',
  amount_total: 5831,
  currency: 'eur',
  payment_intent: 'pi_1',
  payment_status: 'paid',
  metadata: { invoice_id: 'inv_1' },
  created: NOW - 100,
};

describe('Stripe events', () => {
  it('a paid Checkout Session is a payment referenced by its PaymentIntent', () => {
    expect(read('checkout.session.completed', session)).toEqual({
      eventId: 'evt_checkout.session.completed',
      failure: null,
      payment: {
        invoiceId: 'inv_1',
        amount: 5831,
        currency: 'EUR',
        reference: 'pi_1',
        method: 'card',
        paidAt: new Date((NOW - 100) * 1000).toISOString(),
      },
    });
  });

  it('an unpaid one records nothing until its delayed payment succeeds', () => {
    const unpaid = { ...session, payment_status: 'unpaid' };
    expect(read('checkout.session.completed', unpaid)).toMatchObject({
      payment: null,
      failure: null,
    });
    expect(read('checkout.session.async_payment_succeeded', { ...session }).payment).toMatchObject({
      reference: 'pi_1',
      amount: 5831,
    });
  });

  it('a failed PaymentIntent is a failed attempt with its decline code, dated by the event', () => {
    const failed = read('payment_intent.payment_failed', {
      id: 'pi_1',
      object: 'payment_intent',
      amount: 5831,
      currency: 'eur',
      metadata: { invoice_id: 'inv_1' },
      last_payment_error: { code: 'card_declined', decline_code: 'expired_card', message: 'No.' },
    });
    expect(failed).toEqual({
      eventId: 'evt_payment_intent.payment_failed',
      payment: null,
      failure: {
        invoiceId: 'inv_1',
        amount: 5831,
        currency: 'EUR',
        reference: 'pi_1',
        code: 'expired_card',
        message: 'No.',
        failedAt: new Date(NOW * 1000).toISOString(),
      },
    });
  });

  it('events naming no invoice, and other types, record nothing', () => {
    expect(read('checkout.session.completed', { ...session, metadata: {} })).toMatchObject({
      payment: null,
      failure: null,
    });
    expect(
      read('payment_intent.payment_failed', { id: 'pi_2', amount: 1, currency: 'eur' }),
    ).toMatchObject({ payment: null, failure: null });
    expect(read('charge.refunded', session)).toMatchObject({ payment: null, failure: null });
  });
});
