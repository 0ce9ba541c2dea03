// The payment-provider port: a provider's webhook, verified by its signature, becomes payments
// against invoices (or failed attempts, which record nothing paid). The manual API is one source
// of payments; each provider is another, and all of them go through the same idempotent
// recordPayment (by the provider's reference). A provider may also take payments online: its
// PaymentCheckout opens a hosted checkout for an invoice's amount due.

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

/** A failed attempt a provider reports: nothing is paid; the customer may try again. */
export interface ProviderPaymentFailure {
  invoiceId: string;
  /** Minor units: what the attempt tried to take. */
  amount: number;
  currency: string;
  /** The provider's id for the payment (a Stripe PaymentIntent id). */
  reference: string;
  /** The provider's decline code and message, for the operator. */
  code: string | null;
  message: string | null;
  failedAt: string;
}

/** What a provider's event means here: a payment, a failed attempt, or nothing. */
export interface ProviderEvent {
  eventId: string;
  payment: ProviderPayment | null;
  failure: ProviderPaymentFailure | null;
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
   * Checks the signature and reads the event: a payment, a failed attempt, or neither for an
   * event that records nothing (acknowledged and ignored). Throws WebhookSignatureError when the
   * signature fails.
   */
  eventOf(request: WebhookRequest): ProviderEvent;
}

/** What a checkout is opened for: one invoice's amount due, in its currency. */
export interface CheckoutRequest {
  invoiceId: string;
  /** Shown to the customer at the provider: "Invoice INV-2027-000001". */
  description: string;
  /** Minor units (ISO 4217 exponent of `currency`). */
  amountDue: number;
  currency: string;
  /** The same for every request meant to open this one checkout (a double click opens one). */
  idempotencyKey: string;
  /** Where the provider sends the customer back, paid or not: the invoice's hosted page. */
  returnUrl: string;
  expiresAt: Date;
  customerEmail: string | undefined;
  /** The customer's language (BCP 47), for the provider's page. */
  locale: string;
}

/** A checkout opened at the provider: where to send the customer. */
export interface CheckoutSession {
  id: string;
  url: string;
}

/** Online payment through a provider's hosted checkout. */
export interface PaymentCheckout {
  /** The provider's name, as its webhooks' payments carry it: "stripe". */
  readonly provider: string;
  /** Origins the customer is sent to (the hosted page's form-action allows them). */
  readonly origins: readonly string[];
  open(request: CheckoutRequest): Promise<CheckoutSession>;
}

/** The provider could not open a checkout (unreachable, or it refused): try again later. */
export class CheckoutError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckoutError';
  }
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}
