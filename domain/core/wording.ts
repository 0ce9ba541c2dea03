// What the system writes on a line (its description, a component's label, a step of its
// arithmetic), as a message of the `lines` catalogue and its values: the domain stays free of
// languages and of Intl, the activity writing the invoice words it in the customer's locale
// (activities/line-wording.ts). A value is text printed as given, a figure the worder formats in
// the locale ("1.000" in German, "15 décembre 2026" in French), or itself a wording.
import { decimal, toDecimalString, type DecimalString, type Exact } from './decimal.ts';

/** A number or a day, formatted in the customer's locale when the line is worded. */
export type Figure =
  /** A quantity: "1,000" in en, "1.000" in de. */
  | { quantity: DecimalString }
  /** Exact minor units of a currency, at least its decimals: "€0.0006". */
  | { minor: DecimalString; currency: string }
  /** A percent as written ("2.9" is 2.9 %). */
  | { percent: DecimalString }
  /** A local calendar day, YYYY-MM-DD. */
  | { day: string };

export type WordingValue = string | Figure | Wording;

export interface Wording {
  key: string;
  values?: Record<string, WordingValue>;
}

export const worded = (key: string, values?: Record<string, WordingValue>): Wording =>
  values === undefined ? { key } : { key, values };

export const quantityFigure = (value: Exact | DecimalString | number): Figure => ({
  quantity: toDecimalString(decimal(value)),
});

export const minorFigure = (value: Exact | DecimalString | number, currency: string): Figure => ({
  minor: toDecimalString(decimal(value)),
  currency,
});

export const percentFigure = (value: Exact | DecimalString): Figure => ({
  percent: toDecimalString(decimal(value)),
});

export const dayFigure = (day: string): Figure => ({ day });

/** A line's explanation: each step in English (the audit trail) and as a catalogue message. */
export class Steps {
  readonly text: string[] = [];
  readonly wording: Wording[] = [];
  push(text: string, wording: Wording): void {
    this.text.push(text);
    this.wording.push(wording);
  }
}
