// A quote's side effects, each idempotent by the quote's id: its email with the signed
// acceptance link (once, by the email ledger's key), the customer's answer (recorded once, with
// its webhook event), the subscription an acceptance starts (through the subscription use case,
// handed in by the runtime: activities never import use cases), the expiry, and the operator's
// notices.
import { ApplicationFailure, log } from '@temporalio/activity';
import { getCustomer } from '../db/repositories/customers.ts';
import { getEstimate } from '../db/repositories/estimates.ts';
import { newId } from '../db/ids.ts';
import {
  expireQuote,
  getQuote,
  recordQuoteAnswer,
  type QuoteRecord,
} from '../db/repositories/quotes.ts';
import { quoteViewOf } from '../documents/estimate-view.ts';
import { escapeHtml } from '../documents/html.ts';
import { signHostedDocumentLink } from '../documents/hosted-links.ts';
import type { QuoteAnswer } from '../domain/quotes/terms.ts';
import { QUOTED_SUBSCRIPTION_REFUSED } from '../workflow-contracts/names.ts';
import { sendDocumentEmail, type EmailDependencies, type EmailResult } from './email.ts';

/**
 * Starts the subscription an accepted quote describes, under the id the acceptance chose, or
 * finds it started (a retry). Refused (with why) when the use case will not start it: the
 * customer can no longer be taxed, a coupon ran out. Throws when trying again may help.
 */
export type QuotedSubscriptionStarter = (
  quote: QuoteRecord,
) => Promise<{ outcome: 'started' | 'refused'; detail?: string }>;

/** Starts the project an accepted project quote describes, like QuotedSubscriptionStarter. */
export type QuotedProjectStarter = QuotedSubscriptionStarter;

export interface QuoteDependencies extends EmailDependencies {
  webhooks?: { operatorEmail: string | undefined } | undefined;
  /** Quotes cannot start subscriptions without one (a worker with no Temporal client). */
  startQuotedSubscription?: QuotedSubscriptionStarter | undefined;
  startQuotedProject?: QuotedProjectStarter | undefined;
}

/** The acceptance link stays valid this long past the validity, so a late visit sees "expired". */
const LINK_DAYS_AFTER_VALIDITY = 30;
const DAY_MS = 86_400_000;

/** The signed link of a quote's page; the same on every attempt (from the quote's own date). */
export function quoteLinkExpiry(quote: Pick<QuoteRecord, 'validUntil'>): Date {
  return new Date(quote.validUntil.getTime() + LINK_DAYS_AFTER_VALIDITY * DAY_MS);
}

