// Document designs: which designs there are (and which the brand uses unless a customer chose
// another), and a preview of each design for each document type, rendered from the sample data
// in documents/sample-documents.ts with the operator's own seller and brand, as HTML or as the
// PDF the same Chromium prints invoices with.
import {
  designOf,
  DESIGN_DESCRIPTIONS,
  DOCUMENT_DESIGNS,
  DOCUMENT_TYPES,
  isDocumentDesign,
  isDocumentType,
  type DocumentDesign,
  type DocumentType,
} from '../documents/designs.ts';
import { displayLocale, type DocumentRenderer } from '../documents/renderer.ts';
import { renderSampleDocument } from '../documents/sample-documents.ts';
import type { Brand } from '../documents/views.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';
import { Refused } from './refused.ts';

export interface DocumentDesignDependencies {
  documents: { renderer: DocumentRenderer; seller: SellerDetails; brand: Brand };
  /** Prints a preview to PDF (the API's warm Chromium). */
  pdf: { render(html: string): Promise<Buffer> };
}

export interface DocumentDesignSummary {
  design: DocumentDesign;
  description: string;
  /** The brand's design: every customer who chose none gets it. */
  isDefault: boolean;
  documentTypes: readonly DocumentType[];
}

export function listDocumentDesigns(deps: DocumentDesignDependencies): DocumentDesignSummary[] {
  const brandDesign = designOf(undefined, deps.documents.brand.documentDesign);
  return DOCUMENT_DESIGNS.map((design) => ({
    design,
    description: DESIGN_DESCRIPTIONS[design],
    isDefault: design === brandDesign,
    documentTypes: DOCUMENT_TYPES,
  }));
}

export interface PreviewRequest {
  design: string;
  documentType: string;
  format: 'html' | 'pdf';
  /** The sample customer's language (default en-GB). */
  locale?: string | undefined;
}

export type Preview = { format: 'html'; html: string } | { format: 'pdf'; pdf: Buffer };

/** The sample document of that type in that design; refused as not found for an unknown one. */
export async function previewDocument(
  deps: DocumentDesignDependencies,
  request: PreviewRequest,
): Promise<Preview> {
  const { design, documentType } = request;
  if (!isDocumentDesign(design)) {
    throw new Refused('not_found', `no document design is named ${design}`);
  }
  if (!isDocumentType(documentType)) {
    throw new Refused('not_found', `no document type is named ${documentType}`);
  }
  const html = renderSampleDocument(
    deps.documents.renderer,
    deps.documents,
    documentType,
    design,
    request.locale === undefined ? {} : { locale: displayLocale(request.locale) },
  );
  if (request.format === 'html') return { format: 'html', html };
  return { format: 'pdf', pdf: await deps.pdf.render(html) };
}
