// The subscription lifecycle's side effects: its invoices (and credit notes), status transitions
// and applied changes, each idempotent by a business key (subscription + billing key, transition
// key, change key), never by run id: retries, replays and continue-as-new are safe.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { DateTime } from 'luxon';
import { inTransaction, type Db } from '../db/connect.ts';
import {
  advanceLinesToCredit,
  issueCreditNoteLocked,
  unusedLineCredits,
} from '../db/repositories/credit-notes.ts';
import { createPeriodInvoice } from '../db/repositories/invoice-issuing.ts';
import { taxNewInvoice, type InvoiceTaxSettings } from '../db/repositories/invoice-tax.ts';
import { lockInvoice } from '../db/repositories/invoices.ts';
import { recordBillingRunFailure } from '../db/repositories/billing-runs.ts';
import {
  couponPeriodKey,
  couponsForPeriod,
  type ActiveCoupon,
} from '../db/repositories/coupon-applications.ts';
import { closeUsageThrough } from '../db/repositories/usage.ts';
import { segmentsWithUsage } from '../db/repositories/usage-aggregation.ts';
import {
  recordSubscriptionTransition,
  type SubscriptionTransition,
} from '../db/repositories/subscription-transitions.ts';
import { recordAppliedChange, type AppliedChange } from '../db/repositories/subscriptions.ts';
import type { Span } from '../domain/subscriptions/billing-cycles.ts';
import { canApply } from '../domain/invoicing/lifecycle.ts';
import { billedPlan, type InvoiceWindows } from '../domain/invoicing/boundary.ts';
import { ratePeriodInvoice, storedLines } from '../domain/invoicing/period-invoice.ts';
import { money, type Money } from '../domain/core/money.ts';
import type { NumberingSettings } from '../domain/invoicing/numbering.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';
import type { DiscountLine } from '../domain/rating/types.ts';
import { billingRunLag, creditNotesIssued, invoicesIssued } from '../observability/metrics.ts';
import { translate } from '../i18n/catalogue.ts';
import { wordLines } from './line-wording.ts';
import { settleInterimBilled } from './threshold-credits.ts';

/** Who invoices are issued by and how they are numbered (subscription and project invoices alike). */
export interface InvoicingSettings {
  /** The seller as invoices print it, kept with each at finalization. */
  seller: SellerDetails;
  invoiceNumbering: NumberingSettings;
}

/** What issuing an invoice needs. */
export interface InvoicingDependencies extends InvoicingSettings {
  db: Db;
  /** How subscription invoices are taxed: the provider, the seller's registrations, rounding. */
  tax: InvoiceTaxSettings;
}

/** One invoice of the subscription lifecycle, for one (subscription, boundary, kind). */
export interface IssuePeriodInvoiceInput extends InvoiceWindows {
  subscriptionId: string;
  customerId: string;
  /** The business key within the subscription, e.g. "2027-03-01T00:00:00.000Z/boundary". */
  billingKey: string;
  /** The invoice date (the boundary, or the cancel instant). */
  issuedAt: string;
  /** The customer's zone, in which prorations count days. */
  timezone: string;
  /** The billing period whose coupons count: the one that opens, or the one that closes. */
  couponPeriod: Span;
  /** Credits the unused part of this period's advance charges from `from` (cancel, change). */
  creditUnused?: { period: Span; from: string };
}

export interface IssuedCreditNote {
  creditNoteId: string;
  number: string;
  total: Money;
}

export interface IssuedPeriodInvoice {
  /** Null when nothing falls due (no advance or arrears lines). */
  invoice: IssuedInvoice | null;
  /** Credit notes for unused time (a cancel or a change mid-period), one per invoice credited. */
  creditNotes: IssuedCreditNote[];
}

export interface IssuedInvoice {
  invoiceId: string;
  number: string;
  total: Money;
  /** False when an earlier attempt had already created it. */
  created: boolean;
}

/** The credit note's reason, in the language of the invoice it credits (its document's). */
function unusedTimeMemo(
  locale: string,
  from: string,
  until: string,
  { timezone }: { timezone: string },
): string {
  const day = (instant: string) =>
    DateTime.fromISO(instant, { zone: timezone })
      .setLocale(locale)
      .toLocaleString(DateTime.DATE_FULL);
  return translate(locale, 'lines.unusedTime', { from: day(from), until: day(until) });
}

