// A plan migration's side effects: count and list the subscriptions it walks, send each one the
// change update (through the one subscription-change use case, with a Temporal client), and
// record what happened to each, once.
import { Context } from '@temporalio/activity';
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
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
} from '../db/repositories/plan-migrations.ts';
import { Refused } from '../services/refused.ts';
import { changeSubscription } from '../services/subscription-changes.ts';
import { INVALID_TRANSITION } from '../workflow-contracts/names.ts';

export interface PlanMigrationDependencies {
  db: Db;
  /** The client that sends the change updates; migrations are unavailable without one. */
  temporal?: Pick<Client, 'workflow'> | undefined;
}

/** Subscriptions changed at once; more would only queue on the worker. */
const CONCURRENCY = 8;

export function createPlanMigrationActivities(deps: PlanMigrationDependencies) {
  const { db } = deps;

  /** Sends one subscription its change; what happened, and why when it was not moved. */
  async function migrateOne(
    migration: NonNullable<Awaited<ReturnType<typeof getPlanMigration>>>,
    subscriptionId: string,
  ): Promise<{ outcome: MigrationOutcome; detail?: string }> {
    const temporal = deps.temporal;
    if (!temporal) throw new Error('plan migrations need a Temporal client in the worker');
    try {
      const { outcome, state } = await changeSubscription(
        { db, temporal },
        {
          subscriptionId,
          planCode: migration.planCode,
          version: migration.toVersion,
          applyAt: migration.applyAt,
          actor: migration.actor,
          reason: `plan migration ${migration.id}${migration.reason ? `: ${migration.reason}` : ''}`,
          // Sent again by a retry, the same update is applied once by the run that has it.
          requestId: `plan-migration-${migration.id}/${subscriptionId}`,
        },
      );
      if (outcome === 'sent') return { outcome: 'moved' };
      return {
        outcome: 'skipped',
        detail: state.pendingChange
          ? `already moving to v${migration.toVersion}`
          : `already on v${migration.toVersion}`,
      };
    } catch (error) {
      // Canceled or ended since it was listed: nothing to move.
      if (error instanceof Refused) {
        return { outcome: error.kind === 'conflict' ? 'skipped' : 'failed', detail: error.message };
      }
      if (
        error instanceof WorkflowUpdateFailedError &&
        error.cause instanceof ApplicationFailure &&
        error.cause.type === INVALID_TRANSITION
      ) {
        return { outcome: 'failed', detail: error.cause.message };
      }
      if (error instanceof WorkflowNotFoundError) {
        return { outcome: 'skipped', detail: 'its billing workflow has ended' };
      }
      throw error; // Temporal or the database unavailable: the activity's retry resumes.
    }
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
