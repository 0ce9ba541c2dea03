// The development outbox: every email the platform sends with the development email provider,
// read back as it was sent.
import type { Db } from '../db/connect.ts';
import type { OutboxMessage } from '../db/database.ts';
import { getOutboxMessage, listOutboxMessages } from '../db/repositories/outbox.ts';
import { Refused } from './refused.ts';

/** Messages newest first, optionally to one address; one more than `limit` says there are more. */
export function findOutboxMessages(db: Db, filter: Parameters<typeof listOutboxMessages>[1]) {
  return listOutboxMessages(db, filter);
}

export async function outboxMessage(db: Db, id: string): Promise<OutboxMessage> {
  const row = await getOutboxMessage(db, id);
  if (!row) throw new Refused('not_found', `Message ${id} does not exist.`);
  return row;
}
