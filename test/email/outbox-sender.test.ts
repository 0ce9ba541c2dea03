// The development outbox on real PostgreSQL: idempotent by key, readable through the repository.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.ts';
import { getOutboxMessage, listOutboxMessages } from '../../db/repositories/outbox.ts';
import { createOutboxSender } from '../../email/outbox-sender.ts';
import { EmailSendError, type EmailMessage } from '../../email/port.ts';
import { resendFromEnv } from '../../config/index.ts';
import { createEmailSender } from '../../email/sender.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let testDb: TestDatabase;
let db: Db;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
});

afterAll(async () => {
  await testDb?.destroy();
});

const pdfBase64 = Buffer.from('%PDF-1.7 test').toString('base64');

function invoiceEmail(to: string, number: string): EmailMessage {
  return {
    from: 'Billwright <billing@billwright.example>',
    to: [to],
    subject: `Your invoice ${number}`,
    html: `<p>Invoice ${number}</p>`,
    text: `Invoice ${number}`,
    attachments: [
      { filename: `${number}.pdf`, contentType: 'application/pdf', content: pdfBase64 },
    ],
  };
}

async function countByKey(key: string): Promise<number> {
  const rows = await db
    .selectFrom('outbox_messages')
    .select('id')
    .where('idempotency_key', '=', key)
    .execute();
  return rows.length;
}

describe('outbox sender', () => {
  it('stores one message per idempotency key and returns the same id on a repeat', async () => {
    const sender = createOutboxSender(db);
    const message = invoiceEmail('ada@example.com', 'INV-1');

    const first = await sender.send(message, { idempotencyKey: 'invoice/inv_1/issued' });
    const second = await sender.send(message, { idempotencyKey: 'invoice/inv_1/issued' });

    expect(sender.provider).toBe('outbox');
    expect(first.messageId).toMatch(/^msg_[a-z2-7]{20}$/);
    expect(second.messageId).toBe(first.messageId);
    expect(await countByKey('invoice/inv_1/issued')).toBe(1);
  });

  it('stores one row even when the same key is sent concurrently', async () => {
    const sender = createOutboxSender(db);
    const message = invoiceEmail('grace@example.com', 'INV-2');
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        sender.send(message, { idempotencyKey: 'invoice/inv_2/issued' }),
      ),
    );
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(await countByKey('invoice/inv_2/issued')).toBe(1);
  });

  it('stores different keys as different messages', async () => {
    const sender = createOutboxSender(db);
    const a = await sender.send(invoiceEmail('ada@example.com', 'INV-3'), {
      idempotencyKey: 'k-3a',
    });
    const b = await sender.send(invoiceEmail('ada@example.com', 'INV-3'), {
      idempotencyKey: 'k-3b',
    });
    expect(a.messageId).not.toBe(b.messageId);
    expect(await countByKey('k-3a')).toBe(1);
    expect(await countByKey('k-3b')).toBe(1);
  });

  it('refuses a key reused for a different message, as Resend does', async () => {
    const sender = createOutboxSender(db);
    await sender.send(invoiceEmail('ada@example.com', 'INV-4'), { idempotencyKey: 'k-4' });
    const error = await sender
      .send(invoiceEmail('ada@example.com', 'INV-4 (edited)'), { idempotencyKey: 'k-4' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(EmailSendError);
    expect((error as EmailSendError).retryable).toBe(false);
    expect((error as EmailSendError).code).toBe('invalid_idempotent_request');
    expect(await countByKey('k-4')).toBe(1);
  });

  it('is what createEmailSender picks without RESEND_API_KEY', async () => {
    const sender = createEmailSender(resendFromEnv({ RESEND_BASE_URL: 'http://127.0.0.1:9' }), db);
    expect(sender.provider).toBe('outbox');
    const { messageId } = await sender.send(invoiceEmail('env@example.com', 'INV-5'), {
      idempotencyKey: 'k-5',
    });
    expect((await getOutboxMessage(db, messageId))?.to_addresses).toEqual(['env@example.com']);
  });
});

describe('outbox repository', () => {
  it('gets a message with everything that was sent', async () => {
    const sender = createOutboxSender(db);
    const message = {
      ...invoiceEmail('lin@example.com', 'INV-6'),
      to: ['lin@example.com', 'Accounts <accounts@example.com>'],
    };
    const { messageId } = await sender.send(message, { idempotencyKey: 'k-6' });

    const stored = await getOutboxMessage(db, messageId);

    expect(stored).toMatchObject({
      id: messageId,
      idempotency_key: 'k-6',
      from_address: 'Billwright <billing@billwright.example>',
      to_addresses: ['lin@example.com', 'Accounts <accounts@example.com>'],
      subject: 'Your invoice INV-6',
      html: '<p>Invoice INV-6</p>',
      text: 'Invoice INV-6',
      attachments: [{ filename: 'INV-6.pdf', contentType: 'application/pdf', content: pdfBase64 }],
    });
    expect(stored!.created_at).toBeInstanceOf(Date);
    expect(await getOutboxMessage(db, 'msg_doesnotexist')).toBeUndefined();
  });

  it('lists messages newest first, filtered by recipient, up to the limit', async () => {
    const sender = createOutboxSender(db);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const { messageId } = await sender.send(
        { ...invoiceEmail('Zoe@Example.com', `INV-Z${n}`), to: [`Zoe <Zoe@Example.com>`] },
        { idempotencyKey: `k-zoe-${n}` },
      );
      ids.push(messageId);
    }
    await sender.send(invoiceEmail('someone-else@example.com', 'INV-X'), { idempotencyKey: 'k-x' });

    const forZoe = await listOutboxMessages(db, { to: 'zoe@example.com', limit: 10 });
    expect(forZoe.map((m) => m.id)).toEqual([...ids].reverse());
    expect(forZoe.map((m) => m.subject)).toEqual([
      'Your invoice INV-Z3',
      'Your invoice INV-Z2',
      'Your invoice INV-Z1',
    ]);

    const latestTwo = await listOutboxMessages(db, { to: 'ZOE@example.com', limit: 2 });
    expect(latestTwo.map((m) => m.id)).toEqual([ids[2], ids[1]]);

    // "oe@example.com" is not Zoe's address, only a substring of it.
    expect(await listOutboxMessages(db, { to: 'oe@example.com', limit: 10 })).toEqual([]);

    const everyone = await listOutboxMessages(db, { limit: 100 });
    expect(everyone.length).toBeGreaterThanOrEqual(4);
    expect(everyone[0]!.subject).toBe('Your invoice INV-X');
    const times = everyone.map((m) => m.created_at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('rejects a limit that is not a positive integer', async () => {
    await expect(listOutboxMessages(db, { limit: 0 })).rejects.toThrow(RangeError);
  });
});
