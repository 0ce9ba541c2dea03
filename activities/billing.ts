// Billing side effects, each idempotent by a business key (subscription + period, invoice +
// email kind, transition key), never by run id: retries, replays and continue-as-new are safe.
import { log } from '@temporalio/activity';
import { DateTime } from 'luxon';
import type { BillwrightConfig } from '../config/index.ts';
import type { Db } from '../db/connect.ts';
import {
  inTransaction,
  issueCreditNoteLocked,
  lockInvoice,
} from '../db/repositories/credit-notes.ts';
import {
  createPeriodInvoice,
  type InvoiceTaxSettings,
  type NewInvoiceLine,
} from '../db/repositories/invoices.ts';
import { getMetric } from '../db/repositories/metrics.ts';
import { aggregateUsage, closeUsageThrough, percentageUsage } from '../db/repositories/usage.ts';
import {
  recordSubscriptionTransition,
  type SubscriptionTransition,
} from '../db/repositories/subscription-transitions.ts';
import { recordAppliedChange, type AppliedChange } from '../db/repositories/subscriptions.ts';
import { prorate, prorationFactor, type Span } from '../domain/billing-cycles.ts';
import type { PercentageUsage, PlanVersion } from '../domain/catalog.ts';
import type { Fraction } from '../domain/decimal.ts';
import { canApply } from '../domain/invoice-lifecycle.ts';
import type { UsageQuantity } from '../domain/metrics.ts';
import { money, type Money } from '../domain/money.ts';
import { percentageUsageQuery } from '../domain/rating/percentage.ts';
import type { RatedPeriod } from '../domain/rating/types.ts';
import { seatQuantities, unusedShare } from '../domain/subscription-charges.ts';
import { DEFAULT_NUMBERING } from '../domain/numbering.ts';
import { ratePeriod } from '../domain/rating/rate-period.ts';

export interface BillingDependencies {
  db: Db;
  config: Pick<BillwrightConfig, 'emailFrom' | 'seller' | 'brand'> &
    Partial<Pick<BillwrightConfig, 'invoiceNumbering'>>;
  /** How subscription invoices are taxed: the provider, the seller's registrations, rounding. */
  tax: InvoiceTaxSettings;
}

