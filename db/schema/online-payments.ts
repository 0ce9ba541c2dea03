// Online payment: checkout sessions opened at a provider, and failed attempts it reported.
import type { Selectable } from 'kysely';
import type { CreatedAt, Timestamp } from './columns.ts';

export interface PaymentCheckoutsTable {
  id: string;
  invoice_id: string;
  /** The provider's name: "stripe". */
  provider: string;
  /** Minor units: the invoice's amount due when the checkout was opened. */
  amount_due: number;
  currency: string;
  /** 1, then one more each time an expired checkout for the same amount is replaced. */
  generation: number;
  /** Sent to the provider with every request that opens this checkout. */
  idempotency_key: string;
  /** Where the provider sends the customer back: the invoice's hosted page. */
  return_url: string;
  /** Asked of the provider: after this, a new checkout (next generation) is opened. */
  expires_at: Timestamp;
  /** The provider's session, once it answered. */
  session_id: string | null;
  session_url: string | null;
  created_at: CreatedAt;
}

export interface PaymentFailuresTable {
  id: string;
  invoice_id: string;
  customer_id: string;
  /** The provider's name: "stripe". */
  source: string;
  /** The provider's event: a replay of it records nothing. */
  event_id: string;
  /** The provider's payment (a Stripe PaymentIntent id). */
  reference: string;
  amount: number;
  currency: string;
  /** The provider's decline code and message, for the operator (never shown to the customer). */
  code: string | null;
  message: string | null;
  failed_at: Timestamp;
  created_at: CreatedAt;
}

export type PaymentCheckout = Selectable<PaymentCheckoutsTable>;
export type PaymentFailure = Selectable<PaymentFailuresTable>;
