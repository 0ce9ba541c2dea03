// Invoice PDFs as `app.invoicePdfs`: printed from the invoice's STORED HTML on first request
// (the copy as issued, or the one stamped with its status), stored once beside that HTML, and
// served from storage ever after. The browser is launched on the first print,
// not at start (most API processes never print), and closed with the app. Concurrent first
// requests for one invoice share one print.
import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import {
  getInvoicePdf,
  storeInvoicePdf,
  type StoredPdf,
} from '../../db/repositories/invoice-documents.ts';
import { getInvoiceDocument } from '../../db/repositories/invoice-documents.ts';
import type { PdfRenderer } from '../../documents/pdf.ts';

/** A renderer the caller owns (shared by tests), or a factory the app calls once and owns. */
export type ApiPdf = PdfRenderer | (() => Promise<PdfRenderer>);

export interface InvoicePdfs {
  /**
   * The invoice's stored PDF, printing and storing it first when there is none: of the document
   * as issued, or of its copy stamped with `mark` (a status). Undefined when that HTML is not
   * stored (the invoice does not exist or has not been rendered yet).
   */
  forInvoice(invoiceId: string, mark?: string): Promise<StoredPdf | undefined>;
  /** Prints any document the API renders on request (estimates), with the same browser. */
  render(html: string): Promise<Buffer>;
}

declare module 'fastify' {
  interface FastifyInstance {
    invoicePdfs: InvoicePdfs;
  }
}

export default fp<{ pdf: ApiPdf }>(
  (app, options, done) => {
    const source = options.pdf;
    let owned: Promise<PdfRenderer> | undefined;
    const renderer = (): Promise<PdfRenderer> => {
      if (typeof source !== 'function') return Promise.resolve(source);
      if (!owned) {
        const launching = source();
        owned = launching;
        // A failed launch (no Chromium) is retried by the next request, not remembered.
        launching.catch(() => {
          if (owned === launching) owned = undefined;
        });
      }
      return owned;
    };
    const printing = new Map<string, Promise<StoredPdf | undefined>>();

    async function print(invoiceId: string, mark?: string): Promise<StoredPdf | undefined> {
      const html = await getInvoiceDocument(app.db, invoiceId, 'html', mark);
      if (!html) return undefined;
      const pdf = await (await renderer()).render(html.content);
      // If another process stored one meanwhile, theirs was first and is what we return.
      return storeInvoicePdf(app.db, {
        invoiceId,
        pdf,
        contentHash: createHash('sha256').update(pdf).digest('hex'),
        sourceHash: html.contentHash,
        mark,
      });
    }

    app.decorate('invoicePdfs', {
      async forInvoice(invoiceId, mark) {
        const stored = await getInvoicePdf(app.db, invoiceId, mark);
        if (stored) return stored;
        const key = `${invoiceId}/${mark ?? ''}`;
        let pending = printing.get(key);
        if (!pending) {
          pending = print(invoiceId, mark).finally(() => printing.delete(key));
          printing.set(key, pending);
        }
        return pending;
      },
      async render(html) {
        return (await renderer()).render(html);
      },
    } satisfies InvoicePdfs);

    app.addHook('onClose', async () => {
      const launched = await owned?.catch(() => undefined);
      owned = undefined;
      await launched?.close();
    });
    done();
  },
  { name: 'billwright-invoice-pdfs', fastify: '5.x', dependencies: ['billwright-database'] },
);
