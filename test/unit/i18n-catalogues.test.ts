// Every language's catalogue is complete: the same keys as English, messages that parse, and
// the same ICU arguments, so no customer ever reads a message in the wrong language or a raw
// "{name}". Every {{t "key"}} in templates/ names a key English has.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TAX_MENTIONS, TAX_NAMES } from '../../domain/tax/types.ts';
import { argumentsOf, catalogues, LANGUAGES, languageOf, translate } from '../../i18n/catalogue.ts';

const english = catalogues().en;

describe('message catalogues', () => {
  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has exactly the English keys', (language) => {
    const keys = [...catalogues()[language].keys()].sort();
    const missing = [...english.keys()].filter((k) => !catalogues()[language].has(k));
    const extra = keys.filter((k) => !english.has(k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(LANGUAGES)('%s messages parse and use the English arguments', (language) => {
    const mismatched: string[] = [];
    for (const [key, message] of catalogues()[language]) {
      const expected = [...argumentsOf(english.get(key) ?? '')].sort();
      const actual = [...argumentsOf(message)].sort();
      if (expected.join() !== actual.join()) {
        mismatched.push(`${key}: ${actual.join(',')} ≠ ${expected.join(',')}`);
      }
    }
    expect(mismatched).toEqual([]);
  });

  it('every key a template uses exists in English', () => {
    const used = templateKeys(join(import.meta.dirname, '../../templates'));
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((key) => !english.has(key))).toEqual([]);
  });

  it('every tax name and legal mention of the tax engine has its words', () => {
    for (const mention of TAX_MENTIONS) expect(english.has(`tax.mention.${mention}`)).toBe(true);
    for (const name of TAX_NAMES) expect(english.has(`tax.name.${name}`)).toBe(true);
  });

  it('picks the language from the locale and formats in the full locale', () => {
    expect(languageOf('de-AT')).toBe('de');
    expect(languageOf('fr_CA')).toBe('fr');
    expect(languageOf('ja-JP')).toBe('en');
    expect(translate('de-DE', 'common.language')).toBe('Deutsch');
    expect(translate('pt-BR', 'common.language')).toBe('English');
    expect(() => translate('en', 'common.no-such-key')).toThrow(/no message/);
  });
});

function templateKeys(dir: string, into = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) templateKeys(path, into);
    else if (entry.name.endsWith('.hbs')) {
      // {{t "key" …}}, {{{tHtml "key" …}}} and subexpressions (t "key" …)
      for (const match of readFileSync(path, 'utf8').matchAll(
        /(?:\{\{~?|\()\s*t(?:Html)?\s+"([^"]+)"/g,
      )) {
        into.add(match[1]!);
      }
    }
  }
  return into;
}
