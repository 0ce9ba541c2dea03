// Looking up the dated rates table (the built-in one is in rate-table/): the entry in force on
// a date, and a US state's taxability.
import type { TaxCategory, TaxName, TaxRate, TaxRateTable, UsTaxability } from './types.ts';

type Category = Exclude<TaxCategory, 'exempt'>;

function inForce(item: { effectiveFrom: string; effectiveTo?: string }, date: string): boolean {
  return item.effectiveFrom <= date && (item.effectiveTo === undefined || date < item.effectiveTo);
}

/** The rate in force on `date` (YYYY-MM-DD), or undefined. Throws if the table overlaps. */
export function findRate(
  table: TaxRateTable,
  jurisdiction: string,
  taxName: TaxName,
  category: Category,
  date: string,
): TaxRate | undefined {
  const found = table.rates.filter(
    (r) =>
      r.jurisdiction === jurisdiction &&
      r.taxName === taxName &&
      r.category === category &&
      inForce(r, date),
  );
  if (found.length > 1) {
    throw new RangeError(`rates table overlaps: ${jurisdiction} ${taxName} ${category} on ${date}`);
  }
  return found[0];
}

/** Whether a US state taxes the category on `date`; undefined when the table does not say. */
export function findUsTaxability(
  table: TaxRateTable,
  state: string,
  category: Category,
  date: string,
): UsTaxability | undefined {
  const found = table.usTaxability.filter(
    (t) => t.state === state && t.category === category && inForce(t, date),
  );
  if (found.length > 1) throw new RangeError(`US taxability overlaps: ${state} on ${date}`);
  return found[0];
}
