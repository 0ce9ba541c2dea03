// Coupons, their redemptions by customers or subscriptions, and what each discounted.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, NullableTimestamp } from './columns.ts';

export interface CouponsTable {
  id: string;
  code: string;
  description: string;
  /** numeric: an exact decimal string such as "12.5". */
  percent_off: ColumnType<string | null, string | null | undefined, never>;
  amount_off: number | null;
  currency: string | null;
  duration: string;
  duration_periods: number | null;
  /** Charge keys (string[]), or null for every charge; written as a JSON string. */
  applies_to: ColumnType<string[] | null, string | null | undefined, never>;
  max_redemptions: number | null;
  times_redeemed: Generated<number>;
  expires_at: NullableTimestamp;
  created_at: CreatedAt;
  created_by: string;
}

export interface CouponRedemptionsTable {
  id: string;
  coupon_id: string;
  customer_id: string;
  subscription_id: string | null;
  periods_applied: Generated<number>;
  created_at: CreatedAt;
  created_by: string;
}

/** A coupon's discount on one invoice; period_key is "<subscription>/<period start>". */
export interface CouponApplicationsTable {
  redemption_id: string;
  invoice_id: string;
  period_key: string;
  amount: number;
}

export type CouponRow = Selectable<CouponsTable>;

export type CouponRedemptionRow = Selectable<CouponRedemptionsTable>;
