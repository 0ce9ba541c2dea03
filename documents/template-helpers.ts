// The Handlebars helpers every template may use ({{money}}, {{date}}, {{percent}}, …): values
// formatted in the document's currency and the customer's locale and time zone, with the Intl
// formatters cached because templates ask for them on every amount and date.
import type Handlebars from 'handlebars';
import { formatMinorUnits, formatMoney, money } from '../domain/core/money.ts';
import { systemPaymentMethodKey } from '../domain/core/payment-methods.ts';
import { translate, type MessageValues } from '../i18n/catalogue.ts';

/** What every helper may rely on in any template's root context. */
export interface TemplateRoot {
  /** Currency of the document's amounts. */
  currency: string;
  customer: { locale: string; timezone: string };
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const LONG_DATE: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'long', day: 'numeric' };

/**
 * Helpers take the value first; currency, time zone and locale are optional and default to the
 * invoice's currency and the customer's zone and locale, so `{{money amount}}` works anywhere.
 */
export function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('money', (...args: unknown[]) => {
    const [root, amount, currency, locale] = helperArgs(args);
    if (typeof amount !== 'number') {
      throw new TypeError(`money helper needs integer minor units, got ${String(amount)}`);
    }
    return formatMoney(
      money(amount, stringOr(currency, root.currency)),
      stringOr(locale, root.customer.locale),
    );
  });

  // Exact minor units as a decimal string, never rounded to the currency: a unit price of "0.06"
  // EUR → "€0.0006", a tier's exact amount, a cap. {{money}} is for rounded integer amounts.
  hb.registerHelper('exactMoney', (...args: unknown[]) => {
    const [root, value, currency, locale] = helperArgs(args);
    if (typeof value !== 'string' || !DECIMAL.test(value)) {
      throw new TypeError(
        `exactMoney helper needs minor units as a decimal string, got ${String(value)}`,
      );
    }
    return formatMinorUnits(
      value,
      stringOr(currency, root.currency),
      stringOr(locale, root.customer.locale),
    );
  });

  hb.registerHelper('date', (...args: unknown[]) => {
    const [root, instant, timezone, locale] = helperArgs(args);
    return dateFormat(stringOr(locale, root.customer.locale), {
      ...LONG_DATE,
      timeZone: stringOr(timezone, root.customer.timezone),
    }).format(instantMillis(instant));
  });

  // A billed period [start, end) reads as its first and last local days, e.g. "1–31 décembre
  // 2026": the last day is the one holding the last instant before the exclusive end.
  hb.registerHelper('period', (...args: unknown[]) => {
    const [root, start, end, timezone, locale] = helperArgs(args);
    const format = dateFormat(stringOr(locale, root.customer.locale), {
      ...LONG_DATE,
      timeZone: stringOr(timezone, root.customer.timezone),
    });
    const from = instantMillis(start);
    if (end === undefined || end === null) return format.format(from);
    const until = instantMillis(end);
    if (until <= from) {
      const [a, b] = [from, until].map((ms) => new Date(ms).toISOString());
      throw new RangeError(`period end ${b} is not after its start ${a}`);
    }
    return format.formatRange(from, until - 1);
  });

  // A rate already in percent, as the tax engine gives it: "20" → "20 %", "9.975" → "9,975 %".
  hb.registerHelper('taxRate', (...args: unknown[]) => {
    const [root, value, locale] = helperArgs(args);
    if (typeof value !== 'string' || !DECIMAL.test(value)) {
      throw new TypeError(
        `taxRate helper needs a percent as a decimal string, got ${String(value)}`,
      );
    }
    return formatPercentIn(value, stringOr(locale, root.customer.locale));
  });

  // Integer basis points (825 → 8.25 %) or an exact decimal string ("0.0825" → 8.25 %).
  hb.registerHelper('percent', (...args: unknown[]) => {
    const [root, value, locale] = helperArgs(args);
    const decimal = typeof value === 'number' ? basisPointsToDecimal(value) : value;
    if (typeof decimal !== 'string' || !DECIMAL.test(decimal)) {
      throw new TypeError(
        `percent helper needs basis points or a decimal string, got ${String(value)}`,
      );
    }
    const fractionDigits = decimal.includes('.') ? decimal.split('.')[1]!.length : 0;
    return numberFormat(stringOr(locale, root.customer.locale), {
      style: 'percent',
      maximumFractionDigits: Math.min(20, Math.max(0, fractionDigits - 2)),
    }).format(decimal as unknown as number); // Intl formats decimal strings exactly
  });

  // The signed hosted page's PDF: same signature, path + "/pdf" (documents/hosted-links.ts).
  hb.registerHelper('pdfLink', (...args: unknown[]) => {
    const [, url] = helperArgs(args);
    if (typeof url !== 'string') throw new TypeError(`pdfLink needs a URL, got ${String(url)}`);
    const link = new URL(url);
    link.pathname = `${link.pathname.replace(/\/$/, '')}/pdf`;
    return link.toString();
  });

  // A country code written out in the document's language: "DE" is "Deutschland" in de-DE and
  // "Germany" in en; a code Intl does not know is printed as it is.
  hb.registerHelper('country', (...args: unknown[]) => {
    const [root, code, locale] = helperArgs(args);
    if (typeof code !== 'string') throw new TypeError(`country needs a code, got ${String(code)}`);
    return countryName(code, stringOr(locale, root.customer.locale));
  });

  // A catalogue message in the customer's language (i18n/messages), its hash as ICU values:
  // {{t "invoice.due" date=dueDate}}. Handlebars escapes the result like any other value.
  hb.registerHelper('t', (...args: unknown[]) => {
    const [root, key, locale] = helperArgs(args);
    if (typeof key !== 'string') throw new TypeError(`t needs a message key, got ${String(key)}`);
    const { hash } = args[args.length - 1] as Handlebars.HelperOptions;
    return translate(stringOr(locale, root.customer.locale), key, hash as MessageValues);
  });

  // The same for a message that carries markup of ours ("due by <strong>{date}</strong>"): the
  // values are escaped (a customer's name is text), the message is trusted, and the result is
  // not escaped again: {{{tHtml "email.invoice.amountDue" amount=(money amountDue)}}}.
  hb.registerHelper('tHtml', (...args: unknown[]) => {
    const [root, key, locale] = helperArgs(args);
    if (typeof key !== 'string')
      throw new TypeError(`tHtml needs a message key, got ${String(key)}`);
    const { hash } = args[args.length - 1] as Handlebars.HelperOptions;
    const values = Object.fromEntries(
      Object.entries(hash as Record<string, unknown>).map(([name, value]) => [
        name,
        typeof value === 'string' ? hb.escapeExpression(value) : value,
      ]),
    ) as MessageValues;
    return new hb.SafeString(translate(stringOr(locale, root.customer.locale), key, values));
  });

  // A payment's method: one the system records ("account credit") in the reader's language,
  // an operator's own text as typed: {{paymentMethod payment.method}}.
  hb.registerHelper('paymentMethod', (...args: unknown[]) => {
    const [root, method, locale] = helperArgs(args);
    if (typeof method !== 'string') return '';
    const key = systemPaymentMethodKey(method);
    return key === null ? method : translate(stringOr(locale, root.customer.locale), key);
  });

  // Names built from data, e.g. a dynamic partial: {{> (concat "reminder-" tone)}}.
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));

  // For conditions such as {{#unless (eq quantity 1)}}.
  hb.registerHelper('eq', (...args: unknown[]) => {
    const [, a, b] = helperArgs(args);
    return a === b;
  });

  // Exact decimal quantities for people ("1234.5" → "1 234,5" in fr-FR), never through a float.
  hb.registerHelper('quantity', (...args: unknown[]) => {
    const [root, value, locale] = helperArgs(args);
    if (typeof value !== 'string' || !DECIMAL.test(value)) {
      throw new TypeError(`quantity helper needs a decimal string, got ${String(value)}`);
    }
    return formatQuantityIn(value, stringOr(locale, root.customer.locale));
  });

  // Whole numbers for people, e.g. a quantity of 12000 → "12 000" in fr-FR.
  hb.registerHelper('number', (...args: unknown[]) => {
    const [root, value, locale] = helperArgs(args);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new TypeError(`number helper needs an integer, got ${String(value)}`);
    }
    return numberFormat(stringOr(locale, root.customer.locale)).format(value);
  });
}

