// Column types every table shares: when a row was created, and instants that may be set or
// cleared (timestamptz in SQL, Date here; written as a Date or an ISO string).
import type { ColumnType } from 'kysely';

export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
