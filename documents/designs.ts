// Document designs: how a document is laid out and styled, never what it says. Every design
// renders every document type from the same view and the same partials (line table, totals, tax
// summary, legal mentions, how to pay); a design is one layout and one stylesheet under
// templates/designs/<name>/ (see templates/README.md). The brand picks the default design
// (BILLWRIGHT_DOCUMENT_DESIGN), a customer may pick their own, and a finalized invoice keeps the
// one it was issued with (its customer snapshot).

/** The built-in designs; the first is the default when the brand names none. */
export const DOCUMENT_DESIGNS = ['classic', 'modern', 'compact'] as const;
export type DocumentDesign = (typeof DOCUMENT_DESIGNS)[number];

export const DEFAULT_DOCUMENT_DESIGN: DocumentDesign = 'classic';

/** What each design lays out: every document type a customer is shown. */
export const DOCUMENT_TYPES = ['invoice', 'estimate', 'receipt', 'credit-note'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** What a design looks like, in a sentence (GET /v1/document-designs). */
export const DESIGN_DESCRIPTIONS: Record<DocumentDesign, string> = {
  classic:
    'A white sheet with an accent rule on top: seller and title side by side, then the parties.',
  modern:
    'A band in the brand colour across the top and the headline amount in a card beside the parties.',
  compact:
    'Dense and monochrome: small type, hairline rules, everything on as few pages as can be.',
};

export function isDocumentDesign(value: unknown): value is DocumentDesign {
  return (DOCUMENT_DESIGNS as readonly unknown[]).includes(value);
}

export function isDocumentType(value: unknown): value is DocumentType {
  return (DOCUMENT_TYPES as readonly unknown[]).includes(value);
}

/** Refuses an unknown design where one is configured (the brand's default, at start-up). */
export function assertDocumentDesign(value: string, what: string): asserts value is DocumentDesign {
  if (!isDocumentDesign(value)) {
    throw new RangeError(`${what} must be one of ${DOCUMENT_DESIGNS.join(', ')}, got ${value}`);
  }
}

/**
 * The design a document is rendered in: the one it was issued with (the customer's choice, kept
 * in the invoice's snapshot), else the brand's, else the default. A stored choice that names no
 * design (one removed since) falls back rather than stopping the document from going out.
 */
export function designOf(
  chosen: string | undefined,
  brandDefault: string | undefined,
): DocumentDesign {
  if (isDocumentDesign(chosen)) return chosen;
  if (isDocumentDesign(brandDefault)) return brandDefault;
  return DEFAULT_DOCUMENT_DESIGN;
}
