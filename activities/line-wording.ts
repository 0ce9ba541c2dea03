// The lines the system writes (a minimum commitment true-up, a tier's range, "in arrears", a
// project's deposit), worded in the customer's locale when the invoice is issued: the stored
// description and component labels keep that language, like the issued document.
import type { Wording } from '../domain/core/wording.ts';
import type { NewInvoiceLine } from '../db/repositories/invoice-drafts.ts';
import { translate } from '../i18n/catalogue.ts';

export function word(locale: string, wording: Wording): string {
  const values = Object.fromEntries(
    Object.entries(wording.values ?? {}).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : word(locale, value),
    ]),
  );
  return translate(locale, wording.key, values);
}

/** Each line's description and tier labels in `locale`; lines without wording keep their text. */
export function wordLines(locale: string, lines: readonly NewInvoiceLine[]): NewInvoiceLine[] {
  return lines.map(({ wording, ...line }) => {
    const arithmetic = line.arithmetic && {
      ...line.arithmetic,
      components: line.arithmetic.components.map(({ wording: label, ...c }) =>
        label ? { ...c, label: word(locale, label) } : c,
      ),
    };
    return {
      ...line,
      description: wording ? word(locale, wording) : line.description,
      ...(arithmetic && { arithmetic }),
    };
  });
}
