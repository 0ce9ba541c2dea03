// Online payment of an invoice: open (or find again) the provider's checkout for the amount due
// and send the customer there; record what providers report as failed, so the customer's page
// and the operator's webhooks say so. Payments themselves go through services/payments.ts.
import type { Db } from '../db/connect.ts';
import type { PaymentFailure } from '../db/database.ts';
import { InvoiceNotFoundError } from '../db/repositories/invoice-errors.ts';
import {
  claimCheckout,
  latestPaymentFailure,
  NothingDueError,
  recordPaymentFailure,
  saveCheckoutSession,
  type NewPaymentFailure,
} from '../db/repositories/online-payments.ts';
import {
  CheckoutError,
  type PaymentCheckout,
  type ProviderPaymentFailure,
} from '../payments/provider.ts';
import { Refused } from './refused.ts';

/** How long a checkout stays open at the provider: within Stripe's 24 hours and its key's. */
export const CHECKOUT_LIFETIME_MS = 23 * 3_600_000;

/**
 * The provider's checkout URL for the invoice's amount due: the open checkout for that amount if
 * there is one, else a new one returning to `returnUrl`. Refused: not_found, conflict (nothing
 * due), unavailable (the provider did not answer; the same request again is safe).
 */
export async function openCheckout(
  db: Db,
  checkout: PaymentCheckout,
  input: { invoiceId: string; returnUrl: string; now?: Date },
): Promise<string> {
  let claim;
  try {
    claim = await claimCheckout(db, {
      invoiceId: input.invoiceId,
      provider: checkout.provider,
      returnUrl: input.returnUrl,
      now: input.now ?? new Date(),
      lifetimeMs: CHECKOUT_LIFETIME_MS,
    });
  } catch (error) {
    if (error instanceof InvoiceNotFoundError) throw new Refused('not_found', error.message);
    if (error instanceof NothingDueError) throw new Refused('conflict', error.message);
    throw error;
  }
  const { checkout: row, invoice, customer } = claim;
  if (row.session_url) return row.session_url;
  let session;
  try {
    // Everything sent comes from the claimed row, so a repeat sends the same request.
    session = await checkout.open({
      invoiceId: invoice.id,
      description: `Invoice ${invoice.number ?? invoice.id}`,
      amountDue: row.amount_due,
      currency: row.currency,
      idempotencyKey: row.idempotency_key,
      returnUrl: row.return_url,
      expiresAt: row.expires_at,
      customerEmail: customer.email || undefined,
      locale: customer.locale,
    });
  } catch (error) {
    if (error instanceof CheckoutError) {
      throw new Refused('unavailable', 'The payment provider is not reachable; try again.', {
        cause: error,
      });
    }
    throw error;
  }
  const saved = await saveCheckoutSession(db, row.id, session);
  return saved.session_url ?? session.url;
}

/**
 * Records a provider's failed attempt (nothing paid) with its payment.failed event, once per
 * provider event. Undefined when the invoice it names does not exist (acknowledged, ignored).
 */
export async function receivePaymentFailure(
  db: Db,
  failure: ProviderPaymentFailure & { source: string; eventId: string },
): Promise<PaymentFailure | undefined> {
  const input: NewPaymentFailure = failure;
  return (await recordPaymentFailure(db, input))?.failure;
}

/** The invoice's latest failed online attempt, for the customer's page. */
export async function lastFailedAttempt(
  db: Db,
  invoiceId: string,
): Promise<PaymentFailure | undefined> {
  return latestPaymentFailure(db, invoiceId);
}
