// What revenue recognition reads: every line of the finalized invoices in a currency (net of
// discount, tax excluded), with its invoice's dates and zone, and what credit notes other than
// a void's took back from each line (net). A void removes its invoice whole, by its date.
import type { Db } from '../connect.ts';
import { invoiceZone } from './registers.ts';

export async function invoicedLines(db: Db, currency: string) {
  return db
    .selectFrom('invoice_lines')
    .innerJoin('invoices', 'invoices.id', 'invoice_lines.invoice_id')
    .innerJoin('customers', 'customers.id', 'invoices.customer_id')
    .select([
      'invoice_lines.id',
      'invoice_lines.invoice_id',
      'invoice_lines.period_start',
      'invoice_lines.period_end',
      'invoices.issued_at',
      'invoices.voided_at',
    ])
    .select((eb) => [
      eb('invoice_lines.total_amount', '-', eb.ref('invoice_lines.tax_amount')).as('net'),
      invoiceZone.as('timezone'),
    ])
    .where('invoices.currency', '=', currency)
    .where('invoices.status', '!=', 'draft')
    .where('invoices.issued_at', 'is not', null)
    .orderBy('invoices.issued_at')
    .orderBy('invoice_lines.invoice_id')
    .orderBy('invoice_lines.position')
    .execute();
}

export async function lineCredits(db: Db, currency: string) {
  return db
    .selectFrom('credit_note_lines')
    .innerJoin('credit_notes', 'credit_notes.id', 'credit_note_lines.credit_note_id')
    .select([
      'credit_note_lines.invoice_line_id',
      'credit_notes.issued_at',
      'credit_notes.invoice_id',
    ])
    .select((eb) =>
      eb('credit_note_lines.amount', '-', eb.ref('credit_note_lines.tax_amount')).as('net'),
    )
    .where('credit_notes.currency', '=', currency)
    .where('credit_notes.reason', '!=', 'void')
    .execute();
}

export type InvoicedLineRow = Awaited<ReturnType<typeof invoicedLines>>[number];
export type LineCreditRow = Awaited<ReturnType<typeof lineCredits>>[number];
