// Invoice PDFs as `app.invoicePdfs`: printed from the invoice's STORED HTML on first request
// (the copy as issued, or the one stamped with its status), stored once beside that HTML, and
// likewise a credit note's or receipt's from its stored HTML (customer_documents); then
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
import {
  getCustomerDocumentHtml,
  getCustomerDocumentPdf,
  storeCustomerDocumentPdf,
  type CustomerDocumentRef,
} from '../../db/repositories/customer-documents.ts';
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
  /** A credit note's or receipt's stored PDF, likewise; undefined when its HTML is not stored. */
  forDocument(ref: CustomerDocumentRef): Promise<StoredPdf | undefined>;
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

    /** One print per document at a time: concurrent first requests share it. */
    function once(key: string, print: () => Promise<StoredPdf | undefined>) {
      let pending = printing.get(key);
      if (!pending) {
        pending = print().finally(() => printing.delete(key));
        printing.set(key, pending);
      }
      return pending;
    }

    /** Prints stored HTML; if another process stored a PDF meanwhile, theirs was first and is kept. */
    async function printed(
      html: { content: string; contentHash: string } | undefined,
      store: (pdf: { pdf: Buffer; contentHash: string; sourceHash: string }) => Promise<StoredPdf>,
    ): Promise<StoredPdf | undefined> {
      if (!html) return undefined;
      const pdf = await (await renderer()).render(html.content);
      return store({
        pdf,
        contentHash: createHash('sha256').update(pdf).digest('hex'),
        sourceHash: html.contentHash,
      });
    }

    app.decorate('invoicePdfs', {
      async forInvoice(invoiceId, mark) {
        const stored = await getInvoicePdf(app.db, invoiceId, mark);
        if (stored) return stored;
        return once(`invoice/${invoiceId}/${mark ?? ''}`, async () =>
          printed(await getInvoiceDocument(app.db, invoiceId, 'html', mark), (pdf) =>
            storeInvoicePdf(app.db, { invoiceId, mark, ...pdf }),
          ),
        );
      },
      async forDocument(ref) {
        const stored = await getCustomerDocumentPdf(app.db, ref);
        if (stored) return stored;
        return once(`${ref.kind}/${ref.subjectId}`, async () =>
          printed(await getCustomerDocumentHtml(app.db, ref), (pdf) =>
            storeCustomerDocumentPdf(app.db, ref, pdf),
          ),
        );
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
