// Every customer email goes through ONE path, sendDocumentEmail: the email_deliveries ledger
// claims a business key (invoice/<id>/issued, invoice/<id>/receipt/<payment>,
// credit-note/<id>/issued, …) and the same key goes to the provider, which drops a repeat if we
// crash between its answer and our record. Retries, replays and continue-as-new send nothing twice.
import { ApplicationFailure, log } from '@temporalio/activity';
import { emailsSent } from '../observability/metrics.ts';
import type { Db } from '../db/connect.ts';
import { getInvoicePdf, type StoredPdf } from '../db/repositories/invoice-documents.ts';
import { getCreditNote } from '../db/repositories/credit-notes.ts';
import { getInvoice } from '../db/repositories/invoices.ts';
import { customerClockTime } from '../db/repositories/test-clocks.ts';
import {
  signHostedDocumentLink,
  signHostedInvoiceLink,
  type HostedDocumentKind,
} from '../documents/hosted-links.ts';
import type { DocumentRenderer, RenderedEmail } from '../documents/renderer.ts';
import { REMINDER_TONES, type InvoiceView, type ReminderTone } from '../documents/views.ts';
import type { SendWindow } from '../domain/collections/business-hours.ts';
import { EmailSendError, type EmailAttachment, type EmailSender } from '../email/port.ts';
import {
  customerDocumentPdf,
  loadCreditNoteView,
  receiptBalance,
  receiptViewOf,
} from './customer-documents.ts';
import type { DocumentDependencies } from './documents.ts';
import { withEInvoice } from './e-invoices.ts';
import { loadInvoiceView, type InvoiceViewSettings } from './invoice-view.ts';

/** What customer emails are sent as, link to and wait for; replies go to the seller's email. */
export interface EmailSettings extends InvoiceViewSettings {
  emailFrom: string;
  /** The base of hosted-page links. */
  publicBaseUrl: string;
  /** Signs hosted-page links; without it, emails carry no link (see documents/hosted-links.ts). */
  signingSecret?: string | undefined;
  emailSendWindow?: SendWindow | undefined;
}

export interface EmailDependencies extends EmailSettings {
  db: Db;
  renderer: DocumentRenderer;
  email: EmailSender;
  pdf?: DocumentDependencies['pdf'];
}

export interface EmailResult {
  messageId: string;
  /** True when an earlier attempt had already sent it: nothing was sent this time. */
  alreadySent: boolean;
}

/** One customer email, described by its business key and how to write it. */
export interface DocumentEmail {
  /** The ledger's kind, also a provider tag: "invoice_issued", "receipt", … */
  kind: string;
  /** The business key: claimed in the ledger and sent to the provider. */
  idempotencyKey: string;
  /** The invoice the email is about, for the ledger (null when none). */
  invoiceId: string | null;
  /**
   * The customer of an email about no invoice (a milestone's approval request): the email is
   * dated on their time. Without either, the email is the seller's own, in real time.
   */
  customerId?: string | undefined;
  /** Writes the email; called only when it has not been sent yet. */
  compose(): Promise<{
    to: string;
    message: RenderedEmail;
    attachments?: EmailAttachment[] | undefined;
  }>;
  tags?: Record<string, string>;
}

/** Hosted links must not change between attempts: their expiry follows the invoice, not now. */
const HOSTED_LINK_DAYS_AFTER_DUE = 90;
const DAY_MS = 86_400_000;

/**
 * Sends one email at most once per business key. A rejected message (bad address) fails the
 * activity without retries; everything else is retried by Temporal, safely.
 */
