// The customer portal: the magic links customers sign in with and the sessions they open.
import type { ColumnType, Selectable } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns.ts';

export interface PortalLinksTable {
  id: string;
  customer_id: string;
  /** Who asked: the operator (POST /v1/customers/:id/portal-links) or the customer (login form). */
  requested_by: 'operator' | 'customer';
  expires_at: Timestamp;
  /** Set, once, when the link is exchanged for a session: a link opens one session only. */
  consumed_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface PortalSessionsTable {
  /** SHA-256 of the cookie's random token: the token itself is never stored. */
  token_hash: string;
  customer_id: string;
  link_id: string;
  /** Must come back with every form post of the session (with SameSite=Lax, against CSRF). */
  csrf_token: string;
  created_at: CreatedAt;
  /** Moved on each request; idle past the idle limit, the session is over. */
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** The absolute end, whatever the activity. */
  expires_at: Timestamp;
  /** Set at logout. */
  ended_at: NullableTimestamp;
}

export type PortalLink = Selectable<PortalLinksTable>;
export type PortalSession = Selectable<PortalSessionsTable>;