/** One invoice of the subscription lifecycle, for one (subscription, boundary, kind). */
export interface IssuePeriodInvoiceInput {
  subscriptionId: string;
  customerId: string;
  /** The business key within the subscription, e.g. "2027-03-01T00:00:00.000Z/boundary". */
  billingKey: string;
  /** The invoice date (the boundary, or the cancel instant). */
  issuedAt: string;
  /** The pinned plan version and the subscription's quantity (seats). */
  plan: PlanVersion;
  quantity: number;
  /** The customer's zone, in which prorations count days. */
  timezone: string;
  /**
   * The advance charges of `period`: whole, or from `from` to its end (a change mid-period),
   * or prorated by `proration` (a stub).
   */
  advance?: { period: Span; from?: string; proration?: Fraction };
  /**
   * The arrears charges of the period that closes: usage over [period.start, until) (until
   * defaults to period.end; earlier on a cancel, which also prorates flat and seat arrears).
   */
  arrears?: { period: Span; until?: string; from?: string };
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

function localDay(instant: string, timezone: string): string {
  return DateTime.fromISO(instant, { zone: timezone }).toISODate()!;
}

export function createBillingActivities({ db, config, tax }: BillingDependencies) {
  const numbering = config.invoiceNumbering ?? DEFAULT_NUMBERING;

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
    const lines = await db
      .selectFrom('invoice_lines as l')
      .innerJoin('invoices as i', 'i.id', 'l.invoice_id')
      .select(['l.id', 'l.invoice_id', 'l.position', 'l.period_start'])
      .where('i.subscription_id', '=', subscriptionId)
      .where((eb) =>
        eb.or([
          eb('i.billing_key', 'is', null),
          eb('i.billing_key', 'like', '%/boundary'),
          eb('i.billing_key', 'like', '%/change'),
        ]),
      )
      .where('l.period_end', '=', new Date(period.end))
      .where('l.period_start', '<', new Date(from))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('credit_note_lines as cl')
              .innerJoin('credit_notes as cn', 'cn.id', 'cl.credit_note_id')
              .select('cl.id')
              .whereRef('cl.invoice_line_id', '=', 'l.id')
              .where('cn.billing_key', 'is not', null)
              .where('cn.billing_key', 'not like', `${billingKey}/%`),
          ),
        ),
      )
      .orderBy('l.invoice_id')
      .orderBy('l.position')
      .execute();
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
          return { creditNoteId: existing.id, number: existing.number, total };
        }
        if (!canApply('credit', invoice.status)) return null;
        const totals = await trx
          .selectFrom('invoice_lines')
          .select(['id', 'total_amount'])
          .where('invoice_id', '=', invoiceId)
          .execute();
        const totalOf = new Map(totals.map((t) => [String(t.id), t.total_amount]));
        const credit = invoiceLines
          .map((l) => {
            const billed = { start: l.period_start!.toISOString(), end: period.end };
            const share = unusedShare(billed, from, request.timezone);
            const total = money(totalOf.get(String(l.id)) ?? 0, invoice.currency);
            return {
              position: l.position,
              amount: prorate(total, share, tax.rounding.mode).amount,
            };
          })
          .filter((l) => l.amount > 0);
        if (credit.length === 0) return null;
        const issued = await issueCreditNoteLocked(trx, invoice, {
          reason: 'other',
          memo: `Unused time from ${localDay(from, request.timezone)} to ${localDay(period.end, request.timezone)}`,
          credit: { lines: credit },
          numbering,
          at: from,
        });
        if (!issued) return null;
        await trx
          .updateTable('credit_notes')
          .set({ billing_key: key })
          .where('id', '=', issued.creditNote.id)
          .execute();
        const cn = issued.creditNote;
        return { creditNoteId: cn.id, number: cn.number, total: money(cn.total, cn.currency) };
      });
      if (note) notes.push(note);
    }
    return notes;
  }

  return {
    /**
     * The lifecycle's invoice at a boundary: the advance charges of the period that opens and the
     * arrears charges (usage rated from SQL aggregates) of the period that closes, on ONE invoice,
     * created and finalized in one transaction and keyed by (subscription, billingKey); then,
     * on a cancel, a credit note for the unused part of the current period's advance charges,
     * keyed the same way. Usage is closed through the end of the window BEFORE it is aggregated,
     * so no late event lands in a period already billed. Retries return what exists.
     */
    async issuePeriodInvoice(input: IssuePeriodInvoiceInput): Promise<IssuedPeriodInvoice> {
      const { plan, advance, arrears } = input;
      const mode = tax.rounding.mode;
      const quantities = seatQuantities(plan, input.quantity);
      const lines: NewInvoiceLine[] = [];
      const addLines = (rated: RatedPeriod, period: Span, suffix: string) => {
        const net = new Map(rated.netLines.map((l) => [l.lineId, l.amount.amount]));
        for (const line of rated.lines) {
          const shown = line.quantity === '1' ? '' : ` × ${line.quantity}`;
          lines.push({
            description: `${line.description}${shown}${suffix}`,
            quantity: '1',
            unitAmount: String(line.amount.amount),
            amount: line.amount.amount,
            discountAmount: line.amount.amount - (net.get(line.id) ?? line.amount.amount),
            periodStart: period.start,
            periodEnd: period.end,
          });
        }
      };
      if (arrears) {
        const until = arrears.until ?? arrears.period.end;
        // A first period that started mid-grid (calendar anchoring) is billed from its start.
        const from = arrears.from ?? arrears.period.start;
        const partial = arrears.until !== undefined || arrears.from !== undefined;
        const usage: Record<string, UsageQuantity> = {};
        const transactions: Record<string, PercentageUsage> = {};
        const usageCharges = plan.charges.filter((c) => c.type === 'usage');
        if (usageCharges.length > 0 && Date.parse(until) > Date.parse(from)) {
          await closeUsageThrough(db, input.subscriptionId, new Date(until));
          for (const charge of usageCharges) {
            const metric = await getMetric(db, charge.metricCode);
            if (!metric) throw new Error(`metric ${charge.metricCode} does not exist`);
            const window = {
              customerId: input.customerId,
              metric,
              from: new Date(from),
              to: new Date(until),
            };
            if (charge.pricing.model === 'percentage') {
              transactions[charge.key] = await percentageUsage(
                db,
                window,
                percentageUsageQuery(charge.pricing),
              );
            } else {
              usage[charge.metricCode] = await aggregateUsage(db, window);
            }
          }
        }
        const rated = ratePeriod({
          plan,
          timing: 'arrears',
          quantities,
          usage,
          transactions,
          roundingMode: mode,
          ...(partial && {
            proration: prorationFactor(arrears.period, from, until, input.timezone),
          }),
        });
        addLines(rated, { start: from, end: arrears.period.end }, ' (in arrears)');
      }
      if (advance) {
        const proration = advance.from
          ? unusedShare(advance.period, advance.from, input.timezone)
          : advance.proration;
        const rated = ratePeriod({
          plan,
          timing: 'advance',
          quantities,
          roundingMode: mode,
          ...(proration && { proration }),
        });
        // A change's lines cover what is left of the period, so a later credit prorates them.
        const from = advance.from ?? advance.period.start;
        addLines(rated, { start: from, end: advance.period.end }, '');
      }
      const period = advance?.period ?? arrears?.period;
      let issued: IssuedInvoice | null = null;
      if (period && lines.length > 0) {
        const { invoice, created } = await createPeriodInvoice(
          db,
          {
            customerId: input.customerId,
            subscriptionId: input.subscriptionId,
            billingKey: input.billingKey,
            currency: plan.currency,
            periodStart: period.start,
            periodEnd: period.end,
            issuedAt: input.issuedAt,
            taxBehavior: plan.taxBehavior,
            lines,
          },
          { tax, numbering, seller: config.seller },
        );
        issued = {
          invoiceId: invoice.id,
          number: invoice.number ?? '',
          total: { amount: invoice.total, currency: invoice.currency },
          created,
        };
        log.info('period invoice issued', {
          invoiceId: invoice.id,
          key: input.billingKey,
          created,
        });
      }
      if (advance) {
        await db
          .updateTable('subscriptions')
          .set({
            current_period_start: advance.period.start,
            current_period_end: advance.period.end,
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

export type BillingActivities = ReturnType<typeof createBillingActivities>;
