// Wallets of credit, the grants into them and every movement of their credit.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { GrantKind } from '../../domain/wallets/draw.ts';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns.ts';

export interface WalletsTable {
  id: string;
  customer_id: string;
  currency: string;
  name: string;
  /** Lower draws first. */
  priority: ColumnType<number, number | undefined, number>;
  /** The plans whose invoices it may pay; null for every charge. */
  plan_codes: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  created_at: CreatedAt;
}

/** pending: bought, its invoice not paid yet; active: usable; expired, voided: over. */
export type WalletGrantStatus = 'pending' | 'active' | 'expired' | 'voided';

export interface WalletGrantsTable {
  id: string;
  wallet_id: string;
  customer_id: string;
  currency: string;
  kind: GrantKind;
  status: WalletGrantStatus;
  /** The credit granted (minor units). */
  amount: number;
  /** What is left to use; kept with each movement under the grant's row lock. */
  remaining: ColumnType<number, number | undefined, number>;
  /** Why promotional credit was given. */
  reason: string | null;
  /** The invoice that sells purchased credit. */
  invoice_id: string | null;
  expires_at: NullableTimestamp;
  /** When the credit became usable (a promotional grant at once, purchased once paid). */
  granted_at: NullableTimestamp;
  /** When it expired or was voided. */
  ended_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type WalletTransactionKind = 'grant' | 'consumption' | 'expiry' | 'void';

export interface WalletTransactionsTable {
  id: string;
  sequence: Generated<number>;
  wallet_id: string;
  grant_id: string;
  customer_id: string;
  currency: string;
  kind: WalletTransactionKind;
  /** Signed minor units: a grant adds, everything else takes away. */
  amount: number;
  /** The invoice that consumed it (or sold it). */
  invoice_id: string | null;
  idempotency_key: string;
  description: string;
  occurred_at: Timestamp;
  created_at: CreatedAt;
}

export type Wallet = Selectable<WalletsTable>;
export type WalletGrant = Selectable<WalletGrantsTable>;
export type WalletTransaction = Selectable<WalletTransactionsTable>;
