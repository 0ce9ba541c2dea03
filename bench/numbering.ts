// Gap-free numbering under contention, for `npm run bench` (phase `numbering`): how many
// invoices per second one number series can number. An invoice's number is taken last in its
// finalization transaction, and the series' counter row stays locked until commit
// (db/repositories/invoice-finalization.ts), so every invoice of one series passes through that
// critical section one at a time: it bounds a month-start bill run however many workers run.
//
// Each transaction takes the next number with the real repository function, then writes what
// finalization writes after it (the invoice row updated, its events recorded: three single-row
// statements on a scratch table of the same width) and commits. Sixteen connections at once, on
// one series, then on sixteen (one per connection), on the same PostgreSQL.
import { sql } from 'kysely';
import { connectDatabase, type Db } from '../db/connect.ts';
import { nextNumberInSeries } from '../db/repositories/number-series.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import type { BenchRow } from './render.ts';

const TRANSACTIONS = Number(process.env.BENCH_NUMBERING_TRANSACTIONS ?? 4_000);
const CONNECTIONS = 16;
/** The invoice row's JSON columns (details, tax breakdown) are about this wide. */
const ROW_BYTES = 1_500;

async function numberAll(db: Db, seriesOf: (worker: number) => string): Promise<number> {
  const filler = 'x'.repeat(ROW_BYTES);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, worker) => {
      while (next < TRANSACTIONS) {
        const id = next++;
        await db.transaction().execute(async (trx) => {
          const number = await nextNumberInSeries(trx, seriesOf(worker));
          await sql`insert into bench_finalized (id, number, body) values (${id}, ${number}, ${filler})`.execute(
            trx,
          );
          await sql`update bench_finalized set body = ${filler} where id = ${id}`.execute(trx);
          await sql`insert into bench_finalized_events (invoice_id, body) values (${id}, ${filler})`.execute(
            trx,
          );
        });
      }
    }),
  );
  return TRANSACTIONS / ((performance.now() - started) / 1000);
}

export async function numberingBench(url: string): Promise<BenchRow[]> {
  const db = await connectDatabase({ url, maxConnections: CONNECTIONS });
  try {
    await sql`create table bench_finalized (id int primary key, number int not null, body text not null)`.execute(
      db,
    );
    await sql`create table bench_finalized_events (id serial primary key, invoice_id int not null, body text not null)`.execute(
      db,
    );
    const started = Date.now();
    const one = await numberAll(db, () => 'bench-one');
    // Gap-free and unique: exactly 1..TRANSACTIONS, each once.
    const { rows } = await sql<{ distinct: number; top: number }>`
      select count(distinct number)::int as distinct, max(number)::int as top from bench_finalized
    `.execute(db);
    if (rows[0]!.distinct !== TRANSACTIONS || rows[0]!.top !== TRANSACTIONS) {
      throw new Error(
        `numbering: expected 1..${TRANSACTIONS} once each, got ${JSON.stringify(rows[0])}`,
      );
    }
    await sql`truncate bench_finalized, bench_finalized_events`.execute(db);
    const many = await numberAll(db, (worker) => `bench-many-${worker}`);
    progress(
      `numbering: ${TRANSACTIONS * 2} transactions in ${formatDuration(Date.now() - started)}`,
    );
    const measure = (series: string) =>
      `invoices numbered per second, ${TRANSACTIONS.toLocaleString('en')} finalization-shaped transactions on ${CONNECTIONS} connections, ${series}`;
    return [
      {
        phase: 'numbering',
        measure: measure('one series'),
        result: `${Math.round(one)}/s`,
        goal: '',
      },
      {
        phase: 'numbering',
        measure: measure(`${CONNECTIONS} series (one per connection)`),
        result: `${Math.round(many)}/s`,
        goal: '',
      },
    ];
  } finally {
    await sql`drop table if exists bench_finalized, bench_finalized_events`.execute(db);
    await db.destroy();
  }
}
