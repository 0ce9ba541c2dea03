// Invoices and their lines, the documents rendered from them, credit notes, and the
// counters that number both.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { TaxBehavior } from '../../domain/catalog/types.ts';
import type { DecimalString } from '../../domain/core/decimal.ts';
import type { InvoiceStatus } from '../../domain/invoicing/lifecycle.ts';
import type { LineArithmetic } from '../../domain/invoicing/line-arithmetic.ts';
import type {
  TaxBreakdownEntry,
  TaxCategory,
  TaxComponent,
  TaxNote,
  TaxRegistrations,
} from '../../domain/tax/types.ts';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns.ts';

export interface NumberSeriesTable {
  series: string;
  last_value: Generated<number>;
}

export interface InvoicesTable {
  id: string;
  /** Null while a draft: assigned at finalization, gap-free within its series. */
  number: string | null;
  customer_id: string;
  subscription_id: string | null;
  status: ColumnType<InvoiceStatus, InvoiceStatus, InvoiceStatus>;
  currency: string;
  period_start: NullableTimestamp;
  period_end: NullableTimestamp;
  subtotal: number;
  tax: Generated<number>;
  total: number;
  /** Null while a draft; the invoice date once finalized. */
  issued_at: NullableTimestamp;
  /** Null while a draft; finalization + the customer's payment terms. */
  due_at: NullableTimestamp;
  created_at: CreatedAt;
  tax_behavior: ColumnType<TaxBehavior, TaxBehavior | undefined, TaxBehavior>;
  discount_total: Generated<number>;
  amount_paid: Generated<number>;
  amount_credited: Generated<number>;
  /** max(total − amount_paid − amount_credited, 0), computed by the database. */
  amount_due: ColumnType<number, never, never>;
  tax_breakdown: ColumnType<TaxBreakdownEntry[], string | undefined, string>;
  tax_notes: ColumnType<TaxNote[], string | undefined, string>;
  tax_provider: string | null;
  /** The date the rates were taken at, YYYY-MM-DD. */
  tax_date: ColumnType<string | null, string | null | undefined, string | null>;
  customer_details: ColumnType<
    InvoiceCustomerDetails | null,
    string | null | undefined,
    string | null
  >;
  seller_details: ColumnType<InvoiceSellerDetails | null, string | null | undefined, string | null>;
  finalized_at: NullableTimestamp;
  paid_at: NullableTimestamp;
  voided_at: NullableTimestamp;
  marked_uncollectible_at: NullableTimestamp;
  /** A subscription lifecycle invoice's business key ("<boundary>/<kind>"); null otherwise. */
  billing_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** The project it bills (its billing_key is unique within the project). */
  project_id: ColumnType<string | null, string | null | undefined, never>;
  /** manual (POST /v1/invoices) or project; null for subscription invoices. */
  origin: ColumnType<'manual' | 'project' | null, 'manual' | 'project' | null | undefined, never>;
  /** When it passed its due date unpaid (its due date), set once by its collection. */
  overdue_at: NullableTimestamp;
}

/** The customer's billing details as they were when the invoice was finalized. */
export interface InvoiceCustomerDetails {
  name: string;
  email: string;
  /** The language and time zone its documents and email are written in. */
  locale: string;
  timezone: string;
  address: {
    line1?: string;
    line2?: string;
    city?: string;
    region?: string;
    postalCode?: string;
    country: string;
  };
  customerType: 'business' | 'individual';
  vatNumber?: string;
  taxExemptReference?: string;
  /** The document design the customer chose (absent: the brand's), kept so a re-render matches. */
  documentDesign?: string;
}

/** The seller's legal and tax identity as it was when the invoice was finalized. */
export interface InvoiceSellerDetails {
  legalName: string;
  addressLines: string[];
  taxId?: string;
  email: string;
  country: string;
  region?: string;
  registrations: TaxRegistrations;
}

export interface InvoiceLinesTable {
  id: Generated<string>;
  invoice_id: string;
  position: number;
  description: string;
  /** numeric: an exact decimal string ("1", "12.5"); node-postgres and PGlite both give text. */
  quantity: DecimalString;
  /** numeric minor units per unit ("4900", "0.06"); null when no single price makes the line. */
  unit_amount: DecimalString | null;
  /** The line's one rounded amount (minor units), before discount and tax. */
  amount: number;
  period_start: NullableTimestamp;
  period_end: NullableTimestamp;
  discount_amount: Generated<number>;
  tax_category: ColumnType<TaxCategory, TaxCategory | undefined, TaxCategory>;
  tax_amount: Generated<number>;
  /** numeric percent, an exact decimal string ("20"); null until taxed. */
  tax_rate: string | null;
  tax_jurisdiction: string | null;
  tax_treatment: string | null;
  tax_components: ColumnType<TaxComponent[], string | undefined, string>;
  /** Tax included: what the customer pays for the line. */
  total_amount: number;
  /** How the amount was reached (used quantity, free units, priced parts, proration, cap). */
  arithmetic: ColumnType<LineArithmetic | null, string | null | undefined, string | null>;
}

export interface CreditNotesTable {
  id: string;
  number: string;
  invoice_id: string;
  customer_id: string;
  currency: string;
  reason: 'void' | 'refund' | 'correction' | 'other';
  memo: string | null;
  subtotal: number;
  tax: number;
  total: number;
  issued_at: Timestamp;
  created_at: CreatedAt;
  /** Set when the subscription lifecycle issued it (unused time credited on cancel). */
  billing_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CreditNoteLinesTable {
  id: Generated<string>;
  credit_note_id: string;
  position: number;
  invoice_line_id: string;
  description: string;
  amount: number;
  tax_amount: number;
}

export interface InvoiceDocumentsTable {
  invoice_id: string;
  format: string;
  content_hash: string;
  content: string;
  created_at: CreatedAt;
  /** Hash of the document this one was printed from (a PDF's HTML); null for the HTML itself. */
  source_hash: string | null;
}

/** A credit note's or a receipt's stored HTML, and the PDF printed from it. */
export interface CustomerDocumentsTable {
  kind: 'credit_note' | 'receipt';
  /** The credit note's id, or the payment's (one receipt per payment). */
  subject_id: string;
  format: string;
  content_hash: string;
  content: string;
  created_at: CreatedAt;
  /** Hash of the HTML a PDF was printed from; null for the HTML itself. */
  source_hash: string | null;
}

export type Invoice = Selectable<InvoicesTable>;

export type InvoiceLine = Selectable<InvoiceLinesTable>;

export type CreditNote = Selectable<CreditNotesTable>;

export type CreditNoteLine = Selectable<CreditNoteLinesTable>;