export async function sendDocumentEmail(
  deps: Pick<EmailDependencies, 'db' | 'email' | 'emailFrom' | 'seller'>,
  request: DocumentEmail,
): Promise<EmailResult> {
  const { db, email, emailFrom, seller } = deps;
  const { idempotencyKey } = request;
  const earlier = await db
    .selectFrom('email_deliveries')
    .select(['status', 'provider_message_id'])
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  if (earlier?.status === 'sent') {
    return { messageId: earlier.provider_message_id ?? '', alreadySent: true };
  }
  const { to, message, attachments } = await request.compose();
  await db
    .insertInto('email_deliveries')
    .values({
      idempotency_key: idempotencyKey,
      kind: request.kind,
      invoice_id: request.invoiceId,
      recipient: to,
      subject: message.subject,
      provider: email.provider,
      status: 'pending',
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
  const delivery = await db
    .updateTable('email_deliveries')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('idempotency_key', '=', idempotencyKey)
    .returning(['status', 'provider_message_id'])
    .executeTakeFirstOrThrow();
  // A concurrent attempt may have finished between our read and our claim.
  if (delivery.status === 'sent') {
    return { messageId: delivery.provider_message_id ?? '', alreadySent: true };
  }
  const clockedAt = await clockedSendTime(db, request);
  try {
    const { messageId } = await email.send(
      {
        ...(clockedAt && { sentAt: clockedAt }),
        from: emailFrom,
        to: [to],
        replyTo: seller.email,
        subject: message.subject,
        html: message.html,
        text: message.text,
        ...(attachments?.length ? { attachments } : {}),
        tags: { kind: request.kind, ...request.tags },
      },
      { idempotencyKey },
    );
    const marked = await db
      .updateTable('email_deliveries')
      .set({ status: 'sent', provider_message_id: messageId, sent_at: clockedAt ?? new Date() })
      .where('idempotency_key', '=', idempotencyKey)
      .where('status', '!=', 'sent')
      .executeTakeFirst();
    // Counted by the attempt that marked it sent: a concurrent or retried attempt finds it sent.
    if (marked.numUpdatedRows > 0n) emailsSent.inc({ kind: request.kind });
    log.info('email sent', { kind: request.kind, idempotencyKey, messageId });
    return { messageId, alreadySent: false };
  } catch (error) {
    if (error instanceof EmailSendError && !error.retryable) {
      throw ApplicationFailure.nonRetryable(error.message, 'EmailRejected');
    }
    throw error;
  }
}

/**
 * When a clocked customer's email is sent: their test clock's instant. Undefined otherwise: the
 * provider stamps its own time (and a retried message stays byte for byte the same).
 */
async function clockedSendTime(db: Db, request: DocumentEmail): Promise<Date | undefined> {
  const customerId =
    request.customerId ??
    (request.invoiceId === null
      ? undefined
      : (
          await db
            .selectFrom('invoices')
            .select('customer_id')
            .where('id', '=', request.invoiceId)
            .executeTakeFirst()
        )?.customer_id);
  return customerId === undefined ? undefined : customerClockTime(db, customerId);
}

export interface PaymentReceived {
  /** The payment's own id: one receipt per payment. */
  id: string;
  amount: number;
  paidAt: string;
  /** As the customer recognises it: "Visa ending 4242", "Bank transfer". */
  method?: string;
}

/** A stored PDF as the email's attachment, named `<name>.pdf`; none without one. */
function pdfAttachment(pdf: StoredPdf | undefined, name: string) {
  if (!pdf) return { attachmentName: undefined, attachments: undefined };
  const attachmentName = `${name}.pdf`;
  const attachments: EmailAttachment[] = [
    {
      filename: attachmentName,
      contentType: 'application/pdf',
      content: pdf.pdf.toString('base64'),
    },
  ];
  return { attachmentName, attachments };
}

export function createEmailActivities(deps: EmailDependencies) {
  const { db, renderer, publicBaseUrl, signingSecret } = deps;

  /** A signed link to the invoice's hosted page, the same on every attempt; none without a secret. */
  function hostedUrl(view: InvoiceView): string | undefined {
    if (!signingSecret) return undefined;
    const from = Date.parse(view.invoice.dueAt || view.invoice.issuedAt);
    const expiresAt = new Date(from + HOSTED_LINK_DAYS_AFTER_DUE * DAY_MS);
    return signHostedInvoiceLink(publicBaseUrl, view.invoice.id, expiresAt, signingSecret);
  }

  async function invoiceWithLink(invoiceId: string): Promise<InvoiceView> {
    const view = await loadInvoiceView(db, invoiceId, deps);
    const url = view.hostedUrl ?? hostedUrl(view);
    return url ? { ...view, hostedUrl: url } : view;
  }

  /** A signed link to a credit note's or receipt's page, its expiry fixed by the document's date. */
  function documentUrl(kind: HostedDocumentKind, id: string, dated: Date): string | undefined {
    if (!signingSecret) return undefined;
    const expiresAt = new Date(dated.getTime() + HOSTED_LINK_DAYS_AFTER_DUE * DAY_MS);
    return signHostedDocumentLink(publicBaseUrl, kind, id, expiresAt, signingSecret);
  }

  return {
    /** Emails the invoice once, with its stored PDF when one was printed and its hosted page when signed. */
    async emailInvoice(input: { invoiceId: string }): Promise<EmailResult> {
      return sendDocumentEmail(deps, {
        kind: 'invoice_issued',
        idempotencyKey: `invoice/${input.invoiceId}/issued`,
        invoiceId: input.invoiceId,
        tags: { invoice: input.invoiceId },
        async compose() {
          const view = await invoiceWithLink(input.invoiceId);
          const { attachmentName, attachments } = pdfAttachment(
            await getInvoicePdf(db, input.invoiceId), // printed by printInvoicePdf
            view.invoice.number || view.invoice.id,
          );
          return {
            to: view.customer.email,
            message: renderer.renderInvoiceEmail(view, { attachmentName }),
            attachments: await withEInvoice(
              deps,
              { kind: 'invoice', id: view.invoice.id },
              attachments,
            ),
          };
        },
      });
    },

    /** "Payment received, thank you" once per payment. */
    async emailReceipt(input: {
      invoiceId: string;
      payment: PaymentReceived;
    }): Promise<EmailResult> {
      const { invoiceId, payment } = input;
      return sendDocumentEmail(deps, {
        kind: 'receipt',
        idempotencyKey: `invoice/${invoiceId}/receipt/${payment.id}`,
        invoiceId,
        tags: { invoice: invoiceId },
        async compose() {
          const view = await invoiceWithLink(invoiceId);
          const balance = await receiptBalance(
            db,
            invoiceId,
            view.invoice.total,
            payment.amount,
            payment.id,
          );
          // A recorded payment has its receipt document: attached, and its page linked.
          const recorded = await db
            .selectFrom('payments')
            .select('paid_at')
            .where('id', '=', payment.id)
            .executeTakeFirst();
          const receiptUrl = recorded && documentUrl('receipts', payment.id, recorded.paid_at);
          const { attachmentName, attachments } = recorded
            ? pdfAttachment(
                await customerDocumentPdf(deps, { kind: 'receipt', subjectId: payment.id }),
                `receipt-${payment.id}`,
              )
            : pdfAttachment(undefined, '');
          return {
            to: view.customer.email,
            attachments,
            message: renderer.renderReceiptEmail(
              {
                ...receiptViewOf(view, payment, balance),
                ...(view.hostedUrl ? { hostedUrl: view.hostedUrl } : {}),
                ...(receiptUrl ? { receiptUrl } : {}),
              },
              { attachmentName },
            ),
          };
        },
      });
    },

    /**
     * What was credited and why, once per credit note, whatever issued it (a void, a refund, a
     * correction): with its PDF when PDFs are printed and its hosted page when signed.
     */
    async emailCreditNote(input: { creditNoteId: string }): Promise<EmailResult> {
      const found = await getCreditNote(db, input.creditNoteId);
      if (!found)
        throw ApplicationFailure.nonRetryable(`credit note ${input.creditNoteId} not found`);
      const { creditNote } = found;
      const ref = { kind: 'credit_note', subjectId: creditNote.id } as const;
      return sendDocumentEmail(deps, {
        kind: 'credit_note_issued',
        idempotencyKey: `credit-note/${creditNote.id}/issued`,
        invoiceId: creditNote.invoice_id,
        tags: { invoice: creditNote.invoice_id, credit_note: creditNote.id },
        async compose() {
          const view = (await loadCreditNoteView(db, creditNote.id, deps))!;
          const url = documentUrl('credit-notes', creditNote.id, creditNote.issued_at);
          const { attachmentName, attachments } = pdfAttachment(
            await customerDocumentPdf(deps, ref),
            creditNote.number,
          );
          return {
            to: view.customer.email,
            message: renderer.renderCreditNoteEmail(url ? { ...view, hostedUrl: url } : view, {
              attachmentName,
            }),
            attachments: await withEInvoice(
              deps,
              { kind: 'credit_note', id: creditNote.id },
              attachments,
            ),
          };
        },
      });
    },

    /** One reminder per dunning step (`step` names it, e.g. "due-3d", "overdue-7d"). */
    async emailPaymentReminder(input: {
      invoiceId: string;
      step: string;
      tone: ReminderTone;
      consequence?: string;
      /** Overdue reminders: "reminder 2 of 3", and how long it has been due. */
      number?: number;
      of?: number;
      daysOverdue?: number;
    }): Promise<EmailResult> {
      if (!REMINDER_TONES.includes(input.tone)) {
        throw ApplicationFailure.nonRetryable(`unknown reminder tone ${input.tone}`);
      }
      return sendDocumentEmail(deps, {
        kind: 'payment_reminder',
        idempotencyKey: `invoice/${input.invoiceId}/reminder/${input.step}`,
        invoiceId: input.invoiceId,
        tags: { invoice: input.invoiceId, tone: input.tone },
        async compose() {
          const view = await invoiceWithLink(input.invoiceId);
          const row = await getInvoice(db, input.invoiceId);
          return {
            to: view.customer.email,
            message: renderer.renderReminderEmail({
              seller: view.seller,
              brand: view.brand,
              customer: view.customer,
              invoice: view.invoice,
              tone: input.tone,
              amountDue: row?.amount_due ?? view.invoice.total,
              // A partial payment: the reminder thanks for it and asks only for the rest.
              amountPaid: row?.amount_paid ?? 0,
              ...(input.number !== undefined && { reminderNumber: input.number }),
              ...(input.of !== undefined && { reminderCount: input.of }),
              ...(input.daysOverdue !== undefined && { daysOverdue: input.daysOverdue }),
              ...(view.hostedUrl ? { hostedUrl: view.hostedUrl } : {}),
              ...(input.consequence ? { consequence: input.consequence } : {}),
            }),
          };
        },
      });
    },

    /** The operator's sending window (EMAIL_SEND_WINDOW), read when needed so a change applies at once. */
    // eslint-disable-next-line @typescript-eslint/require-await
    async emailSendWindow(): Promise<SendWindow | null> {
      return deps.emailSendWindow ?? null;
    },
  };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;
