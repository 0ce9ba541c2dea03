// Billing side effects, each idempotent by a business key (subscription + period, invoice +
// email kind, transition key), never by run id: retries, replays and continue-as-new are safe.
import { log } from '@temporalio/activity';
import type { BillwrightConfig } from '../config/index.ts';
import type { Db } from '../db/connect.ts';
import { createSubscriptionInvoice, type InvoiceTaxSettings } from '../db/repositories/invoices.ts';
import {
  recordSubscriptionTransition,
  type SubscriptionTransition,
} from '../db/repositories/subscription-transitions.ts';
import type { PlanVersion, TaxBehavior } from '../domain/catalog.ts';
import type { Money } from '../domain/money.ts';
import { DEFAULT_NUMBERING } from '../domain/numbering.ts';
import { ratePeriod } from '../domain/rating/rate-period.ts';
import type { BillingPeriod } from '../domain/periods.ts';

export interface BillingDependencies {
  db: Db;
  config: Pick<BillwrightConfig, 'emailFrom' | 'seller' | 'brand'> &
    Partial<Pick<BillwrightConfig, 'invoiceNumbering'>>;
  /** How subscription invoices are taxed: the provider, the seller's registrations, rounding. */
  tax: InvoiceTaxSettings;
}

export interface IssueSubscriptionInvoiceInput {
  subscriptionId: string;
  customerId: string;
  planName: string;
  period: BillingPeriod;
  /** The flat charge for the period, billed in advance. */
  price: Money;
  /** Whether the price includes tax; default: the subscription's plan version's, else exclusive. */
  taxBehavior?: TaxBehavior;
}

export interface IssuedInvoice {
  invoiceId: string;
  number: string;
  total: Money;
  /** False when an earlier attempt had already created it. */
  created: boolean;
}

export function createBillingActivities({ db, config, tax }: BillingDependencies) {
  const numbering = config.invoiceNumbering ?? DEFAULT_NUMBERING;

  /** The price basis of the plan version the subscription is pinned to (exclusive if none). */
  async function taxBehaviorOf(subscriptionId: string): Promise<TaxBehavior> {
    const row = await db
      .selectFrom('subscriptions')
      .innerJoin('plan_versions', (join) =>
        join
          .onRef('plan_versions.plan_id', '=', 'subscriptions.plan_id')
          .onRef('plan_versions.version', '=', 'subscriptions.plan_version'),
      )
      .select('plan_versions.tax_behavior')
      .where('subscriptions.id', '=', subscriptionId)
      .executeTakeFirst();
    return row?.tax_behavior === 'inclusive' ? 'inclusive' : 'exclusive';
  }

  return {
    /**
     * Rates the period (the workflow's flat price, billed in advance), then creates and finalizes
     * its invoice in one transaction: taxed for the customer, numbered, due after the customer's
     * payment terms. The unique (subscription, period) key makes a retry return the same invoice.
     */
    async issueSubscriptionInvoice(input: IssueSubscriptionInvoiceInput): Promise<IssuedInvoice> {
      const { period, price } = input;
      const plan: PlanVersion = {
        planCode: input.planName,
        version: 1,
        currency: price.currency,
        billingCycle: { interval: 'month', intervalCount: 1 },
        taxBehavior: input.taxBehavior ?? (await taxBehaviorOf(input.subscriptionId)),
        charges: [
          {
            key: 'plan',
            type: 'flat',
            description: input.planName,
            billing: 'advance',
            amount: String(price.amount),
          },
        ],
      };
      const rated = ratePeriod({ plan, timing: 'advance', roundingMode: tax.rounding.mode });
      const net = new Map(rated.netLines.map((l) => [l.lineId, l.amount.amount]));
      const { invoice, created } = await createSubscriptionInvoice(
        db,
        {
          customerId: input.customerId,
          subscriptionId: input.subscriptionId,
          currency: rated.currency,
          periodStart: period.start,
          periodEnd: period.end,
          // In advance: issued (finalized) when the period opens, due after the payment terms.
          issuedAt: period.start,
          taxBehavior: plan.taxBehavior,
          lines: rated.lines.map((line) => ({
            description: line.description,
            quantity: 1,
            unitAmount: line.amount.amount,
            amount: line.amount.amount,
            discountAmount: line.amount.amount - (net.get(line.id) ?? line.amount.amount),
            periodStart: period.start,
            periodEnd: period.end,
          })),
        },
        { tax, numbering, seller: config.seller },
      );
      await db
        .updateTable('subscriptions')
        .set({ current_period_start: period.start, current_period_end: period.end })
        .where('id', '=', input.subscriptionId)
        .execute();
      log.info('invoice issued', { invoiceId: invoice.id, number: invoice.number, created });
      return {
        invoiceId: invoice.id,
        number: invoice.number ?? '',
        total: { amount: invoice.total, currency: invoice.currency },
        created,
      };
    },

    async recordTransition(transition: SubscriptionTransition): Promise<void> {
      await recordSubscriptionTransition(db, transition);
    },
  };
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;
