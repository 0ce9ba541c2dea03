// A credit note's and a payment receipt's documents as the API serves them: the HTML rendered on
// first use (by its email or by the first request) and stored, then served as stored; the PDF
// printed once from that HTML. A document that cannot exist is refused as not found.
import type { Db } from '../db/connect.ts';
import type { CustomerDocumentRef } from '../db/repositories/customer-documents.ts';
import type { StoredPdf } from '../db/repositories/invoice-documents.ts';
import {
  customerDocumentHtml,
  type CustomerDocumentDependencies,
} from '../activities/customer-documents.ts';
import { Refused } from './refused.ts';

/** What renders the documents: the renderer and today's seller and brand (for drafts). */
export type DocumentSettings = Omit<CustomerDocumentDependencies, 'db' | 'pdf'>;

/** Where stored PDFs come from: printed from the stored HTML on first request (the API's). */
export interface DocumentPdfSource {
  forDocument(ref: CustomerDocumentRef): Promise<StoredPdf | undefined>;
}

function missing(ref: CustomerDocumentRef): Refused {
  return new Refused(
    'not_found',
    ref.kind === 'credit_note'
      ? `Credit note ${ref.subjectId} does not exist.`
      : `Payment ${ref.subjectId} does not exist.`,
  );
}

/** The document's stored HTML (rendered and stored on first use). */
export async function customerDocument(
  db: Db,
  settings: DocumentSettings,
  ref: CustomerDocumentRef,
): Promise<{ content: string; contentHash: string }> {
  const html = await customerDocumentHtml({ db, ...settings }, ref);
  if (!html) throw missing(ref);
  return html;
}

/** The document's stored PDF and the file name it goes by. */
export async function customerDocumentPdf(
  db: Db,
  settings: DocumentSettings,
  pdfs: DocumentPdfSource,
  ref: CustomerDocumentRef,
): Promise<{ stored: StoredPdf; filename: string }> {
  await customerDocument(db, settings, ref);
  const stored = await pdfs.forDocument(ref);
  if (!stored) throw missing(ref);
  return { stored, filename: await filenameOf(db, ref) };
}

async function filenameOf(db: Db, ref: CustomerDocumentRef): Promise<string> {
  if (ref.kind === 'receipt') return `receipt-${ref.subjectId}`;
  const note = await db
    .selectFrom('credit_notes')
    .select('number')
    .where('id', '=', ref.subjectId)
    .executeTakeFirst();
  return note?.number ?? ref.subjectId;
}
