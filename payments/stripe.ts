// Stripe as a payment provider: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
// "<t>.<raw body>" with the endpoint's signing secret (whsec_…), checked in constant time and
// within a replay tolerance, as Stripe documents it. A `payment_intent.succeeded` or a paid
// `checkout.session.completed` whose metadata names a Billwright invoice (`invoice_id`) records a
// payment, a `payment_intent.payment_failed` a failed attempt; other events are acknowledged.
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  WebhookSignatureError,
  type PaymentProvider,
  type ProviderEvent,
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
  created?: unknown;
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
    eventOf(request) {
      verify(request);
      let event: StripeEvent;
      try {
        event = JSON.parse(request.rawBody) as StripeEvent;
      } catch {
        throw new WebhookSignatureError('the body is not JSON');
      }
      const eventId = typeof event.id === 'string' ? event.id : '';
      const object = event.data?.object;
      const read = object && typeof event.type === 'string' ? readers[event.type] : undefined;
      const at = typeof event.created === 'number' ? event.created : request.now;
      return { eventId, payment: null, failure: null, ...read?.(object!, at) };
    },
  };
}

type Reader = (
  object: Record<string, unknown>,
  now: number,
) => Partial<Pick<ProviderEvent, 'payment' | 'failure'>>;

/** The events that mean something here, each read from its object. */
const readers: Record<string, Reader> = {
  'payment_intent.succeeded': (intent, now) => {
    const facts = intentFacts(intent, intent.amount_received);
    if (!facts) return {};
    const types = Array.isArray(intent.payment_method_types) ? intent.payment_method_types : [];
    return {
      payment: {
        ...facts,
        method: typeof types[0] === 'string' ? types[0] : 'card',
        paidAt: instant(intent.created, now),
      },
    };
  },
  // A Checkout Session paid at once (card): the payment is its PaymentIntent, the same reference
  // payment_intent.succeeded carries, so receiving both records one payment. A delayed method
  // (a bank debit) completes unpaid and pays with async_payment_succeeded.
  'checkout.session.completed': (session, now) => checkoutPayment(session, now),
  'checkout.session.async_payment_succeeded': (session, now) => checkoutPayment(session, now),
  'payment_intent.payment_failed': (intent, now) => {
    const facts = intentFacts(intent, intent.amount);
    if (!facts) return {};
    const error = (intent.last_payment_error ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' && value ? value : null);
    return {
      failure: {
        ...facts,
        code: text(error.decline_code) ?? text(error.code),
        message: text(error.message),
        failedAt: new Date(now * 1000).toISOString(),
      },
    };
  },
};

/** A PaymentIntent's invoice (metadata.invoice_id), amount, currency and id, when all are there. */
function intentFacts(intent: Record<string, unknown>, amount: unknown) {
  const invoiceId = metadataInvoice(intent);
  if (!invoiceId || typeof intent.id !== 'string' || typeof amount !== 'number') return undefined;
  if (typeof intent.currency !== 'string') return undefined;
  return { invoiceId, amount, currency: intent.currency.toUpperCase(), reference: intent.id };
}

function checkoutPayment(session: Record<string, unknown>, now: number) {
  const invoiceId = metadataInvoice(session);
  const amount = session.amount_total;
  if (!invoiceId || session.payment_status !== 'paid' || typeof amount !== 'number') return {};
  if (typeof session.currency !== 'string' || typeof session.id !== 'string') return {};
  const intent = session.payment_intent;
  const reference =
    typeof intent === 'string'
      ? intent
      : typeof (intent as { id?: unknown } | null)?.id === 'string'
        ? (intent as { id: string }).id
        : session.id;
  const payment: ProviderPayment = {
    invoiceId,
    amount,
    currency: session.currency.toUpperCase(),
    reference,
    method: 'card',
    paidAt: instant(session.created, now),
  };
  return { payment };
}

function metadataInvoice(object: Record<string, unknown>): string | undefined {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  return typeof metadata.invoice_id === 'string' ? metadata.invoice_id : undefined;
}

function instant(seconds: unknown, now: number): string {
  return new Date((typeof seconds === 'number' ? seconds : now) * 1000).toISOString();
}
