// Money received against an invoice, from an operator (the API) or a payment provider's webhook:
// recorded once per reference, then the invoice's collection is told (it sends the receipt and
// stops reminding when the invoice is settled). Refusals are thrown as Refused.
import type { Db } from '../db/connect.ts';
import type { Payment } from '../db/database.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import { requireInvoice } from '../db/repositories/invoices.ts';
import {
  creditBalances,
  listPayments,
  recordPayment,
  type NewPayment,
  type RecordedPayment,
} from '../db/repositories/payments.ts';
import { paymentsRecorded } from '../observability/metrics.ts';
import { tellCollection } from './collections.ts';
import type { ServiceDependencies } from './dependencies.ts';
import { refusingAsInvoice } from './invoice-refusals.ts';
import { Refused } from './refused.ts';

/**
 * Records the payment (a repeat of its reference answers the first, `created` false), then tells
 * the invoice's collection: refused as unavailable when Temporal cannot be told, after the
 * payment is stored, so the same request again is safe.
 */
export async function receivePayment(
  deps: ServiceDependencies,
  payment: NewPayment,
): Promise<RecordedPayment> {
  const recorded = await refusingAsInvoice(() => recordPayment(deps.db, payment));
  if (recorded.created) {
    paymentsRecorded.inc({ source: payment.source, currency: recorded.payment.currency });
  }
  // The collection's history names who paid: "payment" from the API, else the provider.
  const reason = payment.source === 'api' ? 'payment' : payment.source;
  await tellCollection(deps, recorded.invoice.id, reason, 'The payment is recorded');
  return recorded;
}

/** The payments recorded against the invoice, oldest first. */
export async function invoicePayments(db: Db, invoiceId: string): Promise<Payment[]> {
  await refusingAsInvoice(() => requireInvoice(db, invoiceId));
  return listPayments(db, invoiceId);
}

/** The customer's unused credit, one balance per currency. */
export async function customerCreditBalances(db: Db, customerId: string) {
  if (!(await getCustomer(db, customerId))) {
    throw new Refused('not_found', `Customer ${customerId} does not exist.`);
  }
  return creditBalances(db, customerId);
}
