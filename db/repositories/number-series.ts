// Gap-free document numbers: one counter row per series (number_series), bumped inside the
// transaction that finalizes the document. The upsert locks the row until that transaction
// ends, so concurrent finalizations queue up and a rollback hands the number back.
import { sql, type Transaction } from 'kysely';
import {
  formatNumber,
  numberDateOf,
  seriesKey,
  type NumberingSettings,
} from '../../domain/numbering.ts';
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
 * Takes the next number of `format`'s series for a document finalized at `at` (the series is
 * picked by the date in the seller's zone). Call it last in the transaction: the counter row
 * stays locked until commit.
 */
export async function takeDocumentNumber(
  trx: Transaction<Database>,
  format: string,
  at: Date,
  numbering: Pick<NumberingSettings, 'timezone'>,
): Promise<string> {
  const date = numberDateOf(at, numbering.timezone);
  const sequence = await nextNumberInSeries(trx, seriesKey(format, date));
  return formatNumber(format, date, sequence);
}
