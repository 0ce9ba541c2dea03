// Newest-first pages with an id cursor, the shape of every list (docs/API.md "Lists"): rows are
// ordered by (created_at, id) descending, and a page starts after the row the cursor names (an
// unknown cursor gives an empty page).
import { sql, type RawBuilder } from 'kysely';

/** `(created_at, id) < (that of the row with id = cursor)` on `table`, aliased or not. */
export function olderThan(
  table: string,
  cursor: string,
  columns: { createdAt: string; id: string } = { createdAt: 'created_at', id: 'id' },
): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(columns.createdAt)}, ${sql.ref(columns.id)}) < (select c.created_at, c.id from ${sql.table(table)} c where c.id = ${cursor})`;
}

/**
 * For lists in ascending order of another column (soonest first): `(column, id) >` that of the
 * row with id = cursor, in `table` (whose columns are referenced as `alias.column`).
 */
export function laterThan(
  table: string,
  alias: string,
  column: string,
  cursor: string,
): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${alias}.${column}`)}, ${sql.ref(`${alias}.id`)}) > (select c.${sql.ref(column)}, c.id from ${sql.table(table)} c where c.id = ${cursor})`;
}

/** Rows fetched with `limit + 1`: the page, and whether more follow. */
export function toPage<T>(rows: T[], limit: number): { items: T[]; hasMore: boolean } {
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}
