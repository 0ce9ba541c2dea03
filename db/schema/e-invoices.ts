// E-invoices as first generated (the bytes sent and served), one per document and format.
import type { Selectable } from 'kysely';
import type { CreatedAt } from './columns.ts';

export interface EInvoicesTable {
  document_kind: 'invoice' | 'credit_note';
  /** The invoice's or credit note's id. */
  document_id: string;
  /** The customer's setting when it was generated: 'xrechnung-cii', 'factur-x-en16931', … */
  format: string;
  content: Buffer;
  content_type: 'application/xml' | 'application/pdf';
  filename: string;
  content_hash: string;
  created_at: CreatedAt;
}

export type StoredEInvoice = Selectable<EInvoicesTable>;
