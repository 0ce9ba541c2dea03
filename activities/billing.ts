// Billing side effects, each idempotent by a business key (subscription + period, invoice +
// email kind, transition key), never by run id: retries, replays and continue-as-new are safe.
import { createHash } from 'node:crypto';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { BillwrightConfig } from '../config/index.ts';
import type { Db } from '../db/connect.ts';
import { createSubscriptionInvoice, storeInvoiceDocument } from '../db/repositories/invoices.ts';
import {
  recordSubscriptionTransition,
  type SubscriptionTransition,
} from '../db/repositories/subscription-transitions.ts';
import type { DocumentRenderer } from '../documents/renderer.ts';
import type { Money } from '../domain/money.ts';
import type { BillingPeriod } from '../domain/periods.ts';
import { EmailSendError, type EmailSender } from '../email/port.ts';
import { loadInvoiceView } from './invoice-view.ts';

export interface BillingDependencies {
  db: Db;
  renderer: DocumentRenderer;
  email: EmailSender;
  config: Pick<BillwrightConfig, 'emailFrom' | 'seller' | 'brand'>;
}

export interface IssueSubscriptionInvoiceInput {
  subscriptionId: string;
  customerId: string;
  planName: string;
  period: BillingPeriod;
  /** The flat charge for the period, billed in advance. */
  price: Money;
}

export interface IssuedInvoice {
  invoiceId: string;
  number: string;
  total: Money;
  /** False when an earlier attempt had already created it. */
  created: boolean;
}

export function createBillingActivities({ db, renderer, email, config }: BillingDependencies) {
  return {
    async issueSubscriptionInvoice(input: IssueSubscriptionInvoiceInput): Promise<IssuedInvoice> {
      const { period, price } = input;
      const { invoice, created } = await createSubscriptionInvoice(db, {
        customerId: input.customerId,
        subscriptionId: input.subscriptionId,
        currency: price.currency,
        periodStart: period.start,
        periodEnd: period.end,
        // In advance and due on receipt: issued when the period opens.
        issuedAt: period.start,
        dueAt: period.start,
        lines: [
          {
            description: input.planName,
            quantity: 1,
            unitAmount: price.amount,
            amount: price.amount,
            periodStart: period.start,
            periodEnd: period.end,
          },
        ],
      });
      await db
        .updateTable('subscriptions')
        .set({ current_period_start: period.start, current_period_end: period.end })
        .where('id', '=', input.subscriptionId)
        .execute();
      log.info('invoice issued', { invoiceId: invoice.id, number: invoice.number, created });
      return {
        invoiceId: invoice.id,
        number: invoice.number,
        total: { amount: invoice.total, currency: invoice.currency },
        created,
      };
    },

    /** Renders the invoice to HTML and stores it once; the stored hash is what was sent. */
    async renderInvoice(input: { invoiceId: string }): Promise<{ contentHash: string }> {
      const view = await loadInvoiceView(db, input.invoiceId, config);
      const content = renderer.renderInvoiceHtml(view);
      const contentHash = createHash('sha256').update(content).digest('hex');
      return storeInvoiceDocument(db, {
        invoiceId: input.invoiceId,
        format: 'html',
        content,
        contentHash,
      });
    },

    /**
     * Emails the invoice once. Our ledger row claims the business key before sending; the
     * same key goes to the provider, which drops a repeat if we crash between send and record.
     */
    async emailInvoice(input: {
      invoiceId: string;
    }): Promise<{ messageId: string; alreadySent: boolean }> {
      const idempotencyKey = `invoice/${input.invoiceId}/issued`;
      const view = await loadInvoiceView(db, input.invoiceId, config);
      const message = renderer.renderInvoiceEmail(view);
      await db
        .insertInto('email_deliveries')
        .values({
          idempotency_key: idempotencyKey,
          kind: 'invoice_issued',
          invoice_id: input.invoiceId,
          recipient: view.customer.email,
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
      if (delivery.status === 'sent') {
        return { messageId: delivery.provider_message_id ?? '', alreadySent: true };
      }
      try {
        const { messageId } = await email.send(
          {
            from: config.emailFrom,
            to: [view.customer.email],
            replyTo: config.seller.email,
            subject: message.subject,
            html: message.html,
            text: message.text,
            tags: { kind: 'invoice_issued', invoice: input.invoiceId },
          },
          { idempotencyKey },
        );
        await db
          .updateTable('email_deliveries')
          .set({ status: 'sent', provider_message_id: messageId, sent_at: new Date() })
          .where('idempotency_key', '=', idempotencyKey)
          .execute();
        return { messageId, alreadySent: false };
      } catch (error) {
        if (error instanceof EmailSendError && !error.retryable) {
          throw ApplicationFailure.nonRetryable(error.message, 'EmailRejected');
        }
        throw error;
      }
    },

    async recordTransition(transition: SubscriptionTransition): Promise<void> {
      await recordSubscriptionTransition(db, transition);
    },
  };
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;
