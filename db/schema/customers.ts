// Customers and the test clocks they may be billed on.
import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { EInvoiceFormat } from '../../domain/invoicing/e-invoices.ts';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns.ts';

export interface CustomersTable {
  id: string;
  name: string;
  email: string;
  currency: string;
  country: string;
  timezone: string;
  locale: string;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  customer_type: ColumnType<'business' | 'individual', 'business' | 'individual' | undefined>;
  vat_number: string | null;
  tax_exempt_reference: string | null;
  payment_terms_days: ColumnType<number, number | undefined>;
  /** The design their documents are rendered in (documents/designs.ts); null: the brand's. */
  document_design: ColumnType<string | null, string | null | undefined, string | null>;
  /** The e-invoice their invoices and credit notes carry (domain/invoicing/e-invoices.ts). */
  e_invoice_format: ColumnType<EInvoiceFormat, EInvoiceFormat | undefined, EInvoiceFormat>;
  /** BT-10, the buyer's reference (the Leitweg-ID of a German public buyer). */
  buyer_reference: ColumnType<string | null, string | null | undefined, string | null>;
  /** Where they receive e-invoices on Peppol: scheme (EAS) and id, both or neither. */
  peppol_endpoint_scheme: ColumnType<string | null, string | null | undefined, string | null>;
  peppol_endpoint_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The test clock the customer is billed on; null for real customers. */
  test_clock_id: ColumnType<string | null, string | null | undefined, never>;
  created_at: CreatedAt;
}

export type TestClockStatus = 'ready' | 'advancing' | 'deleting';

export interface TestClocksTable {
  id: string;
  name: string | null;
  frozen_time: Timestamp;
  status: TestClockStatus;
  advancing_to: NullableTimestamp;
  created_at: CreatedAt;
}

export type Customer = Selectable<CustomersTable>;

export type NewCustomer = Insertable<CustomersTable>;

export type TestClock = Selectable<TestClocksTable>;
