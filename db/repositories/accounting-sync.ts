// The accounting sync's rows: links from each Billwright object to the accounting system's id
// for it (and a hash of what was pushed), sync runs (one running per system, by a partial unique
// index), and each run's outcome per object, keyed by the pair so a retried batch records nothing
// twice. Counts are read from those rows, never kept apart. Also the finance rows the sync pushes,
// listed in dependency order's batches and read whole.
import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type {
  AccountingLink,
  AccountingLinkKind,
  AccountingOutcome,
  AccountingSyncRow,
} from '../database.ts';

/** Dates YYYY-MM-DD: from inclusive, to exclusive (UTC). */
export interface SyncPeriod {
  from: string;
  to: string;
}

export type OutcomeCounts = Record<AccountingOutcome, number>;

export interface AccountingSyncRecord {
  id: string;
  provider: string;
  period: SyncPeriod | null;
  status: 'running' | 'completed';
  actor: string;
  createdAt: Date;
  completedAt: Date | null;
  counts: Record<AccountingLinkKind, OutcomeCounts>;
}

export interface SyncFailure {
  kind: AccountingLinkKind;
  objectId: string;
  detail: string | null;
}

const KINDS: AccountingLinkKind[] = ['customer', 'invoice', 'payment', 'credit_note'];

/** Stores a new running sync; false when one is already running for the provider. */
export async function insertAccountingSync(
  db: Db,
  input: { id: string; provider: string; period?: SyncPeriod | undefined; actor: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto('accounting_syncs')
    .values({
      id: input.id,
      provider: input.provider,
      period_from: input.period?.from ?? null,
      period_to: input.period?.to ?? null,
      actor: input.actor,
    })
    .onConflict((oc) => oc.column('provider').where('status', '=', 'running').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function runningAccountingSync(
  db: Db,
  provider: string,
): Promise<AccountingSyncRecord | undefined> {
  const row = await db
    .selectFrom('accounting_syncs')
    .selectAll()
    .where('provider', '=', provider)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return row && withCounts(db, row);
}

export async function getAccountingSync(
  db: Db,
  id: string,
): Promise<AccountingSyncRecord | undefined> {
  const row = await db
    .selectFrom('accounting_syncs')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && withCounts(db, row);
}

async function withCounts(db: Db, row: AccountingSyncRow): Promise<AccountingSyncRecord> {
  return {
    id: row.id,
    provider: row.provider,
    period: row.period_from && row.period_to ? { from: row.period_from, to: row.period_to } : null,
    status: row.status,
    actor: row.actor,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    counts: await syncCounts(db, row.id),
  };
}

export async function syncCounts(
  db: Db,
  syncId: string,
): Promise<Record<AccountingLinkKind, OutcomeCounts>> {
  const rows = await db
    .selectFrom('accounting_sync_outcomes')
    .select(['kind', 'outcome', (eb) => eb.fn.countAll<string>().as('n')])
    .where('sync_id', '=', syncId)
    .groupBy(['kind', 'outcome'])
    .execute();
  const counts = Object.fromEntries(
    KINDS.map((kind) => [kind, { pushed: 0, skipped: 0, failed: 0 }]),
  ) as Record<AccountingLinkKind, OutcomeCounts>;
  for (const row of rows) counts[row.kind][row.outcome] = Number(row.n);
  return counts;
}

/** The objects a sync could not push, and why (the first `limit`). */
export async function syncFailures(db: Db, syncId: string, limit: number): Promise<SyncFailure[]> {
  const rows = await db
    .selectFrom('accounting_sync_outcomes')
    .select(['kind', 'object_id', 'detail'])
    .where('sync_id', '=', syncId)
    .where('outcome', '=', 'failed')
    .orderBy('occurred_at')
    .orderBy('object_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ kind: r.kind, objectId: r.object_id, detail: r.detail }));
}

export async function completeAccountingSync(db: Db, syncId: string): Promise<void> {
  await db
    .updateTable('accounting_syncs')
    .set({ status: 'completed', completed_at: sql<Date>`now()` })
    .where('id', '=', syncId)
    .where('status', '=', 'running')
    .execute();
}

/** Of these objects, those the sync has already recorded an outcome for. */
export async function reachedObjects(
  db: Db,
  syncId: string,
  kind: AccountingLinkKind,
  objectIds: string[],
): Promise<Set<string>> {
  if (objectIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('accounting_sync_outcomes')
    .select('object_id')
    .where('sync_id', '=', syncId)
    .where('kind', '=', kind)
    .where('object_id', 'in', objectIds)
    .execute();
  return new Set(rows.map((r) => r.object_id));
}

export async function recordSyncOutcome(
  db: Db,
  input: {
    syncId: string;
    kind: AccountingLinkKind;
    objectId: string;
    outcome: AccountingOutcome;
    detail?: string | undefined;
  },
): Promise<void> {
  await db
    .insertInto('accounting_sync_outcomes')
    .values({
      sync_id: input.syncId,
      kind: input.kind,
      object_id: input.objectId,
      outcome: input.outcome,
      detail: input.detail ?? null,
    })
    .onConflict((oc) => oc.columns(['sync_id', 'kind', 'object_id']).doNothing())
    .execute();
}

export async function getAccountingLink(
  db: Db,
  provider: string,
  kind: AccountingLinkKind,
  objectId: string,
): Promise<AccountingLink | undefined> {
  return db
    .selectFrom('accounting_links')
    .selectAll()
    .where('provider', '=', provider)
    .where('kind', '=', kind)
    .where('object_id', '=', objectId)
    .executeTakeFirst();
}

/** Saves what the system acknowledged for the object (its id, the content's hash, the amount). */
export async function saveAccountingLink(
  db: Db,
  link: {
    provider: string;
    kind: AccountingLinkKind;
    objectId: string;
    externalId: string;
    hash: string;
    currency?: string | undefined;
    amount?: number | undefined;
  },
): Promise<void> {
  const values = {
    external_id: link.externalId,
    synced_hash: link.hash,
    currency: link.currency ?? null,
    synced_amount: link.amount ?? null,
    synced_at: sql<Date>`now()`,
  };
  await db
    .insertInto('accounting_links')
    .values({ provider: link.provider, kind: link.kind, object_id: link.objectId, ...values })
    .onConflict((oc) => oc.columns(['provider', 'kind', 'object_id']).doUpdateSet(values))
    .execute();
}

/** The links of a kind whose object id (or external id) is among these, by that id. */
export async function accountingLinks(
  db: Db,
  provider: string,
  kind: AccountingLinkKind,
  by: 'object_id' | 'external_id',
  ids: string[],
): Promise<Map<string, AccountingLink>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('accounting_links')
    .selectAll()
    .where('provider', '=', provider)
    .where('kind', '=', kind)
    .where(by, 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r[by], r]));
}

const startOf = (date: string) => new Date(`${date}T00:00:00Z`);

/**
 * The next batch of a kind's objects to push, by id after `after`: finalized invoices issued in
 * the period, credit notes issued and payments made in it, and the customers of those invoices.
 */
export async function listSyncBatch(
  db: Db,
  kind: AccountingLinkKind,
  period: SyncPeriod | undefined,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const { table, id, at } = {
    customer: { table: 'invoices', id: 'customer_id', at: 'issued_at' },
    invoice: { table: 'invoices', id: 'id', at: 'issued_at' },
    credit_note: { table: 'credit_notes', id: 'id', at: 'issued_at' },
    payment: { table: 'payments', id: 'id', at: 'paid_at' },
  }[kind] as { table: 'invoices'; id: 'id'; at: 'issued_at' };
  let query = db.selectFrom(table).select(`${id} as object_id`).distinct();
  if (table === 'invoices') query = query.where('number', 'is not', null);
  if (period) {
    query = query.where(at, '>=', startOf(period.from)).where(at, '<', startOf(period.to));
  }
  if (after) query = query.where(id, '>', after);
  const rows = await query.orderBy('object_id').limit(limit).execute();
  return rows.map((r) => r.object_id);
}

export interface PeriodDocument {
  id: string;
  /** Invoice or credit note number; a payment's id. */
  reference: string;
  currency: string;
  amount: number;
  /** YYYY-MM-DD (UTC) */
  date: string;
}

/** Billwright's documents of a kind dated in the period, as the reconciliation compares them. */
export async function documentsInPeriod(
  db: Db,
  kind: 'invoice' | 'credit_note' | 'payment',
  period: SyncPeriod,
): Promise<PeriodDocument[]> {
  const from = startOf(period.from);
  const to = startOf(period.to);
  const day = (column: string) =>
    sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD')`;
  if (kind === 'payment') {
    return db
      .selectFrom('payments')
      .select(['id', 'id as reference', 'currency', 'amount', day('paid_at').as('date')])
      .where('paid_at', '>=', from)
      .where('paid_at', '<', to)
      .orderBy('paid_at')
      .orderBy('id')
      .execute();
  }
  if (kind === 'credit_note') {
    return db
      .selectFrom('credit_notes')
      .select([
        'id',
        'number as reference',
        'currency',
        'total as amount',
        day('issued_at').as('date'),
      ])
      .where('issued_at', '>=', from)
      .where('issued_at', '<', to)
      .orderBy('issued_at')
      .orderBy('id')
      .execute();
  }
  const rows = await db
    .selectFrom('invoices')
    .select(['id', 'number', 'currency', 'total as amount', day('issued_at').as('date')])
    .where('number', 'is not', null)
    .where('issued_at', '>=', from)
    .where('issued_at', '<', to)
    .orderBy('issued_at')
    .orderBy('id')
    .execute();
  return rows.map(({ number, ...row }) => ({ ...row, reference: number! }));
}
