// Plan migrations: one row per request to move a plan's running subscriptions to a version, and
// one row per subscription it reached (moved, skipped or failed, and why), keyed by the pair so
// a retried batch records nothing twice. Counts are read from those rows, never kept apart.
import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { PlanMigrationSubscriptionsTable } from '../database.ts';

export type MigrationOutcome = PlanMigrationSubscriptionsTable['outcome'];

export interface NewPlanMigration {
  id: string;
  planId: string;
  /** Only subscriptions on these versions; undefined: every version. */
  fromVersions?: number[] | undefined;
  toVersion: number;
  applyAt: 'now' | 'period_end';
  reason?: string | undefined;
  actor: string;
}

export interface MigrationCounts {
  moved: number;
  skipped: number;
  failed: number;
}

export interface PlanMigrationRecord extends MigrationCounts {
  id: string;
  planId: string;
  planCode: string;
  fromVersions: number[] | null;
  toVersion: number;
  applyAt: 'now' | 'period_end';
  reason: string | null;
  actor: string;
  status: 'running' | 'completed';
  total: number | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface MigrationException {
  subscriptionId: string;
  outcome: 'skipped' | 'failed';
  detail: string | null;
}

export async function insertPlanMigration(db: Db, input: NewPlanMigration): Promise<void> {
  await db
    .insertInto('plan_migrations')
    .values({
      id: input.id,
      plan_id: input.planId,
      from_versions: input.fromVersions ?? null,
      to_version: input.toVersion,
      apply_at: input.applyAt,
      reason: input.reason ?? null,
      actor: input.actor,
    })
    .execute();
}

/** The running subscriptions a migration walks: on its plan (and versions), not canceled or ended. */
function candidates(db: Db, migrationId: string) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('plan_migrations as m', 'm.plan_id', 's.plan_id')
    .where('m.id', '=', migrationId)
    .where('s.status', 'not in', ['canceled', 'ended'])
    .where((eb) =>
      eb.or([
        eb('m.from_versions', 'is', null),
        eb('s.plan_version', '=', sql<number>`any(m.from_versions)`),
      ]),
    );
}

/** Counts the subscriptions to walk, once: a retry or a later run keeps the first count. */
export async function beginPlanMigration(db: Db, migrationId: string): Promise<number> {
  const { n } = await candidates(db, migrationId)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const row = await db
    .updateTable('plan_migrations')
    .set({ total: sql<number>`coalesce(total, ${Number(n)})` })
    .where('id', '=', migrationId)
    .returning('total')
    .executeTakeFirstOrThrow();
  return row.total ?? Number(n);
}

/** The next ids after `after` (keyset pagination by id), at most `limit`. */
export async function listMigrationBatch(
  db: Db,
  migrationId: string,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  let query = candidates(db, migrationId).select('s.id');
  if (after !== undefined) query = query.where('s.id', '>', after);
  const rows = await query.orderBy('s.id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Of `subscriptionIds`, those the migration has already reached (a retried batch skips them). */
export async function reachedSubscriptions(
  db: Db,
  migrationId: string,
  subscriptionIds: string[],
): Promise<Set<string>> {
  if (subscriptionIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('plan_migration_subscriptions')
    .select('subscription_id')
    .where('migration_id', '=', migrationId)
    .where('subscription_id', 'in', subscriptionIds)
    .execute();
  return new Set(rows.map((r) => r.subscription_id));
}

/** Records what the migration did to one subscription; the first record stands. */
export async function recordMigrationOutcome(
  db: Db,
  input: {
    migrationId: string;
    subscriptionId: string;
    outcome: MigrationOutcome;
    detail?: string | undefined;
  },
): Promise<void> {
  await db
    .insertInto('plan_migration_subscriptions')
    .values({
      migration_id: input.migrationId,
      subscription_id: input.subscriptionId,
      outcome: input.outcome,
      detail: input.detail ?? null,
    })
    .onConflict((oc) => oc.columns(['migration_id', 'subscription_id']).doNothing())
    .execute();
}

export async function migrationCounts(db: Db, migrationId: string): Promise<MigrationCounts> {
  const rows = await db
    .selectFrom('plan_migration_subscriptions')
    .select(['outcome', (eb) => eb.fn.countAll<string>().as('n')])
    .where('migration_id', '=', migrationId)
    .groupBy('outcome')
    .execute();
  const counts: MigrationCounts = { moved: 0, skipped: 0, failed: 0 };
  for (const row of rows) counts[row.outcome] = Number(row.n);
  return counts;
}

export async function completePlanMigration(db: Db, migrationId: string): Promise<void> {
  await db
    .updateTable('plan_migrations')
    .set({ status: 'completed', completed_at: sql<Date>`coalesce(completed_at, now())` })
    .where('id', '=', migrationId)
    .execute();
}

export async function getPlanMigration(
  db: Db,
  migrationId: string,
): Promise<PlanMigrationRecord | undefined> {
  const row = await db
    .selectFrom('plan_migrations as m')
    .innerJoin('plans as p', 'p.id', 'm.plan_id')
    .selectAll('m')
    .select('p.code as plan_code')
    .where('m.id', '=', migrationId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    planId: row.plan_id,
    planCode: row.plan_code,
    fromVersions: row.from_versions,
    toVersion: row.to_version,
    applyAt: row.apply_at,
    reason: row.reason,
    actor: row.actor,
    status: row.status,
    total: row.total,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    ...(await migrationCounts(db, migrationId)),
  };
}

/** The subscriptions the migration skipped or failed, and why, at most `limit`, oldest first. */
export async function migrationExceptions(
  db: Db,
  migrationId: string,
  limit: number,
): Promise<MigrationException[]> {
  const rows = await db
    .selectFrom('plan_migration_subscriptions')
    .select(['subscription_id', 'outcome', 'detail'])
    .where('migration_id', '=', migrationId)
    .where('outcome', '!=', 'moved')
    .orderBy('occurred_at')
    .orderBy('subscription_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    subscriptionId: r.subscription_id,
    outcome: r.outcome as 'skipped' | 'failed',
    detail: r.detail,
  }));
}
