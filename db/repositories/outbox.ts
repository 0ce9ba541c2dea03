// Reading the development outbox: what the platform "sent", newest first.
import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { OutboxMessage } from '../database.ts';

export interface ListOutboxMessagesOptions {
  /** Only messages to this address (case-insensitive; also matches "Name <address>"). */
  to?: string | undefined;
  limit: number;
  /** Id of the last message of the previous page. */
  startingAfter?: string | undefined;
}

export async function listOutboxMessages(
  db: Db,
  options: ListOutboxMessagesOptions,
): Promise<OutboxMessage[]> {
  if (!Number.isSafeInteger(options.limit) || options.limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${options.limit}`);
  }
  let query = db
    .selectFrom('outbox_messages')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.startingAfter !== undefined) {
    // Keyset pagination: strictly older than the cursor message, ties broken by id.
    query = query.where(
      sql<boolean>`(created_at, id) < (select m.created_at, m.id from outbox_messages m where m.id = ${options.startingAfter})`,
    );
  }
  const to = options.to?.trim().toLowerCase();
  if (to) {
    query = query.where(
      sql<boolean>`exists (
        select 1 from unnest(to_addresses) as recipient
        where lower(recipient) = ${to} or position(${`<${to}>`} in lower(recipient)) > 0
      )`,
    );
  }
  return query.execute();
}

export async function getOutboxMessage(db: Db, id: string): Promise<OutboxMessage | undefined> {
  return db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirst();
}
