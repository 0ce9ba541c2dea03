// Stripe Checkout as the PaymentCheckout: a Checkout Session in payment mode for the invoice's
// amount due, through Stripe's own SDK (`stripe`). The session and its PaymentIntent both carry
// `metadata.invoice_id`, so whichever webhook arrives (checkout.session.completed,
// payment_intent.succeeded or payment_intent.payment_failed) names the invoice; the request
// carries the checkout's idempotency key, so a retried or doubled request opens one session.
import Stripe from 'stripe';
import {
  CheckoutError,
  type CheckoutRequest,
  type CheckoutSession,
  type PaymentCheckout,
} from './provider.ts';

export interface StripeCheckoutOptions {
  /** STRIPE_SECRET_KEY (sk_live_… or sk_test_…). */
  secretKey: string;
  /** STRIPE_API_BASE: another API host (stripe-mock in tests), e.g. http://127.0.0.1:12111. */
  apiBase?: string | undefined;
}

/** The languages Stripe Checkout speaks of ours; others get Stripe's own choice ("auto"). */
const CHECKOUT_LOCALES = new Set(['de', 'en', 'es', 'fr', 'it', 'nl']);

export function createStripeCheckout(options: StripeCheckoutOptions): PaymentCheckout {
  const stripe = new Stripe(options.secretKey, {
    ...hostOf(options.apiBase),
    // The SDK retries network failures itself, with the same idempotency key.
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'Billwright' },
  });
  return {
    provider: 'stripe',
    origins: ['https://checkout.stripe.com'],
    async open(request: CheckoutRequest): Promise<CheckoutSession> {
      const language = request.locale.toLowerCase().split('-')[0] ?? '';
      const metadata = { invoice_id: request.invoiceId };
      let session: Stripe.Checkout.Session;
      try {
        session = await stripe.checkout.sessions.create(
          {
            mode: 'payment',
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: request.currency.toLowerCase(),
                  unit_amount: request.amountDue,
                  product_data: { name: request.description },
                },
              },
            ],
            client_reference_id: request.invoiceId,
            metadata,
            payment_intent_data: { metadata, description: request.description },
            ...(request.customerEmail ? { customer_email: request.customerEmail } : {}),
            locale: CHECKOUT_LOCALES.has(language) ? language : 'auto',
            expires_at: Math.floor(request.expiresAt.getTime() / 1000),
            success_url: request.returnUrl,
            cancel_url: request.returnUrl,
          },
          { idempotencyKey: request.idempotencyKey },
        );
      } catch (error) {
        throw new CheckoutError(
          `Stripe did not open a checkout: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if (!session.url) throw new CheckoutError(`Stripe's session ${session.id} has no URL`);
      return { id: session.id, url: session.url };
    },
  };
}

/** The SDK's host, port and protocol for an API base URL (none: Stripe's own API). */
function hostOf(apiBase: string | undefined): Partial<Stripe.StripeConfig> {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname,
    protocol,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
  };
}
