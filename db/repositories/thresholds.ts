// Threshold billing as stored (issue #14): a subscription's billing threshold, and what the
// interim invoices of one of its periods billed, line by line (domain/invoicing/threshold.ts).
import type { Db } from '../connect.ts';
import {
  interimBilledOfLines,
  thresholdKeyPrefix,
  type InterimBilled,
  type InterimInvoiceLine,
  type ThresholdStatus,
} from '../../domain/invoicing/threshold.ts';
import type { SubscriptionRecord } from './subscriptions.ts';

/** Sets (or clears, with null) the subscription's threshold; false when it does not exist. */
export async function setBillingThreshold(
  db: Db,
  subscriptionId: string,
  billingThreshold: number | null,
): Promise<boolean> {
  const updated = await db
    .updateTable('subscriptions')
    .set({ billing_threshold: billingThreshold, updated_at: new Date() })
    .where('id', '=', subscriptionId)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

/** The subscription's threshold as stored now (null: none, or no such subscription). */
export async function billingThresholdOf(db: Db, subscriptionId: string): Promise<number | null> {
  const row = await db
    .selectFrom('subscriptions')
    .select('billing_threshold')
    .where('id', '=', subscriptionId)
    .executeTakeFirst();
  return row?.billing_threshold ?? null;
}

/**
 * The lines of the interim invoices of the period ending `periodEnd`, in the order they were
 * issued (void ones aside: a voided interim invoice billed nothing, so the period end bills
 * its usage again). Only lines with their rating's arithmetic.
 */
export async function interimInvoiceLines(
  db: Db,
  subscriptionId: string,
  periodEnd: string,
): Promise<InterimInvoiceLine[]> {
  const rows = await db
    .selectFrom('invoices as i')
    .innerJoin('invoice_lines as l', 'l.invoice_id', 'i.id')
    .select([
      'i.id',
      'i.number',
      'i.created_at',
      'l.position',
      'l.amount',
      'l.discount_amount',
      'l.total_amount',
      'l.period_start',
      'l.arithmetic',
    ])
    .where('i.subscription_id', '=', subscriptionId)
    .where('i.billing_key', 'like', `${thresholdKeyPrefix(periodEnd)}%`)
    .where('i.status', '!=', 'void')
    .orderBy('i.created_at')
    .orderBy('i.id')
    .orderBy('l.position')
    .execute();
  return rows.flatMap((row) =>
    !row.arithmetic || !row.period_start
      ? []
      : [
          {
            invoiceId: row.id,
            number: row.number ?? row.id,
            position: row.position,
            amount: row.amount,
            discountAmount: row.discount_amount,
            totalAmount: row.total_amount,
            periodStart: row.period_start.toISOString(),
            arithmetic: row.arithmetic,
          },
        ],
  );
}

/** What the interim invoices of the period ending `periodEnd` billed, line by line. */
export async function interimBilled(
  db: Db,
  subscriptionId: string,
  periodEnd: string,
): Promise<InterimBilled> {
  return interimBilledOfLines(await interimInvoiceLines(db, subscriptionId, periodEnd));
}

/** Interim invoices issued for the period ending `periodEnd` (void ones counted: keys stay). */
export async function interimInvoiceCount(
  db: Db,
  subscriptionId: string,
  periodEnd: string,
): Promise<number> {
  const row = await db
    .selectFrom('invoices')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('subscription_id', '=', subscriptionId)
    .where('billing_key', 'like', `${thresholdKeyPrefix(periodEnd)}%`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The subscription's unbilled usage this period against its threshold; null without one. */
export async function thresholdStatusOf(
  db: Db,
  subscription: SubscriptionRecord,
  unbilled: number,
): Promise<ThresholdStatus | null> {
  if (subscription.billingThreshold === null || !subscription.currentPeriodEnd) return null;
  const periodEnd = subscription.currentPeriodEnd.toISOString();
  return {
    subscriptionId: subscription.id,
    periodEnd,
    billingThreshold: subscription.billingThreshold,
    unbilled,
    interimInvoices: await interimInvoiceCount(db, subscription.id, periodEnd),
  };
}

/** The interim invoice with this key, if an earlier attempt or request issued it. */
export async function interimInvoiceByKey(db: Db, subscriptionId: string, billingKey: string) {
  return db
    .selectFrom('invoices')
    .select(['id', 'number', 'total', 'currency'])
    .where('subscription_id', '=', subscriptionId)
    .where('billing_key', '=', billingKey)
    .executeTakeFirst();
}
