// The development email provider: messages land in the outbox_messages table, where the API
// lists them, instead of in someone's inbox. Idempotent like Resend: a repeat with the same key
// stores nothing and returns the first message's id, and a repeat with the same key but a
// different message is refused, as Resend refuses it (409 invalid_idempotent_request), so a
// workflow that would fail in production fails in development too.
import type { Db } from '../db/connect.ts';
import type { OutboxMessage } from '../db/database.ts';
import { newId } from '../db/ids.ts';
import { assertSendable, EmailSendError, type EmailMessage, type EmailSender } from './port.ts';

const PROVIDER = 'outbox';

export function createOutboxSender(db: Db): EmailSender {
  return {
    provider: PROVIDER,
    async send(message, { idempotencyKey }) {
      assertSendable(message, idempotencyKey, PROVIDER);
      const attachments = message.attachments ?? [];
      let stored: OutboxMessage;
      try {
        const inserted = await db
          .insertInto('outbox_messages')
          .values({
            id: newId('msg'),
            idempotency_key: idempotencyKey,
            from_address: message.from,
            to_addresses: message.to,
            subject: message.subject,
            html: message.html,
            text: message.text,
            attachments: JSON.stringify(attachments),
            ...(message.sentAt && { created_at: message.sentAt }),
          })
          .onConflict((oc) => oc.column('idempotency_key').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted) return { messageId: inserted.id };
        // The key was used before (or concurrently: the insert waited for that transaction).
        stored = await db
          .selectFrom('outbox_messages')
          .selectAll()
          .where('idempotency_key', '=', idempotencyKey)
          .executeTakeFirstOrThrow();
      } catch (error) {
        throw new EmailSendError(`outbox write failed: ${(error as Error).message}`, {
          retryable: true,
          provider: PROVIDER,
          cause: error,
        });
      }
      if (!sameMessage(stored, message)) {
        throw new EmailSendError(
          `idempotency key ${idempotencyKey} was already used for a different message (${stored.id})`,
          {
            retryable: false,
            provider: PROVIDER,
            statusCode: 409,
            code: 'invalid_idempotent_request',
          },
        );
      }
      return { messageId: stored.id };
    },
  };
}

/** Compares what the outbox keeps (reply-to and tags have no column; a retry is sent later). */
function sameMessage(stored: OutboxMessage, message: EmailMessage): boolean {
  const attachments = message.attachments ?? [];
  return (
    stored.from_address === message.from &&
    stored.subject === message.subject &&
    stored.html === message.html &&
    stored.text === message.text &&
    stored.to_addresses.length === message.to.length &&
    stored.to_addresses.every((to, i) => to === message.to[i]) &&
    stored.attachments.length === attachments.length &&
    stored.attachments.every(
      (a, i) =>
        a.filename === attachments[i]?.filename &&
        a.contentType === attachments[i]?.contentType &&
        a.content === attachments[i]?.content,
    )
  );
}
