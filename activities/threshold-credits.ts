// Threshold billing's settlement at the period end (issue #14): the period-end invoice bills
// each line's whole-period rating less what interim invoices billed of it, never below zero;
// when the rating fell below what they billed (volume prices falling with the volume, a
// `latest` metric that dropped), the excess is credited on the interim invoices themselves by
// credit notes (tax at their own rates), which become customer credit or a refund as every
// credit note does. The period's invoices less their credit notes total its full rating.
import { log } from '@temporalio/activity';
import { DateTime } from 'luxon';
import { inTransaction, type Db } from '../db/connect.ts';
import { issueCreditNoteLocked } from '../db/repositories/credit-notes.ts';
import { InvalidInvoiceRequestError } from '../db/repositories/invoice-errors.ts';
import { lockInvoice } from '../db/repositories/invoices.ts';
import { interimInvoiceLines } from '../db/repositories/thresholds.ts';
import { canApply } from '../domain/invoicing/lifecycle.ts';
import type { NumberingSettings } from '../domain/invoicing/numbering.ts';
import type { PeriodInvoice } from '../domain/invoicing/period-invoice.ts';
import {
  interimBilledOfLines,
  interimCredits,
  lessInterimBilled,
  overbilledByInterim,
  type InterimCredit,
} from '../domain/invoicing/threshold.ts';
import { translate } from '../i18n/catalogue.ts';
import { creditNotesIssued } from '../observability/metrics.ts';

export interface InterimSettlement {
  subscriptionId: string;
  /** The period's end (its interim invoices' keys) and the period-end invoice's billing key. */
  periodEnd: string;
  billingKey: string;
  issuedAt: string;
  timezone: string;
}

/**
 * The whole period's rating less what its interim invoices billed; first credits what they
 * billed beyond it, one credit note per interim invoice keyed `<billing key>/interim/<id>`
 * and checked under the invoice's row lock, so a retry (which rates the same closed usage)
 * finds them. Credited before the period-end invoice exists: a retry after it does not rate.
 */
export async function settleInterimBilled(
  deps: { db: Db; numbering: NumberingSettings },
  rated: PeriodInvoice,
  settlement: InterimSettlement,
): Promise<PeriodInvoice> {
  const { subscriptionId, periodEnd } = settlement;
  const lines = await interimInvoiceLines(deps.db, subscriptionId, periodEnd);
  if (lines.length === 0) return rated;
  const billed = interimBilledOfLines(lines);
  const credits = interimCredits(overbilledByInterim(rated, billed), lines);
  for (const credit of credits) await creditInterim(deps, credit, settlement);
  return lessInterimBilled(rated, billed);
}

async function creditInterim(
  { db, numbering }: { db: Db; numbering: NumberingSettings },
  credit: InterimCredit,
  settlement: InterimSettlement,
): Promise<void> {
  const key = `${settlement.billingKey}/interim/${credit.invoiceId}`;
  const created = await inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, credit.invoiceId);
    const existing = await trx
      .selectFrom('credit_notes')
      .select('id')
      .where('billing_key', '=', key)
      .executeTakeFirst();
    if (existing || !canApply('credit', invoice.status)) return null;
    const locale = invoice.customer_details?.locale ?? 'en';
    const until = DateTime.fromISO(settlement.periodEnd, { zone: settlement.timezone })
      .setLocale(locale)
      .toLocaleString(DateTime.DATE_FULL);
    try {
      const issued = await issueCreditNoteLocked(trx, invoice, {
        reason: 'correction',
        memo: translate(locale, 'thresholds.overbilledCredit', { invoice: credit.number, until }),
        credit: { lines: credit.lines },
        numbering,
        at: settlement.issuedAt,
        billingKey: key,
      });
      return issued?.creditNote ?? null;
    } catch (error) {
      // Finance already credited the interim invoice by hand: what is left is theirs to settle.
      if (!(error instanceof InvalidInvoiceRequestError)) throw error;
      log.warn('interim invoice not credited', {
        invoiceId: credit.invoiceId,
        error: String(error),
      });
      return null;
    }
  });
  if (created) {
    log.info('interim invoice credited', { creditNoteId: created.id, key, net: credit.net });
    creditNotesIssued.inc({ origin: 'subscription', currency: created.currency });
  }
}
