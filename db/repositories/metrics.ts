// Billable metrics: what usage is counted and how a period's events reduce to one quantity.
// Immutable once created (no update, no delete): events are validated against their metric
// at ingestion, so callers may cache a metric by code for as long as they like.
import { sql, type Transaction } from 'kysely';
import {
  AGGREGATIONS,
  type Aggregation,
  type BillableMetric,
} from '../../domain/catalog/metrics.ts';
import type { Db } from '../connect.ts';
import type { Database } from '../database.ts';

type Executor = Db | Transaction<Database>;

export interface MetricRecord extends BillableMetric {
  createdAt: Date;
}

interface MetricRow {
  code: string;
  name: string;
  aggregation: string;
  field: string | null;
  created_at: Date;
}

function isAggregation(value: string): value is Aggregation {
  return (AGGREGATIONS as readonly string[]).includes(value);
}

function toRecord(row: MetricRow): MetricRecord {
  if (!isAggregation(row.aggregation))
    throw new Error(`metric ${row.code} has unknown aggregation ${row.aggregation}`);
  return {
    code: row.code,
    name: row.name,
    aggregation: row.aggregation,
    ...(row.field === null ? {} : { field: row.field }),
    createdAt: row.created_at,
  };
}

/**
 * Creates the metric, or returns undefined when the code is taken: the primary key decides,
 * so two concurrent creates cannot both succeed. `field` must be absent exactly for count.
 */
export async function createMetric(
  db: Executor,
  metric: BillableMetric,
): Promise<MetricRecord | undefined> {
  const row = await db
    .insertInto('billable_metrics')
    .values({
      code: metric.code,
      name: metric.name,
      aggregation: metric.aggregation,
      field: metric.field ?? null,
    })
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toRecord(row);
}

export async function getMetric(db: Executor, code: string): Promise<MetricRecord | undefined> {
  const row = await db
    .selectFrom('billable_metrics')
    .selectAll()
    .where('code', '=', code)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** The metrics among `codes` that exist, by code (one query for a whole batch of events). */
export async function getMetrics(
  db: Executor,
  codes: readonly string[],
): Promise<Map<string, MetricRecord>> {
  const found = new Map<string, MetricRecord>();
  if (codes.length === 0) return found;
  const rows = await db
    .selectFrom('billable_metrics')
    .selectAll()
    .where('code', '=', sql<string>`any(${[...codes]}::text[])`)
    .execute();
  for (const row of rows) found.set(row.code, toRecord(row));
  return found;
}

/** Every metric code, sorted: what a usage-based charge may refer to. */
export async function listMetricCodes(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('billable_metrics').select('code').orderBy('code').execute();
  return rows.map((row) => row.code);
}

/** Newest first; `startingAfter` is the code of the last metric of the previous page. */
export async function listMetrics(
  db: Executor,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: MetricRecord[]; hasMore: boolean }> {
  let query = db.selectFrom('billable_metrics').selectAll();
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    query = query.where(
      sql<boolean>`(created_at, code) < (select m.created_at, m.code from billable_metrics m where m.code = ${cursor})`,
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('code', 'desc')
    .limit(options.limit + 1)
    .execute();
  return {
    items: rows.slice(0, options.limit).map(toRecord),
    hasMore: rows.length > options.limit,
  };
}
