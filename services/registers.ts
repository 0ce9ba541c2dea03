// The registers finance exports for a period: the invoices, credit notes and payments dated in
// it, each on its document's own date (the customer's calendar date, as the document states it),
// in a total order (date, instant, number, id), so the same period exports the same rows in the
// same order every time.
import type { Db } from '../db/connect.ts';
import {
  creditNotesIssuedBetween,
  invoicesIssuedBetween,
  paymentsReceivedBetween,
  type CreditNoteRegisterRow,
  type InstantWindow,
  type InvoiceRegisterRow,
  type PaymentRegisterRow,
} from '../db/repositories/registers.ts';
import { isCurrencyCode } from '../domain/core/currency.ts';
import { localDate } from '../domain/core/periods.ts';
import { dayNumber, isCalendarDate, type CalendarDate } from '../domain/revenue/calendar.ts';
import { Refused } from './refused.ts';

/** The longest period one export covers, in days: a year, leap day included. */
export const MAX_REGISTER_DAYS = 366;

export interface RegisterPeriod {
  /** First date included, YYYY-MM-DD. */
  from: CalendarDate;
  /** Last date included, YYYY-MM-DD. */
  to: CalendarDate;
  currency?: string | undefined;
}

/** A register's row with its document's date (and due date) in the customer's zone. */
export type Dated<Row> = Row & { date: CalendarDate };

export type InvoiceRegisterEntry = Dated<InvoiceRegisterRow> & { dueDate: CalendarDate | null };
export type CreditNoteRegisterEntry = Dated<CreditNoteRegisterRow>;
export type PaymentRegisterEntry = Dated<PaymentRegisterRow>;

const DAY_MS = 86_400_000;

/** The period's instants, a day wider on each side: every zone's dates of the period are inside. */
function instantWindow(period: RegisterPeriod): InstantWindow {
  for (const field of ['from', 'to'] as const) {
    if (!isCalendarDate(period[field])) {
      throw new Refused('unprocessable', `${period[field]} is not a calendar date.`, { field });
    }
  }
  const days = dayNumber(period.to) - dayNumber(period.from) + 1;
  if (days < 1) throw new Refused('unprocessable', 'to is before from.', { field: 'to' });
  if (days > MAX_REGISTER_DAYS) {
    throw new Refused('unprocessable', `A register covers at most ${MAX_REGISTER_DAYS} days.`, {
      field: 'to',
    });
  }
  if (period.currency !== undefined && !isCurrencyCode(period.currency)) {
    throw new Refused('unprocessable', `${period.currency} is not an ISO 4217 currency.`, {
      field: 'currency',
    });
  }
  return {
    from: new Date(dayNumber(period.from) * DAY_MS - DAY_MS),
    to: new Date((dayNumber(period.to) + 2) * DAY_MS),
    currency: period.currency,
  };
}

/** The rows dated in the period, in the register's order. */
function inPeriod<Row extends { id: string; timezone: string }>(
  rows: Row[],
  period: RegisterPeriod,
  instantOf: (row: Row) => Date,
  numberOf: (row: Row) => string,
): Dated<Row>[] {
  return rows
    .map((row) => ({ ...row, date: localDate(instantOf(row).toISOString(), row.timezone) }))
    .filter((row) => row.date >= period.from && row.date <= period.to)
    .sort(
      (a, b) =>
        compare(a.date, b.date) ||
        instantOf(a).getTime() - instantOf(b).getTime() ||
        compare(numberOf(a), numberOf(b)) ||
        compare(a.id, b.id),
    );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The finalized invoices dated in the period (void ones too, with their status). */
export async function invoiceRegister(
  db: Db,
  period: RegisterPeriod,
): Promise<InvoiceRegisterEntry[]> {
  const rows = await invoicesIssuedBetween(db, instantWindow(period));
  return inPeriod(
    rows,
    period,
    (row) => row.issued_at!,
    (row) => row.number ?? '',
  ).map((row) => ({
    ...row,
    dueDate: row.due_at ? localDate(row.due_at.toISOString(), row.timezone) : null,
  }));
}

/** The credit notes dated in the period, a void's among them. */
export async function creditNoteRegister(
  db: Db,
  period: RegisterPeriod,
): Promise<CreditNoteRegisterEntry[]> {
  const rows = await creditNotesIssuedBetween(db, instantWindow(period));
  return inPeriod(
    rows,
    period,
    (row) => row.issued_at,
    (row) => row.number,
  );
}

/** The payments received in the period. */
export async function paymentRegister(
  db: Db,
  period: RegisterPeriod,
): Promise<PaymentRegisterEntry[]> {
  const rows = await paymentsReceivedBetween(db, instantWindow(period));
  return inPeriod(
    rows,
    period,
    (row) => row.paid_at,
    (row) => row.invoice_number ?? '',
  );
}