export function createSubscriptionActivities({
  db,
  seller,
  invoiceNumbering: numbering,
  tax,
}: InvoicingDependencies) {
  /**
   * Credits the unused part [from, period.end) of every advance line billed for `period` (by
   * its boundary invoice, or by a change since), one credit note per invoice, each keyed by
   * `<key>/<invoice>` and checked under the invoice's row lock, so a retry finds it. A line
   * already credited by the lifecycle (a change replaced it) is not credited again.
   */
  async function creditUnusedTime(
    subscriptionId: string,
    billingKey: string,
    request: { period: Span; from: string; timezone: string },
  ): Promise<IssuedCreditNote[]> {
    const { period, from } = request;
    const lines = await advanceLinesToCredit(db, { subscriptionId, period, from, billingKey });
    const byInvoice = new Map<string, typeof lines>();
    for (const line of lines) {
      byInvoice.set(line.invoice_id, [...(byInvoice.get(line.invoice_id) ?? []), line]);
    }
    const notes: IssuedCreditNote[] = [];
    for (const [invoiceId, invoiceLines] of byInvoice) {
      const key = `${billingKey}/${invoiceId}`;
      const note = await inTransaction(db, async (trx) => {
        const invoice = await lockInvoice(trx, invoiceId);
        const existing = await trx
          .selectFrom('credit_notes')
          .selectAll()
          .where('billing_key', '=', key)
          .executeTakeFirst();
        if (existing) {
          const total = money(existing.total, existing.currency);
          return { creditNoteId: existing.id, number: existing.number, total, created: false };
        }
        if (!canApply('credit', invoice.status)) return null;
        const credit = unusedLineCredits(invoiceLines, period, from, {
          timezone: request.timezone,
          mode: tax.rounding.mode,
        })
          .map((l) => ({ position: l.position, amount: l.amount }))
          .filter((l) => l.amount > 0);
        if (credit.length === 0) return null;
        const issued = await issueCreditNoteLocked(trx, invoice, {
          reason: 'other',
          memo: unusedTimeMemo(invoice.customer_details?.locale ?? 'en', from, period.end, request),
          credit: { lines: credit },
          numbering,
          at: from,
          billingKey: key,
        });
        if (!issued) return null;
        const cn = issued.creditNote;
        const total = money(cn.total, cn.currency);
        return { creditNoteId: cn.id, number: cn.number, total, created: true };
      });
      if (!note) continue;
      // Counted once the transaction that issued it committed; a retry finds it (created false).
      if (note.created)
        creditNotesIssued.inc({ origin: 'subscription', currency: note.total.currency });
      notes.push({ creditNoteId: note.creditNoteId, number: note.number, total: note.total });
    }
    return notes;
  }

  async function existingInvoice(input: IssuePeriodInvoiceInput): Promise<IssuedInvoice | null> {
    const found = await db
      .selectFrom('invoices')
      .select(['id', 'number', 'total', 'currency'])
      .where('subscription_id', '=', input.subscriptionId)
      .where('billing_key', '=', input.billingKey)
      .executeTakeFirst();
    if (!found) return null;
    return {
      invoiceId: found.id,
      number: found.number ?? '',
      total: money(found.total, found.currency),
      created: false,
    };
  }

  /** Rates, taxes (before the transaction) and creates the invoice; null when nothing is due. */
  async function createInvoice(input: IssuePeriodInvoiceInput): Promise<IssuedInvoice | null> {
    const { arrears } = input;
    if (arrears && arrears.segments.length > 0) {
      const end = arrears.segments.at(-1)!.to;
      const usesUsage = arrears.segments.some((s) =>
        s.plan.charges.some((c) => c.type === 'usage'),
      );
      if (usesUsage) await closeUsageThrough(db, input.subscriptionId, new Date(end));
    }
    const couponPeriodKey = periodKeyOf(input);
    const coupons = await couponsForPeriod(db, {
      customerId: input.customerId,
      subscriptionId: input.subscriptionId,
      periodKey: couponPeriodKey,
    });
    const ratedPeriod = ratePeriodInvoice({
      timezone: input.timezone,
      roundingMode: tax.rounding.mode,
      ...(arrears && {
        arrears: {
          period: arrears.period,
          segments: await segmentsWithUsage(db, {
            customerId: input.customerId,
            segments: arrears.segments,
          }),
        },
      }),
      advance: input.advance,
      coupons,
    });
    // Less what the period's interim invoices (threshold billing) billed; any excess credited.
    const rated = arrears
      ? await settleInterimBilled({ db, numbering }, ratedPeriod, {
          ...input,
          periodEnd: arrears.period.end,
        })
      : ratedPeriod;
    if (rated.lines.length === 0 || !rated.period) return null;
    const plan = billedPlan(input);
    const { locale } = await db
      .selectFrom('customers')
      .select('locale')
      .where('id', '=', input.customerId)
      .executeTakeFirstOrThrow();
    const invoice = {
      customerId: input.customerId,
      subscriptionId: input.subscriptionId,
      billingKey: input.billingKey,
      currency: rated.currency,
      periodStart: rated.period.start,
      periodEnd: rated.period.end,
      issuedAt: input.issuedAt,
      taxBehavior: plan.taxBehavior,
      lines: wordLines(locale, storedLines(rated)),
      coupons: couponUses(coupons, rated.discounts),
      couponPeriodKey,
      opening: input.advance?.period,
    };
    const taxed = await taxNewInvoice(db, invoice, tax);
    const { invoice: created, created: isNew } = await createPeriodInvoice(db, invoice, {
      tax,
      taxed,
      numbering,
      seller,
    });
    log.info('period invoice issued', {
      invoiceId: created.id,
      key: input.billingKey,
      created: isNew,
    });
    // A metric never fails the activity that issued the invoice.
    if (isNew) {
      await countIssued(input, created).catch((e: unknown) => {
        log.warn('invoice lag not measured', { error: String(e) });
      });
    }
    return {
      invoiceId: created.id,
      number: created.number ?? '',
      total: money(created.total, created.currency),
      created: isNew,
    };
  }

  /** The invoice by its key (created, or found from an earlier attempt), then the row and credits. */
  async function issuePeriodInvoice(input: IssuePeriodInvoiceInput): Promise<IssuedPeriodInvoice> {
    let issued: IssuedInvoice | null = await existingInvoice(input);
    if (!issued) issued = await createInvoice(input);
    if (input.advance) {
      await db
        .updateTable('subscriptions')
        .set({
          // A first stub period starts when billing did.
          current_period_start: input.advance.from ?? input.advance.period.start,
          current_period_end: input.advance.period.end,
        })
        .where('id', '=', input.subscriptionId)
        .execute();
    }
    // Credited after the new invoice exists, so a change's own lines are never credited here.
    const creditNotes = input.creditUnused
      ? await creditUnusedTime(input.subscriptionId, `${input.billingKey}/credit`, {
          ...input.creditUnused,
          timezone: input.timezone,
        })
      : [];
    return { invoice: issued, creditNotes };
  }

  /** The invoice counted once, when this attempt's transaction created it; its lag if a renewal. */
  async function countIssued(
    input: IssuePeriodInvoiceInput,
    invoice: { currency: string; created_at: Date },
  ): Promise<void> {
    invoicesIssued.inc({ origin: 'subscription', currency: invoice.currency });
    if (!input.billingKey.endsWith('/boundary')) return;
    // A test clock's boundaries are in virtual time: their lag in real time means nothing.
    const customer = await db
      .selectFrom('customers')
      .select('test_clock_id')
      .where('id', '=', input.customerId)
      .executeTakeFirst();
    if (customer?.test_clock_id) return;
    const lagMs = invoice.created_at.getTime() - Date.parse(input.issuedAt);
    billingRunLag.observe(Math.max(lagMs, 0) / 1000);
  }

  /**
   * Records why this attempt failed, for the bill-run view (GET /v1/billing-runs), then lets the
   * failure go on to Temporal. Best effort: when the database itself is down, the view shows the
   * renewal as late rather than failing.
   */
  async function recordFailure(input: IssuePeriodInvoiceInput, error: unknown): Promise<void> {
    const { attempt, retryPolicy } = Context.current().info;
    const exhausted =
      retryPolicy?.maximumAttempts !== undefined && attempt >= retryPolicy.maximumAttempts;
    const nonRetryable = error instanceof ApplicationFailure && error.nonRetryable;
    try {
      await recordBillingRunFailure(db, {
        subscriptionId: input.subscriptionId,
        customerId: input.customerId,
        billingKey: input.billingKey,
        dueAt: input.issuedAt,
        attempt,
        error: error instanceof Error ? error.message : String(error),
        retrying: !exhausted && !nonRetryable,
      });
    } catch (recording) {
      log.warn('billing run failure not recorded', {
        key: input.billingKey,
        error: String(recording),
      });
    }
  }

  return {
    /**
     * The lifecycle's invoice: the windows the workflow chose (boundary.ts) rated through the one
     * path (period-invoice.ts) with the usage of each segment and the coupons of the period,
     * taxed before the transaction, then created, coupon uses recorded and finalized in one
     * transaction keyed by (subscription, billingKey); on a cancel or change, a credit note for
     * the unused advance charges, keyed the same way. Usage is closed through the end of the
     * arrears BEFORE it is aggregated, so no late event lands in a period already billed.
     * Retries return what exists.
     */
    async issuePeriodInvoice(input: IssuePeriodInvoiceInput): Promise<IssuedPeriodInvoice> {
      try {
        return await issuePeriodInvoice(input);
      } catch (error) {
        await recordFailure(input, error);
        throw error;
      }
    },

    async recordTransition(transition: SubscriptionTransition): Promise<void> {
      await recordSubscriptionTransition(db, transition);
    },

    /** The row follows a change the workflow applied (now, or at a boundary); once per key. */
    async recordSubscriptionChange(change: AppliedChange): Promise<void> {
      const recorded = await recordAppliedChange(db, change);
      log.info('subscription change recorded', { key: change.changeKey, recorded });
    },
  };
}

/** What the subscription workflow calls through proxyActivities (import type only). */
export type SubscriptionActivities = ReturnType<typeof createSubscriptionActivities>;

function periodKeyOf(input: IssuePeriodInvoiceInput): string {
  return couponPeriodKey(input.subscriptionId, input.couponPeriod.start);
}

/** Each coupon rating saw, with what it took off (discounts come in the coupons' order). */
function couponUses(coupons: readonly ActiveCoupon[], discounts: readonly DiscountLine[]) {
  const left = [...discounts];
  return coupons.map((coupon) => {
    const i = left.findIndex((d) => d.couponCode === coupon.coupon.code);
    const amount = i < 0 ? 0 : left.splice(i, 1)[0]!.amount.amount;
    return { ...coupon, amount, applied: amount > 0 };
  });
}