export function createQuoteActivities(deps: QuoteDependencies) {
  const { db, seller, brand, publicBaseUrl, signingSecret, renderer } = deps;

  async function quoteOf(quoteId: string): Promise<QuoteRecord> {
    const quote = await getQuote(db, quoteId);
    // Retried: the issuing transaction may not have committed yet.
    if (!quote) throw new Error(`quote ${quoteId} does not exist (yet)`);
    return quote;
  }

  /** What an accepted quote describes, started by `starter` under `startedId`, once. */
  async function startAccepted(
    quote: QuoteRecord,
    startedId: string | null,
    starter: QuotedSubscriptionStarter | undefined,
  ): Promise<string> {
    if (quote.status !== 'accepted' || !startedId) {
      throw ApplicationFailure.nonRetryable(`quote ${quote.id} is not accepted`, 'QuoteClosed');
    }
    if (!starter) throw new Error('accepting quotes needs a Temporal client in the worker');
    const { outcome, detail } = await starter(quote);
    if (outcome === 'refused') {
      throw ApplicationFailure.nonRetryable(
        detail ?? `what quote ${quote.number} describes was refused`,
        QUOTED_SUBSCRIPTION_REFUSED,
      );
    }
    return startedId;
  }

  return {
    /** Emails the quote document with its signed acceptance link, once. */
    async emailQuote(input: { quoteId: string }): Promise<EmailResult> {
      if (!signingSecret) {
        throw ApplicationFailure.nonRetryable(
          'quote acceptance links need BILLWRIGHT_SIGNING_SECRET',
          'QuoteLinksNotConfigured',
        );
      }
      const quote = await quoteOf(input.quoteId);
      return sendDocumentEmail(deps, {
        kind: 'quote',
        idempotencyKey: `quote/${quote.id}/issued`,
        invoiceId: null,
        customerId: quote.customerId,
        tags: { quote: quote.id },
        async compose() {
          const [customer, estimate] = await Promise.all([
            getCustomer(db, quote.customerId),
            getEstimate(db, quote.estimateId),
          ]);
          if (!customer || !estimate)
            throw new Error(`quote ${quote.id} lost its customer or estimate`);
          const link = signHostedDocumentLink(
            publicBaseUrl,
            'quotes',
            quote.id,
            quoteLinkExpiry(quote),
            signingSecret,
          );
          const view = quoteViewOf({ seller, brand }, estimate, quote, link);
          return { to: customer.email, message: renderer.renderQuoteEmail(view) };
        },
      });
    },

    /**
     * Records the answer once, with its webhook event; an acceptance chooses the id of the
     * subscription it starts. A retry finds the answer recorded and answers the same.
     */
    async recordQuoteAnswer(input: {
      quoteId: string;
      answer: QuoteAnswer;
    }): Promise<{ subscriptionId: string | null; projectId?: string | null }> {
      const quote = await quoteOf(input.quoteId);
      const startedId = newId(quote.project ? 'prj' : 'sub');
      const change = await recordQuoteAnswer(db, input.quoteId, input.answer, startedId);
      if (change.outcome === 'closed') {
        throw ApplicationFailure.nonRetryable(
          `quote ${input.quoteId} is ${change.quote.status}`,
          'QuoteClosed',
        );
      }
      return {
        subscriptionId: change.quote.subscriptionId,
        ...(change.quote.project && { projectId: change.quote.projectId }),
      };
    },

    /** Starts the accepted project quote's project exactly once (its id was chosen at acceptance). */
    async startQuotedProject(input: { quoteId: string }): Promise<{ projectId: string }> {
      const quote = await quoteOf(input.quoteId);
      const projectId = await startAccepted(quote, quote.projectId, deps.startQuotedProject);
      return { projectId };
    },

    /** Starts the accepted quote's subscription exactly once (its id was chosen at acceptance). */
    async startQuotedSubscription(input: { quoteId: string }): Promise<{ subscriptionId: string }> {
      const quote = await quoteOf(input.quoteId);
      const subscriptionId = await startAccepted(
        quote,
        quote.subscriptionId,
        deps.startQuotedSubscription,
      );
      return { subscriptionId };
    },

    /** Marks the quote expired, once, with its quote.expired event. */
    async expireQuote(input: { quoteId: string }): Promise<void> {
      await expireQuote(db, input.quoteId);
    },

    /** Tells the operator (BILLWRIGHT_OPERATOR_EMAIL), once per quote and notice; none without one. */
    async notifyQuoteOperator(input: {
      quoteId: string;
      notice: 'expired' | 'start_refused';
      detail?: string;
    }): Promise<EmailResult | null> {
      const to = deps.webhooks?.operatorEmail;
      if (!to) {
        log.info('no operator address: quote notice not emailed', { ...input });
        return null;
      }
      const quote = await quoteOf(input.quoteId);
      const customer = await getCustomer(db, quote.customerId);
      const who = customer ? `${customer.name} (${customer.id})` : quote.customerId;
      const lines =
        input.notice === 'expired'
          ? [
              `Quote ${quote.number} to ${who} expired at ${quote.validUntil.toISOString()} without an answer.`,
              `It offered ${quote.project ? `project ${quote.project.name}` : `${quote.planCode} v${quote.planVersion} × ${quote.quantity}`}. Issue a new quote from its estimate (${quote.estimateId}) to offer it again.`,
            ]
          : [
              `Quote ${quote.number} was accepted by ${quote.accepted?.name ?? 'the customer'}, but its subscription could not be started: ${input.detail ?? 'refused'}.`,
              `Start it yourself (${quote.project ? 'POST /v1/projects' : `POST /v1/subscriptions, plan ${quote.planCode}`} for ${quote.customerId}) once the cause is fixed.`,
            ];
      return sendDocumentEmail(deps, {
        kind: 'operator_notice',
        idempotencyKey: `quote/${quote.id}/operator/${input.notice}`,
        // To the seller, about no one customer's document: dated in real time.
        invoiceId: null,
        compose: () =>
          Promise.resolve({
            to,
            message: {
              subject:
                input.notice === 'expired'
                  ? `Quote ${quote.number} expired unanswered`
                  : `Quote ${quote.number} accepted: subscription not started`,
              html: `<!doctype html><html><body style="font-family:sans-serif">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`,
              text: lines.join('\n\n'),
            },
          }),
      });
    },
  };
}

/** What the quote workflow calls through proxyActivities (import type only). */
export type QuoteActivities = ReturnType<typeof createQuoteActivities>;
