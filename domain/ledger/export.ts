// The journal as accountants import it: one row per journal line, in stable, documented columns
// (docs/FINANCE.md#journal-export), amounts both as an exact decimal of the currency's major unit
// and as integer minor units. Pure: the same lines give the same bytes.
import { money, toMajorUnitString } from '../core/money.ts';

/** A journal line as exported (the repository's JournalRow). */
export interface ExportedLine {
  entryId: string;
  lineId: number;
  date: string;
  kind: string;
  accountCode: string;
  accountName: string;
  accountType: string;
  currency: string;
  debit: number;
  credit: number;
  customerId: string;
  invoiceId: string | null;
  paymentId: string | null;
  creditNoteId: string | null;
  documentNumber: string | null;
  planCode: string | null;
  origin: string | null;
  taxJurisdiction: string | null;
  taxRate: string | null;
  paymentMethod: string | null;
  description: string;
  memo: string | null;
}

/** The CSV's columns, in order: never reordered or renamed, only ever added at the end. */
export const JOURNAL_COLUMNS = [
  'entry_id',
  'line_id',
  'date',
  'kind',
  'account_code',
  'account_name',
  'account_type',
  'currency',
  'debit',
  'credit',
  'debit_minor',
  'credit_minor',
  'customer_id',
  'invoice_id',
  'payment_id',
  'credit_note_id',
  'document_number',
  'plan_code',
  'origin',
  'tax_jurisdiction',
  'tax_rate',
  'payment_method',
  'description',
  'memo',
] as const;

/** Exact decimal of the major unit, e.g. 4900 EUR → "49.00", 4900 JPY → "4900". */
export function decimalAmount(minorUnits: number, currency: string): string {
  return toMajorUnitString(money(minorUnits, currency));
}

/** A line's fields by column, text as it is (no quoting). */
export function journalRecord(l: ExportedLine): Record<(typeof JOURNAL_COLUMNS)[number], string> {
  const text = (v: string | number | null) => (v === null ? '' : String(v));
  return {
    entry_id: l.entryId,
    line_id: String(l.lineId),
    date: l.date,
    kind: l.kind,
    account_code: l.accountCode,
    account_name: l.accountName,
    account_type: l.accountType,
    currency: l.currency,
    debit: decimalAmount(l.debit, l.currency),
    credit: decimalAmount(l.credit, l.currency),
    debit_minor: String(l.debit),
    credit_minor: String(l.credit),
    customer_id: l.customerId,
    invoice_id: text(l.invoiceId),
    payment_id: text(l.paymentId),
    credit_note_id: text(l.creditNoteId),
    document_number: text(l.documentNumber),
    plan_code: text(l.planCode),
    origin: text(l.origin),
    tax_jurisdiction: text(l.taxJurisdiction),
    tax_rate: text(l.taxRate),
    payment_method: text(l.paymentMethod),
    description: l.description,
    memo: text(l.memo),
  };
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text a
 * spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe; the
 * amounts are never negative, so no number is changed.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The journal as CSV: a header row, then one row per line, CRLF line ends. */
export function journalCsv(lines: readonly ExportedLine[]): string {
  const rows = [JOURNAL_COLUMNS.join(',')];
  for (const l of lines) {
    const record = journalRecord(l);
    rows.push(JOURNAL_COLUMNS.map((c) => csvField(record[c])).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

/** Each line with the account's debit-positive balance after it, from `opening`. */
export function withRunningBalance<L extends { debit: number; credit: number }>(
  opening: number,
  lines: readonly L[],
): (L & { balance: number })[] {
  let balance = opening;
  return lines.map((l) => {
    balance += l.debit - l.credit;
    return { ...l, balance };
  });
}
