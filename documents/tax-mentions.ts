// The tax engine's legal mentions in words: a mention code and what it names
// (domain/tax/types.ts), worded from the catalogue (i18n/messages/<lang>/tax.json) in the
// document's language, the way each country's law expects to read it ("Autoliquidation",
// "Steuerschuldnerschaft des Leistungsempfängers", "Btw verlegd"). A tax name it names ("VAT",
// "GST") is the document language's own ("TVA", "USt.", "btw").
import type { TaxNote } from '../domain/tax/types.ts';
import { catalogues, translate } from '../i18n/catalogue.ts';

/** The printed wording of a tax note in `locale`'s language. */
export function taxNoteText(locale: string, note: Pick<TaxNote, 'mention' | 'params'>): string {
  const params = { ...note.params };
  if (params.tax !== undefined) params.tax = taxNameIn(locale, params.tax);
  return translate(locale, `tax.mention.${note.mention}`, params);
}

/** "VAT" as the document's language writes it; a name the catalogue lacks is printed as is. */
export function taxNameIn(locale: string, name: string): string {
  const key = `tax.name.${name}`;
  return catalogues().en.has(key) ? translate(locale, key) : name;
}
