// STRIPE_SECRET_KEY and STRIPE_API_BASE: online payment through Stripe Checkout. Unset key: no
// "Pay online" (the hosted page shows the payment instructions alone).
import type { StripeCheckoutOptions } from '../payments/stripe-checkout.ts';

export function stripeCheckoutFromEnv(env: NodeJS.ProcessEnv): StripeCheckoutOptions | undefined {
  const secretKey = env.STRIPE_SECRET_KEY?.trim();
  if (!secretKey) return undefined;
  const apiBase = env.STRIPE_API_BASE?.trim() || undefined;
  if (apiBase) {
    let url: URL;
    try {
      url = new URL(apiBase);
    } catch {
      throw new Error(`STRIPE_API_BASE must be a URL (http://127.0.0.1:12111), got "${apiBase}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`STRIPE_API_BASE must be an http or https URL, got "${apiBase}"`);
    }
  }
  return { secretKey, apiBase };
}
