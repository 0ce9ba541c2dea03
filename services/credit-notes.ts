// Crediting an invoice and reading its credit notes. A credit note is shown with its invoice's
// lines, which its own lines name; refusals are thrown as Refused. Issuing one tells the
// invoice's collection, which emails it (as it does a void's).
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
import { creditNotesIssued } from '../observability/metrics.ts';
import { tellCollection } from './collections.ts';
import type { ServiceDependencies } from './dependencies.ts';
import { refusingAsInvoice } from './invoice-refusals.ts';
import { Refused } from './refused.ts';

/** A credit note with the lines of the invoice it credits. */
export interface CreditNoteOfInvoice {
  note: CreditNoteWithLines;
  invoiceLines: InvoiceLine[];
}

/**
 * Issues a credit note against a finalized invoice (never more than it has left to credit), then
 * tells its collection, which emails it. The note stands even when Temporal cannot be told (a
 * retry would issue a second one): `told` false, and the collection emails it when next told.
 */
export async function creditInvoice(
  deps: ServiceDependencies,
  invoiceId: string,
  request: CreditNoteRequest,
): Promise<CreditNoteOfInvoice & { told: boolean }> {
  const note = await refusingAsInvoice(() => issueCreditNote(deps.db, invoiceId, request));
  creditNotesIssued.inc({ origin: 'api', currency: note.creditNote.currency });
  const told = await tellCollection(deps, invoiceId, 'credit_note', 'The credit note is issued')
    .then(() => true)
    .catch((error: unknown) => {
      if (error instanceof Refused && error.kind === 'unavailable') return false;
      throw error;
    });
  return { note, invoiceLines: await getInvoiceLines(deps.db, invoiceId), told };
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
