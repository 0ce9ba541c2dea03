// A plan migration's side effects: count and list the subscriptions it walks, move each one
// (through the mover it is given: the subscription-change use case, wired in by the process that
// runs the worker, so activities never import use cases), and record what happened to each, once.
import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import {
  beginPlanMigration,
  completePlanMigration,
  getPlanMigration,
  listMigrationBatch,
  migrationCounts,
  reachedSubscriptions,
  recordMigrationOutcome,
  type MigrationCounts,
  type MigrationOutcome,
  type PlanMigrationRecord,
} from '../db/repositories/plan-migrations.ts';

/**
 * Moves one subscription to the migration's version: moved, skipped (nothing to move) or failed,
 * and why when it was not moved. Throws only when trying again may help (Temporal or the
 * database unavailable): the activity's retry resumes.
 */
export type SubscriptionMover = (
  migration: PlanMigrationRecord,
  subscriptionId: string,
) => Promise<{ outcome: MigrationOutcome; detail?: string }>;

export interface PlanMigrationDependencies {
  db: Db;
  /** Migrations are unavailable without one (a worker with no Temporal client). */
  moveSubscription?: SubscriptionMover | undefined;
}

/** Subscriptions changed at once; more would only queue on the worker. */
const CONCURRENCY = 8;

export function createPlanMigrationActivities(deps: PlanMigrationDependencies) {
  const { db } = deps;

  function migrateOne(migration: PlanMigrationRecord, subscriptionId: string) {
    if (!deps.moveSubscription)
      throw new Error('plan migrations need a Temporal client in the worker');
    return deps.moveSubscription(migration, subscriptionId);
  }

  return {
    /** How many subscriptions the migration walks (counted once). */
    async beginPlanMigration(input: { migrationId: string }): Promise<number> {
      return beginPlanMigration(db, input.migrationId);
    },

    async listPlanMigrationBatch(input: {
      migrationId: string;
      after?: string;
      limit: number;
    }): Promise<string[]> {
      return listMigrationBatch(db, input.migrationId, input.after, input.limit);
    },

    /** Moves each subscription of the batch not reached yet; the migration's counts after it. */
    async migrateSubscriptions(input: {
      migrationId: string;
      subscriptionIds: string[];
    }): Promise<MigrationCounts> {
      const migration = await getPlanMigration(db, input.migrationId);
      if (!migration) throw new Error(`plan migration ${input.migrationId} does not exist`);
      const reached = await reachedSubscriptions(db, input.migrationId, input.subscriptionIds);
      const todo = input.subscriptionIds.filter((id) => !reached.has(id));
      let next = 0;
      const lanes = Array.from({ length: Math.min(CONCURRENCY, todo.length) }, async () => {
        while (next < todo.length) {
          const subscriptionId = todo[next++]!;
          const { outcome, detail } = await migrateOne(migration, subscriptionId);
          await recordMigrationOutcome(db, {
            migrationId: input.migrationId,
            subscriptionId,
            outcome,
            detail,
          });
          Context.current().heartbeat();
        }
      });
      await Promise.all(lanes);
      return migrationCounts(db, input.migrationId);
    },

    async finishPlanMigration(input: { migrationId: string }): Promise<MigrationCounts> {
      await completePlanMigration(db, input.migrationId);
      return migrationCounts(db, input.migrationId);
    },
  };
}

/** What the plan migration workflow calls through proxyActivities (import type only). */
export type PlanMigrationActivities = ReturnType<typeof createPlanMigrationActivities>;
