// Message catalogues in ICU MessageFormat (formatjs' intl-messageformat): one JSON file per
// namespace and language, i18n/messages/<language>/<namespace>.json, nested objects read as
// dotted keys ("invoice.title"). Documents, hosted pages, the portal and emails all speak the
// customer's language through `translate` (and the `{{t}}` template helper built on it).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';

/** The languages every catalogue is complete for (a test fails on a missing key). */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl'] as const;
export type Language = (typeof LANGUAGES)[number];
export const FALLBACK_LANGUAGE: Language = 'en';

const MESSAGES_DIR = join(import.meta.dirname, 'messages');

/** Values a message may interpolate: ICU formats numbers and dates itself, in the locale. */
export type MessageValues = Record<string, string | number | boolean | Date | null | undefined>;

/** The catalogue's language for a BCP 47 locale: "de-AT" → "de"; unknown ones → English. */
export function languageOf(locale: string): Language {
  const primary = locale.replace(/_/g, '-').split('-')[0]!.toLowerCase();
  return (LANGUAGES as readonly string[]).includes(primary)
    ? (primary as Language)
    : FALLBACK_LANGUAGE;
}

/** Every language's messages, flattened to dotted keys, read once from disk. */
export function catalogues(): Record<Language, Map<string, string>> {
  return (loaded ??= Object.fromEntries(
    LANGUAGES.map((language) => [language, readLanguage(language)]),
  ) as Record<Language, Map<string, string>>);
}
let loaded: Record<Language, Map<string, string>> | undefined;

/**
 * The message `key` in `locale`'s language, formatted with `values` in that locale. A key the
 * language lacks falls back to English (a test keeps that from happening); a key English lacks
 * is a programming error and throws.
 */
export function translate(locale: string, key: string, values: MessageValues = {}): string {
  const language = languageOf(locale);
  const cacheKey = `${locale}\u0000${key}`;
  let format = formats.get(cacheKey);
  if (!format) {
    const source = catalogues()[language].get(key) ?? catalogues().en.get(key);
    if (source === undefined) throw new RangeError(`no message "${key}" in the catalogues`);
    format = new IntlMessageFormat(source, safeLocale(locale), undefined, {
      ignoreTag: true,
    });
    formats.set(cacheKey, format);
  }
  return String(format.format(values));
}
const formats = new Map<string, IntlMessageFormat>();

/** A translator bound to one locale, for code that says many things to one customer. */
export function translatorFor(locale: string): (key: string, values?: MessageValues) => string {
  return (key, values) => translate(locale, key, values);
}

/** The names of the arguments a message uses, for the catalogue test. */
export function argumentsOf(message: string): Set<string> {
  const names = new Set<string>();
  const walk = (elements: readonly unknown[]): void => {
    for (const element of elements as {
      type: number;
      value?: unknown;
      options?: Record<string, { value: unknown[] }>;
    }[]) {
      if (element.type !== 0 && element.type !== 7 && typeof element.value === 'string') {
        names.add(element.value);
      }
      for (const option of Object.values(element.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, 'en', undefined, { ignoreTag: true }).getAst());
  return names;
}

function readLanguage(language: Language): Map<string, string> {
  const messages = new Map<string, string>();
  const dir = join(MESSAGES_DIR, language);
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const namespace = file.slice(0, -'.json'.length);
    flatten(JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown, namespace, messages);
  }
  return messages;
}

function flatten(value: unknown, prefix: string, into: Map<string, string>): void {
  if (typeof value === 'string') {
    into.set(prefix, value);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`catalogue entry ${prefix} must be a string or an object`);
  }
  for (const [key, child] of Object.entries(value)) flatten(child, `${prefix}.${key}`, into);
}

function safeLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale.replace(/_/g, '-'))[0] ?? FALLBACK_LANGUAGE;
  } catch {
    return FALLBACK_LANGUAGE;
  }
}
