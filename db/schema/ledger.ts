// The double-entry ledger: accounts, the mapping of posting roles to them, and the journal.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { AccountRole, AccountType } from '../../domain/ledger/accounts.ts';
import type { JournalKind } from '../../domain/ledger/postings.ts';
import type { CreatedAt, Timestamp } from './columns.ts';

export interface LedgerAccountsTable {
  code: string;
  name: string;
  type: AccountType;
  created_at: CreatedAt;
}

export interface LedgerAccountMappingsTable {
  role: AccountRole;
  /** '' for the role's default, else dimensionKey's (plan:…, origin:…, jurisdiction:…, method:…). */
  dimension: string;
  account_code: string;
}

/** Append-only: the database refuses UPDATE and DELETE. */
export interface JournalEntriesTable {
  id: string;
  /** Posting order, for deterministic reading and export. */
  sequence: Generated<number>;
  kind: JournalKind;
  /** The source document's id; unique per kind, so a replay never posts twice. */
  idempotency_key: string;
  customer_id: string;
  currency: string;
  /** The document's date in the customer's zone (YYYY-MM-DD). */
  business_date: ColumnType<string, string, never>;
  occurred_at: Timestamp;
  description: string;
  invoice_id: string | null;
  payment_id: string | null;
  credit_note_id: string | null;
  document_number: string | null;
  created_at: CreatedAt;
}

export interface JournalLinesTable {
  id: Generated<number>;
  entry_id: string;
  position: number;
  account_code: string;
  currency: string;
  debit: number;
  credit: number;
  customer_id: string | null;
  invoice_id: string | null;
  plan_code: string | null;
  origin: string | null;
  tax_jurisdiction: string | null;
  tax_rate: string | null;
  payment_method: string | null;
  memo: string | null;
}

export type LedgerAccount = Selectable<LedgerAccountsTable>;
export type JournalEntry = Selectable<JournalEntriesTable>;
export type JournalLine = Selectable<JournalLinesTable>;
