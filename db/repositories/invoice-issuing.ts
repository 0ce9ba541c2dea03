// Invoices created and finalized at once, one per business key: a subscription's period invoice
// (subscription, billing key) and a project's (project, billing key). The unique index decides, so
// a retried activity creates nothing twice.
import type { Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { Database, Invoice } from '../database.ts';
import { recordCouponApplications } from './coupon-applications.ts';
import {
  checkLines,
  draftValues,
  insertLines,
  type NewInvoiceLine,
  type NewSubscriptionInvoice,
} from './invoice-drafts.ts';
import {
  finalizeLocked,
  type FinalizeOptions,
  type FinalizeSettings,
} from './invoice-finalization.ts';
import type { PrecomputedTax } from './invoice-tax.ts';
import { lockInvoice } from './invoices.ts';
import { recordEvent } from './webhook-events.ts';
import { isBoundaryKey } from '../../domain/subscriptions/charges.ts';

/** The invoice that already holds the key, locked, and finalized if it is still a draft. */
async function keptInvoice(
  trx: Transaction<Database>,
  invoiceId: string,
  settings: FinalizeSettings,
): Promise<{ invoice: Invoice; created: false }> {
  const invoice = await lockInvoice(trx, invoiceId);
  if (invoice.status === 'draft') {
    return { invoice: await finalizeLocked(trx, invoice, settings), created: false };
  }
  return { invoice, created: false };
}

/**
 * The subscription lifecycle's invoice for one business key (subscription, boundary, kind):
 * created and finalized in one transaction, or the existing one returned. The unique
 * (subscription_id, billing_key) index decides, so a retried activity creates nothing twice.
 */
export async function createPeriodInvoice(
  db: Db,
  input: NewSubscriptionInvoice & {
    billingKey: string;
    /** What coupons took off it: recorded with the new invoice, never on a retry. */
    coupons?: Parameters<typeof recordCouponApplications>[1]['coupons'];
    /** The period the coupons count (couponPeriodKey). */
    couponPeriodKey?: string;
    /** The period a boundary opens (its advance period); default the invoice's period. */
    opening?: { start: string; end: string } | undefined;
  },
  finalize: Omit<FinalizeOptions, 'at'> & { taxed?: PrecomputedTax | undefined },
): Promise<{ invoice: Invoice; created: boolean }> {
  checkLines(input.lines);
  const settings: FinalizeSettings = { ...finalize, at: input.issuedAt, dueAt: input.dueAt };
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('invoices')
      .values({ ...draftValues(input), billing_key: input.billingKey })
      .onConflict((oc) =>
        oc
          .columns(['subscription_id', 'billing_key'])
          .where('billing_key', 'is not', null)
          .doNothing(),
      )
      .returningAll()
      .executeTakeFirst();
    if (inserted) {
      await insertLines(trx, inserted.id, input.lines);
      await recordEvent(trx, 'invoice.created', inserted);
      if (input.coupons && input.couponPeriodKey) {
        await recordCouponApplications(trx, {
          invoiceId: inserted.id,
          periodKey: input.couponPeriodKey,
          coupons: input.coupons,
        });
      }
      const invoice = await finalizeLocked(trx, inserted, settings);
      await recordRenewal(trx, input, invoice);
      return { invoice, created: true };
    }
    const existing = await trx
      .selectFrom('invoices')
      .select('id')
      .where('subscription_id', '=', input.subscriptionId)
      .where('billing_key', '=', input.billingKey)
      .executeTakeFirstOrThrow();
    return keptInvoice(trx, existing.id, settings);
  });
}

/**
 * `subscription.renewed`, when the invoice just inserted opens a period boundary after the
 * subscription's first one (an earlier boundary invoice exists; the keys sort by instant).
 */
async function recordRenewal(
  trx: Transaction<Database>,
  input: NewSubscriptionInvoice & {
    billingKey: string;
    opening?: { start: string; end: string } | undefined;
  },
  invoice: Invoice,
): Promise<void> {
  if (!isBoundaryKey(input.billingKey)) return;
  const earlier = await trx
    .selectFrom('invoices')
    .select('id')
    .where('subscription_id', '=', input.subscriptionId)
    .where('billing_key', 'like', '%/boundary')
    .where('billing_key', '<', input.billingKey)
    .executeTakeFirst();
  if (!earlier) return;
  const period = input.opening ?? { start: input.periodStart, end: input.periodEnd };
  await recordEvent(trx, 'subscription.renewed', {
    id: input.subscriptionId,
    customerId: input.customerId,
    periodStart: new Date(period.start).toISOString(),
    periodEnd: new Date(period.end).toISOString(),
    invoiceId: invoice.id,
  });
}

/** A project's invoice for one business key ("deposit", "milestone/design", "hours/2027-01"). */
export interface NewProjectInvoice {
  customerId: string;
  projectId: string;
  billingKey: string;
  currency: string;
  /** The finalization instant. */
  issuedAt: string;
  lines: NewInvoiceLine[];
}

/**
 * Creates and finalizes a project's invoice for its business key in one transaction, or returns
 * the one that exists: the unique (project_id, billing_key) index decides, so a retried activity
 * creates nothing twice. `attach` runs inside the transaction before the insert (e.g. to lock and
 * add uninvoiced hours) and `claim` after it (to mark them invoiced), so both commit with the
 * invoice or not at all. Null when there is nothing to invoice.
 */
export async function createProjectInvoice(
  db: Db,
  input: NewProjectInvoice,
  finalize: Omit<FinalizeOptions, 'at'>,
  hooks: {
    attach?: (trx: Transaction<Database>) => Promise<NewInvoiceLine[]>;
    claim?: (trx: Transaction<Database>, invoiceId: string) => Promise<void>;
  } = {},
): Promise<{ invoice: Invoice; created: boolean } | null> {
  checkLines(input.lines);
  const settings: FinalizeSettings = { ...finalize, at: input.issuedAt };
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('invoices')
      .select('id')
      .where('project_id', '=', input.projectId)
      .where('billing_key', '=', input.billingKey)
      .executeTakeFirst();
    if (existing) return keptInvoice(trx, existing.id, settings);
    const lines = [...input.lines, ...((await hooks.attach?.(trx)) ?? [])];
    if (lines.length === 0) return null;
    checkLines(lines);
    const inserted = await trx
      .insertInto('invoices')
      .values({
        ...draftValues({ customerId: input.customerId, currency: input.currency, lines }),
        billing_key: input.billingKey,
        project_id: input.projectId,
        origin: 'project',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertLines(trx, inserted.id, lines);
    await recordEvent(trx, 'invoice.created', inserted);
    await hooks.claim?.(trx, inserted.id);
    return { invoice: await finalizeLocked(trx, inserted, settings), created: true };
  });
}
