// Document numbers: a format such as INV-{YYYY}-{SEQ:6} gives the series a number belongs to
// (INV-2026-{SEQ}: one counter per year; with {MM}, one per month) and how it is printed
// (INV-2026-000123). Pure: the counter itself lives in the database (number_series), bumped
// under a row lock in the transaction that finalizes, so there are no gaps and no duplicates.
import { DateTime } from 'luxon';

/** How invoices and credit notes are numbered, and the calendar that picks their series. */
export interface NumberingSettings {
  /** e.g. "INV-{YYYY}-{SEQ:6}" (yearly series) or "INV-{YYYY}{MM}-{SEQ:5}" (monthly). */
  invoiceFormat: string;
  /** e.g. "CN-{YYYY}-{SEQ:6}". */
  creditNoteFormat: string;
  /** The seller's IANA zone: a number taken at 00:30 on 1 January in Dublin is next year's. */
  timezone: string;
}

export const DEFAULT_NUMBERING: NumberingSettings = {
  invoiceFormat: 'INV-{YYYY}-{SEQ:6}',
  creditNoteFormat: 'CN-{YYYY}-{SEQ:6}',
  timezone: 'Europe/Dublin',
};

/** The calendar date a number is taken on, in the seller's zone. */
export interface NumberDate {
  year: number;
  /** 1–12. */
  month: number;
}

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'year'; digits: 4 | 2 }
  | { kind: 'month' }
  | { kind: 'seq'; width: number };

const TOKEN = /\{(YYYY|YY|MM|SEQ(?::(\d+))?)\}/g;

function tokenize(format: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of format.matchAll(TOKEN)) {
    if (match.index > last) tokens.push({ kind: 'text', text: format.slice(last, match.index) });
    const name = match[1]!;
    if (name === 'YYYY') tokens.push({ kind: 'year', digits: 4 });
    else if (name === 'YY') tokens.push({ kind: 'year', digits: 2 });
    else if (name === 'MM') tokens.push({ kind: 'month' });
    else tokens.push({ kind: 'seq', width: match[2] === undefined ? 1 : Number(match[2]) });
    last = match.index + match[0].length;
  }
  if (last < format.length) tokens.push({ kind: 'text', text: format.slice(last) });
  return tokens;
}

/** Why a format cannot number documents, or null when it can. */
export function checkNumberFormat(format: string): string | null {
  if (format.length === 0 || format.length > 64) return 'must be 1 to 64 characters';
  const tokens = tokenize(format);
  const seqs = tokens.filter((t) => t.kind === 'seq');
  if (seqs.length !== 1) return 'must contain {SEQ} (or {SEQ:width}) exactly once';
  const width = (seqs[0] as { width: number }).width;
  if (width < 1 || width > 12) return '{SEQ:width} must be 1 to 12 digits wide';
  const text = tokens.flatMap((t) => (t.kind === 'text' ? [t.text] : [])).join('');
  if (/[{}]/.test(text)) return 'unknown placeholder: use {YYYY}, {YY}, {MM} and {SEQ:n}';
  if (!/^[\x20-\x7e]*$/.test(text)) return 'literal text must be printable ASCII';
  const kinds = tokens.map((t) => t.kind);
  if (kinds.filter((k) => k === 'year').length > 1 || kinds.filter((k) => k === 'month').length > 1)
    return 'a date placeholder may appear once';
  if (kinds.includes('month') && !kinds.includes('year')) return '{MM} needs {YYYY} or {YY}';
  return null;
}

function tokensOf(format: string): Token[] {
  const problem = checkNumberFormat(format);
  if (problem) throw new RangeError(`number format "${format}": ${problem}`);
  return tokenize(format);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function datePart(token: Token, date: NumberDate): string | undefined {
  if (token.kind === 'year')
    return token.digits === 4 ? pad(date.year, 4) : pad(date.year % 100, 2);
  if (token.kind === 'month') return pad(date.month, 2);
  return undefined;
}

/**
 * The counter a number is taken from: the format with its date filled in and the sequence left
 * as {SEQ}, e.g. "INV-2026-{SEQ}" or "INV-202603-{SEQ}". A new year (or month) is a new series.
 */
export function seriesKey(format: string, date: NumberDate): string {
  return tokensOf(format)
    .map((t) => (t.kind === 'text' ? t.text : t.kind === 'seq' ? '{SEQ}' : datePart(t, date)!))
    .join('');
}

/** The printed number: INV-2026-000123. The sequence widens past its width rather than wrap. */
export function formatNumber(format: string, date: NumberDate, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new RangeError(`sequence must be a positive integer, got ${sequence}`);
  }
  return tokensOf(format)
    .map((t) =>
      t.kind === 'text' ? t.text : t.kind === 'seq' ? pad(sequence, t.width) : datePart(t, date)!,
    )
    .join('');
}

export interface ParsedNumber {
  year?: number;
  month?: number;
  sequence: number;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Reads a number printed with `format` back, or null when it was not. */
export function parseNumber(format: string, number: string): ParsedNumber | null {
  const tokens = tokensOf(format);
  const pattern = tokens
    .map((t) => {
      if (t.kind === 'text') return escape(t.text);
      if (t.kind === 'year') return `(\\d{${t.digits}})`;
      if (t.kind === 'month') return '(0[1-9]|1[0-2])';
      return `(\\d{${t.width},})`;
    })
    .join('');
  const match = new RegExp(`^${pattern}$`).exec(number);
  if (!match) return null;
  const parsed: ParsedNumber = { sequence: 0 };
  let group = 1;
  for (const t of tokens) {
    if (t.kind === 'text') continue;
    const value = Number(match[group++]);
    if (t.kind === 'year') parsed.year = t.digits === 4 ? value : 2000 + value;
    else if (t.kind === 'month') parsed.month = value;
    else parsed.sequence = value;
  }
  return parsed.sequence >= 1 ? parsed : null;
}

/** The date an instant falls on in the seller's zone: the date that picks the series. */
export function numberDateOf(instant: Date | string, timezone: string): NumberDate {
  const at =
    typeof instant === 'string'
      ? DateTime.fromISO(instant, { zone: timezone })
      : DateTime.fromJSDate(instant, { zone: timezone });
  if (!at.isValid) throw new RangeError(`invalid instant or zone: ${String(instant)} ${timezone}`);
  return { year: at.year, month: at.month };
}
