// The payment-provider port: a provider's webhook, verified by its signature, becomes payments
// against invoices. The manual API is one source of payments; each provider is another, and all
// of them go through the same idempotent recordPayment (by the provider's reference).

/** A payment a provider reports, in the terms recordPayment takes. */
export interface ProviderPayment {
  invoiceId: string;
  /** Minor units. */
  amount: number;
  currency: string;
  /** The provider's id for the payment (e.g. a Stripe PaymentIntent id): the reference. */
  reference: string;
  method: string;
  paidAt: string;
}

export interface WebhookRequest {
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
  /** Seconds since the epoch, for the replay tolerance. */
  now: number;
}

export interface PaymentProvider {
  /** The path segment and the payments' source: "stripe". */
  readonly name: string;
  /**
   * Checks the signature and reads the event: a payment, or null for an event that records
   * none (acknowledged and ignored). Throws WebhookSignatureError when the signature fails.
   */
  paymentOf(request: WebhookRequest): { eventId: string; payment: ProviderPayment | null };
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}
