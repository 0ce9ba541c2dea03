// Automatic top-up rules of wallets and the purchases they made.
import type { ColumnType, Selectable } from 'kysely';
import type { CreatedAt, NullableTimestamp } from './columns.ts';

export type WalletTopUpKind = 'recurring' | 'threshold';
export type WalletTopUpInterval = 'month' | 'week';

export interface WalletTopUpsTable {
  wallet_id: string;
  kind: WalletTopUpKind;
  /** The price invoiced (minor units). */
  amount: number;
  /** The credit granted once that invoice is paid. */
  credit: number;
  /** Threshold: a purchase when the usable balance falls under it. */
  below: number | null;
  interval: WalletTopUpInterval | null;
  /** Recurring: the instant periods count from. */
  anchor: NullableTimestamp;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface WalletTopUpPurchasesTable {
  wallet_id: string;
  /** `period/<start>` (recurring) or `threshold/<invoice that crossed>`. */
  key: string;
  kind: WalletTopUpKind;
  grant_id: string;
  created_at: CreatedAt;
}

export type WalletTopUp = Selectable<WalletTopUpsTable>;
