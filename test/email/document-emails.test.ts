// The one email path (activities/email.ts) on real PostgreSQL with the outbox provider: every
// kind of email goes out once per business key, however often the activity is retried, and a
// retry after the provider accepted but before our ledger recorded it sends the SAME message
// (same PDF bytes, same signed link), which the provider then drops as a repeat.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentActivities, createRenderActivities } from '../../activities/documents.ts';
import { createEmailActivities, type EmailDependencies } from '../../activities/email.ts';
import { loadConfig } from '../../config/index.ts';
import { newId } from '../../db/ids.ts';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import { createOutboxSender } from '../../email/outbox-sender.ts';
import type { EmailMessage, EmailSender } from '../../email/port.ts';
import { activitySettingsOf } from '../../runtime/activity-settings.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { insertInvoiceLine, insertInvoiceRow } from '../support/builders/invoices.ts';
import { countingPrinter } from '../support/counting-printer.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.destroy();
});

const activityEnv = new MockActivityEnvironment();
/** Runs an activity call as Temporal would: inside an activity context. */
const run = <R>(call: () => Promise<R>): Promise<R> => activityEnv.run(call);

/** The outbox, counting what reaches it and optionally "losing" the answer after it accepted. */
function recordingSender(loseAnswers = 0) {
  const outbox = createOutboxSender(testDb.db);
  const sent: { message: EmailMessage; key: string }[] = [];
  let toLose = loseAnswers;
  const sender: EmailSender = {
    provider: outbox.provider,
    async send(message, options) {
      sent.push({ message, key: options.idempotencyKey });
      const result = await outbox.send(message, options);
      if (toLose-- > 0) throw new Error('socket hang up after the provider accepted');
      return result;
    },
  };
  return { sender, sent };
}

/** A PDF printer whose bytes differ on every print (as real PDFs carry a creation date). */
async function insertInvoice(): Promise<{ invoiceId: string; customerId: string }> {
  const customer = await insertCustomer(testDb.db, { locale: 'en-GB', email: 'ada@example.com' });
  const invoiceId = await insertInvoiceRow(testDb.db, {
    customer_id: customer.id,
    subscription_id: null,
    issued_at: '2027-01-05T08:00:00Z',
    due_at: '2027-02-04T08:00:00Z',
  });
  await insertInvoiceLine(testDb.db, { invoice_id: invoiceId, total_amount: 5880 });
  return { invoiceId, customerId: customer.id };
}

function deps(email: EmailSender, pdf?: EmailDependencies['pdf']): EmailDependencies {
  const config = loadConfig({ BILLWRIGHT_SIGNING_SECRET: 's'.repeat(40) });
  return {
    db: testDb.db,
    renderer: createDocumentRenderer({ brand: config.brand }),
    email,
    ...activitySettingsOf(config),
    pdf,
  };
}

async function ledger(key: string) {
  return testDb.db
    .selectFrom('email_deliveries')
    .select(['status', 'attempts', 'kind', 'provider_message_id'])
    .where('idempotency_key', '=', key)
    .execute();
}

async function outboxFor(key: string) {
  return testDb.db
    .selectFrom('outbox_messages')
    .selectAll()
    .where('idempotency_key', '=', key)
    .execute();
}

/**
 * What the invoice delivery does before the email: render the HTML, then print the PDF (the
 * render queue's activity), printed twice as a retry would, which reuses the stored one.
 */
async function renderAndPrint(d: EmailDependencies, invoiceId: string) {
  const { contentHash } = await run(() => createDocumentActivities(d).renderInvoice({ invoiceId }));
  const render = createRenderActivities(d);
  const printed = await run(() => render.printInvoicePdf({ invoiceId, contentHash }));
  expect(await run(() => render.printInvoicePdf({ invoiceId, contentHash }))).toEqual(printed);
}

