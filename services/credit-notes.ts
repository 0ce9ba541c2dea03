// Crediting an invoice and reading its credit notes. A credit note is shown with its invoice's
// lines, which its own lines name; refusals are thrown as Refused.
import type { Db } from '../db/connect.ts';
import type { InvoiceLine } from '../db/database.ts';
import {
  getCreditNote,
  issueCreditNote,
  listCreditNotes,
  type CreditNoteRequest,
  type CreditNoteWithLines,
} from '../db/repositories/credit-notes.ts';
import { getInvoiceLines, requireInvoice } from '../db/repositories/invoices.ts';
import { refusingAsInvoice } from './invoice-refusals.ts';
import { Refused } from './refused.ts';

/** A credit note with the lines of the invoice it credits. */
export interface CreditNoteOfInvoice {
  note: CreditNoteWithLines;
  invoiceLines: InvoiceLine[];
}

/** Issues a credit note against a finalized invoice; never more than it has left to credit. */
export async function creditInvoice(
  db: Db,
  invoiceId: string,
  request: CreditNoteRequest,
): Promise<CreditNoteOfInvoice> {
  const note = await refusingAsInvoice(() => issueCreditNote(db, invoiceId, request));
  return { note, invoiceLines: await getInvoiceLines(db, invoiceId) };
}

/** The invoice's credit notes in issue order, with its lines. */
export async function invoiceCreditNotes(db: Db, invoiceId: string) {
  const invoice = await refusingAsInvoice(() => requireInvoice(db, invoiceId));
  const [notes, invoiceLines] = await Promise.all([
    listCreditNotes(db, invoice.id),
    getInvoiceLines(db, invoice.id),
  ]);
  return { notes, invoiceLines };
}

export async function creditNoteOfInvoice(db: Db, id: string): Promise<CreditNoteOfInvoice> {
  const note = await getCreditNote(db, id);
  if (!note) throw new Refused('not_found', `Credit note ${id} does not exist.`);
  return { note, invoiceLines: await getInvoiceLines(db, note.creditNote.invoice_id) };
}
