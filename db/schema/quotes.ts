// Quotes: estimates issued under a number for the customer to accept or decline.
import type { ColumnType, Selectable } from 'kysely';
import type { QuoteStatus } from '../../domain/quotes/terms.ts';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns.ts';

export interface QuotesTable {
  id: string;
  number: string;
  estimate_id: string;
  customer_id: string;
  status: ColumnType<QuoteStatus, QuoteStatus | undefined, QuoteStatus>;
  valid_until: Timestamp;
  terms: string | null;
  plan_code: string | null;
  plan_version: number | null;
  quantity: number;
  trial_days: number | null;
  anchoring: ColumnType<unknown, string | null, never>;
  coupon_codes: ColumnType<unknown, string, never>;
  issued_at: Timestamp;
  accepted_at: NullableTimestamp;
  accepted_by_name: string | null;
  accepted_by_title: string | null;
  accepted_from_ip: string | null;
  subscription_id: string | null;
  /** A project quote: the POST /v1/projects order acceptance starts (null: a subscription). */
  project: ColumnType<unknown, string | null, never>;
  project_id: string | null;
  declined_at: NullableTimestamp;
  decline_reason: string | null;
  expired_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type QuoteRow = Selectable<QuotesTable>;