describe('invoice email', () => {
  it('attaches the stored PDF, links the hosted page, and sends once when retried', async () => {
    const { invoiceId } = await insertInvoice();
    const { sender, sent } = recordingSender();
    const pdf = countingPrinter();
    const d = deps(sender, pdf);
    await renderAndPrint(d, invoiceId);
    const activities = createEmailActivities(d);

    const first = await run(() => activities.emailInvoice({ invoiceId }));
    // The workflow lost the answer (timeout) and Temporal retries the activity.
    const second = await run(() => activities.emailInvoice({ invoiceId }));

    expect(first.alreadySent).toBe(false);
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    expect(sent).toHaveLength(1);
    const key = `invoice/${invoiceId}/issued`;
    expect(await ledger(key)).toEqual([
      { status: 'sent', attempts: 1, kind: 'invoice_issued', provider_message_id: first.messageId },
    ]);
    const [stored] = await outboxFor(key);
    expect(stored!.attachments).toHaveLength(1);
    const attachment = stored!.attachments[0]!;
    expect(attachment.filename).toMatch(/^INV-2027-.+\.pdf$/);
    expect(attachment.contentType).toBe('application/pdf');
    expect(Buffer.from(attachment.content, 'base64').toString()).toMatch(/^%PDF-1\.7 print 1 /);
    expect(stored!.text).toContain(`The invoice is attached as a PDF (${attachment.filename})`);
    expect(stored!.text).toMatch(
      new RegExp(`/hosted/invoices/${invoiceId}\\?expires=\\d+&signature=[\\w-]+`),
    );
    expect(stored!.html).toContain('View and pay invoice');
    expect(pdf.prints).toBe(1);
  });

  it('sends the identical message again when the provider accepted but we never recorded it', async () => {
    const { invoiceId } = await insertInvoice();
    const { sender, sent } = recordingSender(1);
    const pdf = countingPrinter();
    const d = deps(sender, pdf);
    await renderAndPrint(d, invoiceId);
    const activities = createEmailActivities(d);

    await expect(run(() => activities.emailInvoice({ invoiceId }))).rejects.toThrow(
      /socket hang up/,
    );
    const retried = await run(() => activities.emailInvoice({ invoiceId }));

    // The provider saw the key twice with byte-identical content (else it answers 409) and
    // kept one message: the PDF was printed once and stored, the link's expiry is the invoice's.
    expect(sent).toHaveLength(2);
    expect(sent[1]!.message).toEqual(sent[0]!.message);
    expect(pdf.prints).toBe(1);
    const key = `invoice/${invoiceId}/issued`;
    expect(await outboxFor(key)).toHaveLength(1);
    expect(await ledger(key)).toEqual([
      {
        status: 'sent',
        attempts: 2,
        kind: 'invoice_issued',
        provider_message_id: retried.messageId,
      },
    ]);
  });

  it('sends without attachment when no PDF printer is configured', async () => {
    const { invoiceId } = await insertInvoice();
    const { sender, sent } = recordingSender();
    const d = deps(sender);
    await renderAndPrint(d, invoiceId);
    await run(() => createEmailActivities(d).emailInvoice({ invoiceId }));
    expect(sent[0]!.message.attachments).toBeUndefined();
    expect(sent[0]!.message.text).not.toContain('attached');
  });

  it('fails without retry when the provider rejects the message', async () => {
    const { invoiceId } = await insertInvoice();
    const rejecting: EmailSender = {
      provider: 'outbox',
      send: (message, options) =>
        createOutboxSender(testDb.db).send({ ...message, to: [' '] }, options),
    };
    const error = await run(() =>
      createEmailActivities(deps(rejecting)).emailInvoice({
        invoiceId,
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as ApplicationFailure).type).toBe('EmailRejected');
  });
});

describe('receipt, credit note and reminder emails', () => {
  it('sends one receipt per payment, keyed invoice/<id>/receipt/<payment>, even when retried', async () => {
    const { invoiceId } = await insertInvoice();
    const { sender, sent } = recordingSender(1);
    const activities = createEmailActivities(deps(sender));
    const payment = {
      id: 'pay_1',
      amount: 2000,
      paidAt: '2027-01-06T10:00:00Z',
      method: 'Visa ending 4242',
    };

    await expect(run(() => activities.emailReceipt({ invoiceId, payment }))).rejects.toThrow(
      /socket/,
    );
    await run(() => activities.emailReceipt({ invoiceId, payment }));
    const again = await run(() => activities.emailReceipt({ invoiceId, payment }));
    expect(again.alreadySent).toBe(true);

    const key = `invoice/${invoiceId}/receipt/pay_1`;
    expect(await outboxFor(key)).toHaveLength(1);
    expect(await ledger(key)).toMatchObject([{ status: 'sent', kind: 'receipt', attempts: 2 }]);
    expect(sent[0]!.message.subject).toBe(
      'Thank you: we received €20.00 for invoice ' + sent[0]!.message.subject.split(' ').pop(),
    );
    expect(sent[0]!.message.text).toContain('There is still €38.80 open on this invoice');

    // A second payment is a second receipt.
    await run(() =>
      activities.emailReceipt({
        invoiceId,
        payment: { id: 'pay_2', amount: 3880, paidAt: '2027-01-07T10:00:00Z' },
      }),
    );
    expect(await outboxFor(`invoice/${invoiceId}/receipt/pay_2`)).toHaveLength(1);
  });

  it('sends a credit note once, keyed credit-note/<id>/issued', async () => {
    const { invoiceId, customerId } = await insertInvoice();
    const creditNoteId = newId('cn');
    await testDb.db
      .insertInto('credit_notes')
      .values({
        id: creditNoteId,
        number: `CN-2027-${creditNoteId.slice(-6)}`,
        invoice_id: invoiceId,
        customer_id: customerId,
        currency: 'EUR',
        reason: 'refund',
        memo: 'Charged twice in January',
        subtotal: 1000,
        tax: 200,
        total: 1200,
        issued_at: '2027-01-08T10:00:00Z',
      })
      .execute();
    const { sender, sent } = recordingSender();
    const activities = createEmailActivities(deps(sender));
    await run(() => activities.emailCreditNote({ creditNoteId }));
    const again = await run(() => activities.emailCreditNote({ creditNoteId }));
    expect(again.alreadySent).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.message.text).toContain('Why: Charged twice in January');
    expect(sent[0]!.message.text).toContain('We are refunding €12.00');
    expect(await ledger(`credit-note/${creditNoteId}/issued`)).toMatchObject([
      { status: 'sent', kind: 'credit_note_issued' },
    ]);
  });

  it('sends each reminder step once, in its tone', async () => {
    const { invoiceId } = await insertInvoice();
    const { sender, sent } = recordingSender();
    const activities = createEmailActivities(deps(sender));
    await run(() =>
      activities.emailPaymentReminder({ invoiceId, step: 'due-3d', tone: 'before_due' }),
    );
    await run(() =>
      activities.emailPaymentReminder({ invoiceId, step: 'due-3d', tone: 'before_due' }),
    );
    await run(() =>
      activities.emailPaymentReminder({ invoiceId, step: 'overdue-7d', tone: 'gentle' }),
    );
    expect(sent.map((s) => s.key)).toEqual([
      `invoice/${invoiceId}/reminder/due-3d`,
      `invoice/${invoiceId}/reminder/overdue-7d`,
    ]);
    expect(sent[0]!.message.subject).toMatch(/^A friendly heads-up/);
    expect(sent[1]!.message.text).toContain('It happens');
  });
});
