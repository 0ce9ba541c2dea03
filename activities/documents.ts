// Documents about invoices, rendered once and stored once: the stored copy is what the customer
// was sent, so a retry, a replay or a later template change never alters it.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
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
 * What the render task queue runs (RENDER_TASK_QUEUE, its own workers): printing an invoice's
 * PDF with Chromium, apart from billing, so rendering scales on its own.
 */
export function createRenderActivities(deps: Pick<DocumentDependencies, 'db' | 'pdf'>) {
  return {
    /**
     * Prints the invoice's PDF from its stored HTML, once: the stored PDF is keyed by the invoice
     * and its document revision (the issued HTML, `contentHash`), so a retry or a replay reuses
     * it, and the email attaches those very bytes. Null without a PDF renderer (no Chromium, or
     * BILLWRIGHT_EMAIL_PDF=link): the email then goes out without an attachment.
     */
    async printInvoicePdf(input: {
      invoiceId: string;
      contentHash: string;
    }): Promise<{ contentHash: string } | null> {
      const stored = await invoicePdf(deps, input.invoiceId, input.contentHash);
      return stored ? { contentHash: stored.contentHash } : null;
    },
  };
}

export type RenderActivities = ReturnType<typeof createRenderActivities>;

/**
 * The invoice's stored PDF, printed from its stored HTML (revision `revision`) the first time.
 * Stored before any email attaches it, so a retried email attaches the very same bytes (a
 * provider refuses a repeat of an idempotency key with a different message). Undefined without
 * a PDF renderer.
 */
async function invoicePdf(
  { db, pdf }: Pick<DocumentDependencies, 'db' | 'pdf'>,
  invoiceId: string,
  revision: string,
): Promise<StoredPdf | undefined> {
  if (!pdf) return undefined;
  const stored = await getInvoicePdf(db, invoiceId);
  if (stored) return stored;
  const html = await getInvoiceDocument(db, invoiceId, 'html');
  if (html?.contentHash !== revision) {
    // The issued HTML is stored once, before printing is asked for: anything else is a bug.
    throw ApplicationFailure.nonRetryable(
      `invoice ${invoiceId} has no stored HTML of revision ${revision}`,
      'DocumentRevisionMissing',
    );
  }
  const printed = await pdf.render(html.content);
  // If another process stored one meanwhile, theirs was first and is the one we attach.
  return storeInvoicePdf(db, {
    invoiceId,
    pdf: printed,
    contentHash: createHash('sha256').update(printed).digest('hex'),
    sourceHash: html.contentHash,
  });
}
