// Stripe as a payment provider: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
// "<t>.<raw body>" with the endpoint's signing secret (whsec_…), checked in constant time and
// within a replay tolerance, as Stripe documents it. A `payment_intent.succeeded` whose metadata
// names a Billwright invoice (`invoice_id`) records a payment; other events are acknowledged.
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  WebhookSignatureError,
  type PaymentProvider,
  type ProviderPayment,
  type WebhookRequest,
} from './provider.ts';

/** Stripe's own default: events signed more than five minutes ago are refused. */
export const STRIPE_TOLERANCE_SECONDS = 300;

export function stripeSignature(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

interface StripeEvent {
  id?: unknown;
  type?: unknown;
  data?: { object?: Record<string, unknown> };
}

export function createStripeProvider(secret: string): PaymentProvider {
  function verify({ rawBody, headers, now }: WebhookRequest): void {
    const header = headers['stripe-signature'];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) throw new WebhookSignatureError('Stripe-Signature header missing');
    const parts = value.split(',').map((p) => p.trim().split('='));
    const timestamp = Number(parts.find(([k]) => k === 't')?.[1]);
    const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
    if (!Number.isInteger(timestamp) || signatures.length === 0) {
      throw new WebhookSignatureError('Stripe-Signature must carry t=… and v1=…');
    }
    if (Math.abs(now - timestamp) > STRIPE_TOLERANCE_SECONDS) {
      throw new WebhookSignatureError('Stripe-Signature timestamp outside the tolerance');
    }
    const expected = Buffer.from(stripeSignature(secret, timestamp, rawBody), 'hex');
    const ok = signatures.some((s) => {
      const given = Buffer.from(s, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!ok) throw new WebhookSignatureError('Stripe-Signature does not match the body');
  }

  return {
    name: 'stripe',
    paymentOf(request) {
      verify(request);
      let event: StripeEvent;
      try {
        event = JSON.parse(request.rawBody) as StripeEvent;
      } catch {
        throw new WebhookSignatureError('the body is not JSON');
      }
      const eventId = typeof event.id === 'string' ? event.id : '';
      const object = event.data?.object;
      if (event.type !== 'payment_intent.succeeded' || !object) return { eventId, payment: null };
      const metadata = (object.metadata ?? {}) as Record<string, unknown>;
      const invoiceId = metadata.invoice_id;
      const amount = object.amount_received;
      if (
        typeof invoiceId !== 'string' ||
        typeof object.id !== 'string' ||
        typeof amount !== 'number' ||
        typeof object.currency !== 'string'
      ) {
        return { eventId, payment: null };
      }
      const types = Array.isArray(object.payment_method_types) ? object.payment_method_types : [];
      const created = typeof object.created === 'number' ? object.created : request.now;
      const payment: ProviderPayment = {
        invoiceId,
        amount,
        currency: object.currency.toUpperCase(),
        reference: object.id,
        method: typeof types[0] === 'string' ? types[0] : 'card',
        paidAt: new Date(created * 1000).toISOString(),
      };
      return { eventId, payment };
    },
  };
}
