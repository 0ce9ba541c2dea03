// Documents about invoices, rendered once and stored once: the stored copy is what the customer
// was sent, so a retry, a replay or a later template change never alters it.
import { createHash } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import {
  getInvoicePdf,
  storeInvoicePdf,
  type StoredPdf,
  getInvoiceDocument,
  storeInvoiceDocument,
} from '../db/repositories/invoice-documents.ts';
import type { PdfRenderer } from '../documents/pdf.ts';
import type { DocumentRenderer } from '../documents/renderer.ts';
import { loadInvoiceView, type InvoiceViewSettings } from './invoice-view.ts';

export interface DocumentDependencies extends InvoiceViewSettings {
  db: Db;
  renderer: DocumentRenderer;
  /** Prints PDFs; without it, invoices are HTML only and emails carry no attachment. */
  pdf?: Pick<PdfRenderer, 'render'> | undefined;
}

export function createDocumentActivities(deps: DocumentDependencies) {
  const { db, renderer } = deps;
  return {
    /** Renders the invoice to HTML and stores it once; the stored hash is what was sent. */
    async renderInvoice(input: { invoiceId: string }): Promise<{ contentHash: string }> {
      const view = await loadInvoiceView(db, input.invoiceId, deps, 'issued');
      const content = renderer.renderInvoiceHtml(view);
      const contentHash = createHash('sha256').update(content).digest('hex');
      const stored = await storeInvoiceDocument(db, {
        invoiceId: input.invoiceId,
        format: 'html',
        content,
        contentHash,
      });
      return { contentHash: stored.contentHash };
    },
  };
}

export type DocumentActivities = ReturnType<typeof createDocumentActivities>;

/**
 * The invoice's stored PDF, printed from its stored HTML the first time. Stored before it is
 * attached, so a retried email attaches the very same bytes (a provider refuses a repeat of an
 * idempotency key with a different message). Undefined without a PDF renderer or stored HTML.
 */
export async function invoicePdf(
  { db, pdf }: Pick<DocumentDependencies, 'db' | 'pdf'>,
  invoiceId: string,
): Promise<StoredPdf | undefined> {
  if (!pdf) return undefined;
  const stored = await getInvoicePdf(db, invoiceId);
  if (stored) return stored;
  const html = await getInvoiceDocument(db, invoiceId, 'html');
  if (!html) return undefined;
  const printed = await pdf.render(html.content);
  // If another process stored one meanwhile, theirs was first and is the one we attach.
  return storeInvoicePdf(db, {
    invoiceId,
    pdf: printed,
    contentHash: createHash('sha256').update(printed).digest('hex'),
    sourceHash: html.contentHash,
  });
}
