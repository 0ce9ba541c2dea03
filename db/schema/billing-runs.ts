// The billing runs' failed attempts, one row per (subscription, billing key) that failed at least
// once; the invoice with that key, once it exists, says the run was issued in the end.
import type { ColumnType } from 'kysely';
import type { CreatedAt, Timestamp } from './columns.ts';

export interface BillingRunFailuresTable {
  subscription_id: string;
  /** The invoice's business key within the subscription ("<boundary>/boundary", …). */
  billing_key: string;
  customer_id: string;
  /** When the invoice fell due: its invoice date (the boundary, or the cancel or change instant). */
  due_at: Timestamp;
  /** The attempt that failed last (1 for the first), as Temporal counts them. */
  attempts: number;
  last_error: string;
  /** False when Temporal will not try again (a non-retryable failure, or attempts exhausted). */
  retrying: boolean;
  first_failed_at: CreatedAt;
  last_failed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
