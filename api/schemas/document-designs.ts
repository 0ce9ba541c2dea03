// The document design routes' shapes: the designs, and the preview's parameters.
import { Type } from 'typebox';
import { DOCUMENT_TYPES } from '../../documents/designs.ts';
import type { DocumentDesignSummary } from '../../services/document-designs.ts';
import { ListOf } from './common.ts';

export const DocumentDesignSchema = Type.Object(
  {
    design: Type.String({ examples: ['modern'], description: 'The design’s name.' }),
    description: Type.String(),
    isDefault: Type.Boolean({
      description:
        'The brand’s design (BILLWRIGHT_DOCUMENT_DESIGN): customers who chose none get it.',
    }),
    documentTypes: Type.Array(Type.Enum([...DOCUMENT_TYPES]), {
      description: 'The documents the design lays out.',
    }),
    previews: Type.Array(
      Type.Object({
        documentType: Type.Enum([...DOCUMENT_TYPES]),
        html: Type.String({ description: 'Path of the HTML preview.' }),
        pdf: Type.String({ description: 'Path of the PDF preview.' }),
      }),
    ),
  },
  { $id: 'DocumentDesign', title: 'DocumentDesign' },
);

export const DocumentDesignList = ListOf(DocumentDesignSchema, 'Every document design.');

export const PreviewParams = Type.Object(
  {
    design: Type.String({ minLength: 1, maxLength: 40, examples: ['modern'] }),
    documentType: Type.String({
      minLength: 1,
      maxLength: 40,
      examples: ['invoice'],
      description: `One of ${DOCUMENT_TYPES.join(', ')}.`,
    }),
  },
  { additionalProperties: false },
);

export const PreviewQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Enum(['html', 'pdf'], { default: 'html', description: 'html (default) or pdf.' }),
    ),
    locale: Type.Optional(
      Type.String({
        minLength: 2,
        maxLength: 35,
        description:
          'The sample customer’s language (BCP 47, default en-GB): amounts, dates and ' +
          'country names are written in it.',
        examples: ['de-DE'],
      }),
    ),
  },
  { additionalProperties: false },
);

export function toDocumentDesign(summary: DocumentDesignSummary) {
  const base = `/v1/document-designs/${summary.design}`;
  return {
    ...summary,
    documentTypes: [...summary.documentTypes],
    previews: summary.documentTypes.map((documentType) => ({
      documentType,
      html: `${base}/${documentType}/preview?format=html`,
      pdf: `${base}/${documentType}/preview?format=pdf`,
    })),
  };
}
