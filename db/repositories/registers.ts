// The registers' reads: finalized invoices, credit notes and payments in a window of instants,
// with their customer's name and the time zone their dates are written in. The caller narrows
// the window to calendar dates in that zone (a zone is at most 14 hours from UTC, so a window a
// day wider on each side holds every row of the dates asked for).
import { sql } from 'kysely';
import type { Db } from '../connect.ts';

/** [from, to): instants. */
export interface InstantWindow {
  from: Date;
  to: Date;
  /** Only this currency; every currency when undefined. */
  currency: string | undefined;
}

/** The zone the documents' dates are written in: the invoice's snapshot, else the customer's. */
export const invoiceZone = sql<string>`coalesce(invoices.customer_details->>'timezone', customers.timezone)`;
/** The customer's name as the invoice states it, else as the customer is called now. */
const invoiceCustomerName = sql<string>`coalesce(invoices.customer_details->>'name', customers.name)`;

export async function invoicesIssuedBetween(db: Db, window: InstantWindow) {
  let query = db
    .selectFrom('invoices')
    .innerJoin('customers', 'customers.id', 'invoices.customer_id')
    .select([
      'invoices.id',
      'invoices.number',
      'invoices.issued_at',
      'invoices.due_at',
      'invoices.customer_id',
      'invoices.subscription_id',
      'invoices.project_id',
      'invoices.status',
      'invoices.currency',
      'invoices.tax_behavior',
      'invoices.period_start',
      'invoices.period_end',
      'invoices.subtotal',
      'invoices.discount_total',
      'invoices.tax',
      'invoices.tax_breakdown',
      'invoices.total',
      'invoices.amount_paid',
      'invoices.amount_credited',
      'invoices.amount_due',
      'invoices.voided_at',
    ])
    .select([invoiceZone.as('timezone'), invoiceCustomerName.as('customer_name')])
    .where('invoices.status', '!=', 'draft')
    .where('invoices.issued_at', '>=', window.from)
    .where('invoices.issued_at', '<', window.to);
  if (window.currency !== undefined) query = query.where('invoices.currency', '=', window.currency);
  return query.execute();
}

export async function creditNotesIssuedBetween(db: Db, window: InstantWindow) {
  let query = db
    .selectFrom('credit_notes')
    .innerJoin('invoices', 'invoices.id', 'credit_notes.invoice_id')
    .innerJoin('customers', 'customers.id', 'credit_notes.customer_id')
    .select([
      'credit_notes.id',
      'credit_notes.number',
      'credit_notes.issued_at',
      'credit_notes.invoice_id',
      'invoices.number as invoice_number',
      'credit_notes.customer_id',
      'credit_notes.reason',
      'credit_notes.memo',
      'credit_notes.currency',
      'credit_notes.subtotal',
      'credit_notes.tax',
      'credit_notes.total',
    ])
    .select([invoiceZone.as('timezone'), invoiceCustomerName.as('customer_name')])
    .where('credit_notes.issued_at', '>=', window.from)
    .where('credit_notes.issued_at', '<', window.to);
  if (window.currency !== undefined) {
    query = query.where('credit_notes.currency', '=', window.currency);
  }
  return query.execute();
}

export async function paymentsReceivedBetween(db: Db, window: InstantWindow) {
  let query = db
    .selectFrom('payments')
    .innerJoin('invoices', 'invoices.id', 'payments.invoice_id')
    .innerJoin('customers', 'customers.id', 'payments.customer_id')
    .select([
      'payments.id',
      'payments.paid_at',
      'payments.invoice_id',
      'invoices.number as invoice_number',
      'payments.customer_id',
      'payments.method',
      'payments.reference',
      'payments.source',
      'payments.currency',
      'payments.amount',
      'payments.applied_amount',
      'payments.overpaid_amount',
    ])
    .select([invoiceZone.as('timezone'), invoiceCustomerName.as('customer_name')])
    .where('payments.paid_at', '>=', window.from)
    .where('payments.paid_at', '<', window.to);
  if (window.currency !== undefined) query = query.where('payments.currency', '=', window.currency);
  return query.execute();
}

export type InvoiceRegisterRow = Awaited<ReturnType<typeof invoicesIssuedBetween>>[number];
export type CreditNoteRegisterRow = Awaited<ReturnType<typeof creditNotesIssuedBetween>>[number];
export type PaymentRegisterRow = Awaited<ReturnType<typeof paymentsReceivedBetween>>[number];
