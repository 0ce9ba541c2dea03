// The lines the system writes (a minimum commitment true-up, a tier's range, "in arrears", a
// project's deposit, each step of a line's arithmetic), worded in the customer's locale when the
// invoice is issued: the stored description, component labels and explanation keep that
// language, like the issued document. Figures (quantities, amounts, percents, days) are
// formatted here, in the full locale ("1.000", "0,06 €", "15. Dezember 2026"). The upcoming
// invoice and estimates word their lines through wordLines too, so they read as the invoice will.
import type { Figure, Wording, WordingValue } from '../domain/core/wording.ts';
import { formatMinorUnits } from '../domain/core/money.ts';
import type { PeriodInvoice } from '../domain/invoicing/period-invoice.ts';
import { storedLines } from '../domain/invoicing/period-invoice.ts';
import type { LineArithmetic } from '../domain/invoicing/line-arithmetic.ts';
import type { NewInvoiceLine } from '../db/repositories/invoice-drafts.ts';
import { formatDayIn, formatPercentIn, formatQuantityIn } from '../documents/template-helpers.ts';
import { translate } from '../i18n/catalogue.ts';

export function word(locale: string, wording: Wording): string {
  const values = Object.fromEntries(
    Object.entries(wording.values ?? {}).map(([name, value]) => [name, valueIn(locale, value)]),
  );
  return translate(locale, wording.key, values);
}

function valueIn(locale: string, value: WordingValue): string {
  if (typeof value === 'string') return value;
  if ('key' in value) return word(locale, value);
  return figureIn(locale, value);
}

function figureIn(locale: string, figure: Figure): string {
  if ('quantity' in figure) return formatQuantityIn(figure.quantity, locale);
  if ('minor' in figure) return formatMinorUnits(figure.minor, figure.currency, locale);
  if ('percent' in figure) return formatPercentIn(figure.percent, locale);
  return formatDayIn(figure.day, locale);
}

/** A line's arithmetic in `locale`: its component labels and explanation steps worded. */
function wordArithmetic(locale: string, arithmetic: LineArithmetic): LineArithmetic {
  const { explanationWording: steps, ...rest } = arithmetic;
  return {
    ...rest,
    components: arithmetic.components.map(({ wording: label, ...c }) =>
      label ? { ...c, label: word(locale, label) } : c,
    ),
    explanation: wordSteps(locale, arithmetic.explanation, steps),
  };
}

/** Explanation steps in `locale` from their messages; without messages, as written. */
function wordSteps(locale: string, explanation: string[], steps: Wording[] | undefined): string[] {
  return steps && steps.length === explanation.length
    ? steps.map((step) => word(locale, step))
    : explanation;
}

/** Each line's description, tier labels and steps in `locale`; lines without wording keep theirs. */
export function wordLines(locale: string, lines: readonly NewInvoiceLine[]): NewInvoiceLine[] {
  return lines.map(({ wording, ...line }) => ({
    ...line,
    description: wording ? word(locale, wording) : line.description,
    ...(line.arithmetic && { arithmetic: wordArithmetic(locale, line.arithmetic) }),
  }));
}

/**
 * A rated period invoice (a preview, an estimate) worded in `locale` through wordLines, the
 * function the issued invoice's lines go through: each line, its arithmetic and its rated line.
 */
export function wordPeriodInvoice<T extends PeriodInvoice>(locale: string, invoice: T): T {
  const worded = wordLines(locale, storedLines(invoice));
  return {
    ...invoice,
    discounts: invoice.discounts.map(({ explanationWording: steps, ...discount }) => ({
      ...discount,
      explanation: wordSteps(locale, discount.explanation, steps),
    })),
    lines: invoice.lines.map((line, i) => {
      const { description } = worded[i]!;
      const arithmetic = worded[i]!.arithmetic ?? line.arithmetic;
      // The rated line's own description has no "(in arrears)" suffix: its own wording.
      const rated = { ...line.rated };
      delete rated.wording;
      delete rated.explanationWording;
      return {
        ...line,
        description,
        wording: null,
        arithmetic,
        rated: {
          ...rated,
          description: line.rated.wording ? word(locale, line.rated.wording) : rated.description,
          components: arithmetic.components,
          explanation: arithmetic.explanation,
        },
      };
    }),
  };
}
