// The built-in rates table is dated. A change of law is a new entry with its `effectiveFrom` and
// an `effectiveTo` on the entry it replaces, never an edit of a past rate: an invoice for a
// supply before the change keeps the old rate (see docs/TAX.md, "Changing a rate").
//
// Coverage starts on COVERAGE_START: an entry from that date means "in force at least since
// then" (earlier history is not recorded, and a supply before it has no rate: an error, not a
// guess). Entries with another effectiveFrom are real changes of law. Reviewed 2026-11-23.
import type { TaxCategory, TaxName, TaxRate } from '../types.ts';

export const COVERAGE_START = '2024-01-01';

type Category = Exclude<TaxCategory, 'exempt'>;

export function entry(
  jurisdiction: string,
  taxName: TaxName,
  category: Category,
  rate: string,
  source: string,
  effectiveFrom: string = COVERAGE_START,
  effectiveTo?: string,
): TaxRate {
  return {
    jurisdiction,
    taxName,
    category,
    rate,
    effectiveFrom,
    ...(effectiveTo ? { effectiveTo } : {}),
    source,
  };
}
