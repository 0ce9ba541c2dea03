// The deferred-revenue waterfall of one currency: every finalized invoice line's net amount,
// recognized over its service period's days (the customer's calendar days) by the pure rule in
// domain/revenue/, less what credit notes took back, with voided invoices removed, as of a date.
import type { Db } from '../db/connect.ts';
import { invoicedLines, lineCredits } from '../db/repositories/revenue-recognition.ts';
import { isCurrencyCode } from '../domain/core/currency.ts';
import { localDate } from '../domain/core/periods.ts';
import {
  isCalendarDate,
  isCalendarMonth,
  monthCount,
  type CalendarDate,
  type CalendarMonth,
} from '../domain/revenue/calendar.ts';
import type { LineCredit } from '../domain/revenue/recognition.ts';
import {
  revenueWaterfall,
  type InvoicedLine,
  type Waterfall,
} from '../domain/revenue/waterfall.ts';
import { Refused } from './refused.ts';

/** The most months one waterfall shows: ten years. */
export const MAX_WATERFALL_MONTHS = 120;

export interface RevenueRecognitionQuery {
  currency: string;
  from: CalendarMonth;
  to: CalendarMonth;
  /** The date the figures are as of (YYYY-MM-DD); default today (UTC). */
  asOf?: CalendarDate | undefined;
}

export interface RevenueRecognition extends Waterfall {
  currency: string;
  asOf: CalendarDate;
}

function refuse(field: string, message: string): never {
  throw new Refused('unprocessable', message, { field });
}

function checked(query: RevenueRecognitionQuery, today: Date): Required<RevenueRecognitionQuery> {
  if (!isCurrencyCode(query.currency)) {
    refuse('currency', `${query.currency} is not an ISO 4217 currency.`);
  }
  if (!isCalendarMonth(query.from)) refuse('from', `${query.from} is not a month (YYYY-MM).`);
  if (!isCalendarMonth(query.to)) refuse('to', `${query.to} is not a month (YYYY-MM).`);
  const months = monthCount(query.from, query.to);
  if (months < 1) refuse('to', 'to is before from.');
  if (months > MAX_WATERFALL_MONTHS) {
    refuse('to', `A waterfall shows at most ${MAX_WATERFALL_MONTHS} months.`);
  }
  const asOf = query.asOf ?? today.toISOString().slice(0, 10);
  if (!isCalendarDate(asOf)) refuse('asOf', `${asOf} is not a calendar date.`);
  return { ...query, asOf };
}

/** Every finalized line of the currency as revenue sees it, with its credits and void. */
async function revenueLines(db: Db, currency: string): Promise<InvoicedLine[]> {
  const [lines, credits] = await Promise.all([
    invoicedLines(db, currency),
    lineCredits(db, currency),
  ]);
  const zoneOfInvoice = new Map(lines.map((l) => [l.invoice_id, l.timezone]));
  const creditsOfLine = new Map<string, LineCredit[]>();
  for (const credit of credits) {
    const zone = zoneOfInvoice.get(credit.invoice_id);
    if (zone === undefined) continue; // a credit note on an invoice of no line
    const list = creditsOfLine.get(String(credit.invoice_line_id)) ?? [];
    list.push({
      date: localDate(credit.issued_at.toISOString(), zone),
      amount: Number(credit.net),
    });
    creditsOfLine.set(String(credit.invoice_line_id), list);
  }
  const dateOf = (instant: Date, zone: string) => localDate(instant.toISOString(), zone);
  return lines.map((line) => ({
    amount: Number(line.net),
    invoiceDate: dateOf(line.issued_at!, line.timezone),
    service:
      line.period_start && line.period_end
        ? {
            start: dateOf(line.period_start, line.timezone),
            end: dateOf(line.period_end, line.timezone),
          }
        : null,
    credits: creditsOfLine.get(String(line.id)) ?? [],
    voidedOn: line.voided_at ? dateOf(line.voided_at, line.timezone) : null,
  }));
}

/** The waterfall of `currency` for the months from..to, as of asOf (default today). */
export async function revenueRecognition(
  db: Db,
  query: RevenueRecognitionQuery,
  today: Date = new Date(),
): Promise<RevenueRecognition> {
  const { currency, from, to, asOf } = checked(query, today);
  const waterfall = revenueWaterfall(await revenueLines(db, currency), { from, to, asOf });
  return { currency, asOf, ...waterfall };
}
