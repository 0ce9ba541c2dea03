// Gap-free document numbers: one counter row per series (number_series), bumped inside the
// transaction that finalizes the document. The upsert locks the row until that transaction
// ends, so concurrent finalizations queue up and a rollback hands the number back.
import { sql, type Transaction } from 'kysely';
import {
  formatNumber,
  numberDateOf,
  seriesKey,
  type NumberingSettings,
} from '../../domain/invoicing/numbering.ts';
import type { Database } from '../database.ts';

/** Bumps the series counter and returns the new value (1 for a new series). */
export async function nextNumberInSeries(
  trx: Transaction<Database>,
  series: string,
): Promise<number> {
  const row = await trx
    .insertInto('number_series')
    .values({ series, last_value: 1 })
    .onConflict((oc) =>
      oc.column('series').doUpdateSet({ last_value: sql`number_series.last_value + 1` }),
    )
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return row.last_value;
}

/**
 * Takes the next number of `format`'s series for a document of `customerId` finalized at `at`
 * (the series is picked by the date in the seller's zone). Call it last in the transaction: the
 * counter row stays locked until commit. Customers on a test clock number in a series of that
 * clock (TEST-<clock>-…), so the real series never sees them and deleting the clock leaves no gap.
 */
export async function takeDocumentNumber(
  trx: Transaction<Database>,
  format: string,
  at: Date,
  numbering: Pick<NumberingSettings, 'timezone'>,
  customerId: string,
): Promise<string> {
  const { test_clock_id: clockId } = await trx
    .selectFrom('customers')
    .select('test_clock_id')
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  // Unique across clocks (numbers are unique), and short enough for a document header.
  const printed = clockId ? `TEST-${clockId.slice(-12).toUpperCase()}-${format}` : format;
  const date = numberDateOf(at, numbering.timezone);
  const series = clockId
    ? testClockSeries(clockId, seriesKey(printed, date))
    : seriesKey(format, date);
  const sequence = await nextNumberInSeries(trx, series);
  return formatNumber(printed, date, sequence);
}

/** The counter of a test clock's series: deleted with the clock. */
export function testClockSeries(clockId: string, key: string): string {
  return `${clockId}:${key}`;
}
