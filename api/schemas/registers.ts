// The registers as CSV (RFC 4180: comma-separated, CRLF line ends, UTF-8, a header row):
// stable columns, amounts twice (an exact decimal in the currency's major unit, and integer minor
// units), and every cell a spreadsheet could read as a formula defused (OWASP's CSV injection
// advice). The columns are documented in docs/FINANCE.md; keep the two together.
import { Type } from 'typebox';
import { money, toMajorUnitString } from '../../domain/core/money.ts';
import type {
  CreditNoteRegisterEntry,
  InvoiceRegisterEntry,
  PaymentRegisterEntry,
} from '../../services/registers.ts';
import { CurrencyCode } from './common.ts';

/** YYYY-MM, a four-digit year; a month the calendar has. */
export const CALENDAR_MONTH_PATTERN = '^[1-9]\\d{3}-(0[1-9]|1[0-2])$';

/** A calendar date (YYYY-MM-DD); one the pattern lets through but the calendar lacks is a 422. */
export const CalendarDateParam = (description: string) =>
  Type.String({
    pattern: '^[1-9]\\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
    description,
    examples: ['2027-03-01'],
  });

export const RegisterQuery = Type.Object(
  {
    from: CalendarDateParam('First date included (YYYY-MM-DD), the document’s own date.'),
    to: CalendarDateParam('Last date included (YYYY-MM-DD); at most 366 days after from.'),
    currency: Type.Optional({ ...CurrencyCode, description: 'Only this currency.' }),
  },
  { additionalProperties: false },
);

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

export function CsvResponse(description: string) {
  return { description, content: { 'text/csv': { schema: Type.String() } } };
}

/** Starts a spreadsheet reads as a formula (OWASP): = + - @, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field. Text that starts like a formula gets a leading apostrophe (the spreadsheet shows
 * it as text; a plain number such as -12.50 is left alone: it is not a formula), and a field with
 * a comma, quote or line break is quoted with its quotes doubled.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  const defused = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text);
  if (defused) text = `'${text}`;
  return defused || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A column: its header and its cell for an entry. */
type Column<T> = [header: string, cell: (entry: T) => string | number | null];

/** The rows as CSV: header, then one line per entry, every line ending CRLF. */
export function toCsv<T>(columns: readonly Column<T>[], entries: readonly T[]): string {
  const line = (cells: (string | number | null)[]) => cells.map(csvField).join(',') + '\r\n';
  return (
    line(columns.map(([header]) => header)) +
    entries.map((entry) => line(columns.map(([, cell]) => cell(entry)))).join('')
  );
}

/** An amount twice: the exact decimal ("49.00", "1.500", "4900" for JPY) and minor units. */
function amountColumns<T extends { currency: string }>(
  name: string,
  amountOf: (entry: T) => number,
): Column<T>[] {
  return [
    [name, (e) => toMajorUnitString(money(amountOf(e), e.currency))],
    [`${name}_minor`, (e) => amountOf(e)],
  ];
}

/** The tax per rate, e.g. "FR VAT 20% on 123.45 = 24.69; FR VAT 5.5% on 10.00 = 0.55". */
function taxPerRate(entry: InvoiceRegisterEntry): string {
  return entry.tax_breakdown
    .map(
      (t) =>
        `${t.jurisdiction} ${t.taxName ?? t.treatment} ${t.rate}% on ` +
        `${toMajorUnitString(t.taxableAmount)} = ${toMajorUnitString(t.taxAmount)}`,
    )
    .join('; ');
}

const instant = (value: Date | null) => (value === null ? null : value.toISOString());

const INVOICE_COLUMNS: Column<InvoiceRegisterEntry>[] = [
  ['invoice_id', (e) => e.id],
  ['number', (e) => e.number],
  ['invoice_date', (e) => e.date],
  ['issued_at', (e) => instant(e.issued_at)],
  ['due_date', (e) => e.dueDate],
  ['customer_id', (e) => e.customer_id],
  ['customer_name', (e) => e.customer_name],
  ['subscription_id', (e) => e.subscription_id],
  ['project_id', (e) => e.project_id],
  ['status', (e) => e.status],
  ['period_start', (e) => instant(e.period_start)],
  ['period_end', (e) => instant(e.period_end)],
  ['tax_behavior', (e) => e.tax_behavior],
  ['currency', (e) => e.currency],
  ...amountColumns<InvoiceRegisterEntry>('subtotal', (e) => e.subtotal),
  ...amountColumns<InvoiceRegisterEntry>('discount', (e) => e.discount_total),
  ...amountColumns<InvoiceRegisterEntry>('tax', (e) => e.tax),
  ['tax_per_rate', taxPerRate],
  ...amountColumns<InvoiceRegisterEntry>('total', (e) => e.total),
  ...amountColumns<InvoiceRegisterEntry>('amount_paid', (e) => e.amount_paid),
  ...amountColumns<InvoiceRegisterEntry>('amount_credited', (e) => e.amount_credited),
  ...amountColumns<InvoiceRegisterEntry>('amount_due', (e) => e.amount_due),
];

const CREDIT_NOTE_COLUMNS: Column<CreditNoteRegisterEntry>[] = [
  ['credit_note_id', (e) => e.id],
  ['number', (e) => e.number],
  ['credit_note_date', (e) => e.date],
  ['issued_at', (e) => instant(e.issued_at)],
  ['invoice_id', (e) => e.invoice_id],
  ['invoice_number', (e) => e.invoice_number],
  ['customer_id', (e) => e.customer_id],
  ['customer_name', (e) => e.customer_name],
  ['reason', (e) => e.reason],
  ['memo', (e) => e.memo],
  ['currency', (e) => e.currency],
  ...amountColumns<CreditNoteRegisterEntry>('subtotal', (e) => e.subtotal),
  ...amountColumns<CreditNoteRegisterEntry>('tax', (e) => e.tax),
  ...amountColumns<CreditNoteRegisterEntry>('total', (e) => e.total),
];

const PAYMENT_COLUMNS: Column<PaymentRegisterEntry>[] = [
  ['payment_id', (e) => e.id],
  ['payment_date', (e) => e.date],
  ['paid_at', (e) => instant(e.paid_at)],
  ['invoice_id', (e) => e.invoice_id],
  ['invoice_number', (e) => e.invoice_number],
  ['customer_id', (e) => e.customer_id],
  ['customer_name', (e) => e.customer_name],
  ['method', (e) => e.method],
  ['reference', (e) => e.reference],
  ['source', (e) => e.source],
  ['currency', (e) => e.currency],
  ...amountColumns<PaymentRegisterEntry>('amount', (e) => e.amount),
  ...amountColumns<PaymentRegisterEntry>('applied', (e) => e.applied_amount),
  ...amountColumns<PaymentRegisterEntry>('overpaid', (e) => e.overpaid_amount),
];

export const toInvoiceRegisterCsv = (entries: InvoiceRegisterEntry[]) =>
  toCsv(INVOICE_COLUMNS, entries);
export const toCreditNoteRegisterCsv = (entries: CreditNoteRegisterEntry[]) =>
  toCsv(CREDIT_NOTE_COLUMNS, entries);
export const toPaymentRegisterCsv = (entries: PaymentRegisterEntry[]) =>
  toCsv(PAYMENT_COLUMNS, entries);

/** The header row of each register, for the docs and their test. */
export const REGISTER_HEADERS = {
  invoices: INVOICE_COLUMNS.map(([header]) => header),
  'credit-notes': CREDIT_NOTE_COLUMNS.map(([header]) => header),
  payments: PAYMENT_COLUMNS.map(([header]) => header),
};