/** An exact decimal quantity in `locale`: "1234.5" → "1.234,5" in de-DE, never through a float. */
export function formatQuantityIn(value: string, locale: string): string {
  return numberFormat(locale, { maximumFractionDigits: 20 }).format(value as unknown as number); // Intl formats decimal strings exactly
}

/** A percent as written ("2.9" is 2.9 %) in `locale`: "2,9 %" in de-DE. */
export function formatPercentIn(value: string, locale: string): string {
  const fractionDigits = value.includes('.') ? value.split('.')[1]!.length : 0;
  return numberFormat(locale, {
    style: 'percent',
    maximumFractionDigits: Math.min(20, fractionDigits),
  }).format(`${value}E-2` as unknown as number); // exact: Intl reads decimal strings
}

/** A calendar day (YYYY-MM-DD) as documents write dates: "15. Dezember 2026" in de-DE. */
export function formatDayIn(day: string, locale: string): string {
  return dateFormat(locale, { ...LONG_DATE, timeZone: 'UTC' }).format(
    Date.parse(`${day}T00:00:00Z`),
  );
}

// Building an Intl formatter costs ~100× more than formatting with one, and every money, date
// and number in a template asks for one: keep them, keyed by locale and options.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

function numberFormat(locale: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(locale, options)));
  return format;
}

const regionNames = new Map<string, Intl.DisplayNames>();

/** The country's name in `locale`: "DE" → "Deutschland" (de-DE), "Germany" (en). */
export function countryName(code: string, locale: string): string {
  let names = regionNames.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
    regionNames.set(locale, names);
  }
  try {
    return names.of(code) ?? code;
  } catch {
    return code; // not a well-formed region code
  }
}

/** Splits a helper call into the root context and its positional arguments. */
function helperArgs(args: unknown[]): [TemplateRoot, ...unknown[]] {
  const options = args[args.length - 1] as Handlebars.HelperOptions;
  const root = (options.data as { root: TemplateRoot }).root;
  return [root, ...args.slice(0, -1)];
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function instantMillis(value: unknown): number {
  const millis = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis))
    throw new RangeError(`expected an ISO 8601 instant, got ${String(value)}`);
  return millis;
}

function basisPointsToDecimal(basisPoints: number): string {
  if (!Number.isSafeInteger(basisPoints)) {
    throw new RangeError(`basis points must be an integer, got ${basisPoints}`);
  }
  const digits = Math.abs(basisPoints).toString().padStart(5, '0');
  return `${basisPoints < 0 ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}
