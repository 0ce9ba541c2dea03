// A finalized invoice's or credit note's e-invoice, in the format its customer receives
// (docs/E-INVOICES.md): generated on the first request (or by its email) and stored, then
// served as stored. Factur-X is the document's PDF with its XML inside, so it is made from the
// stored PDF (printed first when it is not yet).
import type { Db } from '../db/connect.ts';
import type { StoredEInvoice } from '../db/database.ts';
import { customerDocumentHtml } from '../activities/customer-documents.ts';
import { eInvoiceOf, type EInvoiceDocumentRef } from '../activities/e-invoices.ts';
import type { DocumentPdfSource, DocumentSettings } from './customer-documents.ts';
import type { PdfSource } from './invoice-documents.ts';
import { Refused } from './refused.ts';

/** Where Factur-X's PDF comes from: the API's stored (or printed) PDFs. */
export type EInvoicePdfs = PdfSource & DocumentPdfSource;

const NAMES = { invoice: 'Invoice', credit_note: 'Credit note' } as const;

/** The document's e-invoice as stored; refused when it has none, saying why. */
export async function documentEInvoice(
  db: Db,
  settings: DocumentSettings,
  pdfs: EInvoicePdfs,
  ref: EInvoiceDocumentRef,
): Promise<StoredEInvoice> {
  const name = `${NAMES[ref.kind]} ${ref.id}`;
  const printedPdf = async () => {
    if (ref.kind === 'invoice') return (await pdfs.forInvoice(ref.id))?.pdf;
    const documentRef = { kind: 'credit_note', subjectId: ref.id } as const;
    // A credit note's document is rendered on first use: its PDF is printed from it.
    await customerDocumentHtml({ db, ...settings }, documentRef);
    return (await pdfs.forDocument(documentRef))?.pdf;
  };
  const found = await eInvoiceOf(db, settings, ref, printedPdf);
  switch (found) {
    case 'not_found':
      throw new Refused('not_found', `${name} does not exist.`);
    case 'draft':
      throw new Refused('conflict', `${name} is a draft: e-invoices are issued once it is final.`);
    case 'none':
      throw new Refused(
        'conflict',
        `${name}'s customer receives no e-invoice (eInvoiceFormat is none): set one on the customer.`,
      );
    case 'tax_inclusive':
      throw new Refused(
        'conflict',
        `${name} is priced tax-inclusive: EN 16931 e-invoices state net amounts, and Billwright ` +
          'issues them for tax-exclusive invoices only.',
      );
    case 'no_pdf':
      throw new Refused(
        'conflict',
        `${name} has not been rendered yet: its Factur-X is made from its PDF.`,
      );
    default:
      return found;
  }
}
