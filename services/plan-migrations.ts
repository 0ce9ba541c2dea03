// Moving every running subscription of a plan to one version: the request is stored and its
// workflow (planMigrationWorkflow) started in one transaction, so there is never a migration
// without the workflow that walks it. Each subscription is then moved by the subscription-change
// use case, from the workflow's activity.
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { SubscriptionMover } from '../activities/plan-migrations.ts';
import type { Db } from '../db/connect.ts';
import { newId } from '../db/ids.ts';
import * as migrations from '../db/repositories/plan-migrations.ts';
import type {
  MigrationException,
  PlanMigrationRecord,
} from '../db/repositories/plan-migrations.ts';
import { getPlanByCode, getPlanVersion } from '../db/repositories/plans.ts';
import { planMigrationStartOptions } from '../temporal/plan-migration-start.ts';
import type { PlanMigrationInput } from '../workflows/plan-migration-messages.ts';
import { INVALID_TRANSITION } from '../workflow-contracts/names.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';
import { changeSubscription } from './subscription-changes.ts';

export interface PlanMigrationRequest {
  planCode: string;
  toVersion: number;
  /** Only subscriptions on these versions; default every version. */
  fromVersions?: number[] | undefined;
  applyAt: 'now' | 'period_end';
  reason?: string | undefined;
  actor: string;
  /** Subscriptions per batch (default 100). */
  batchSize?: number | undefined;
}

export interface PlanMigrationView extends PlanMigrationRecord {
  /** Subscriptions skipped or failed, and why (the first 100). */
  exceptions: MigrationException[];
}

/** Stores the migration and starts its workflow; refused for an unknown plan or version. */
export async function startPlanMigration(
  deps: ServiceDependencies,
  request: PlanMigrationRequest,
): Promise<PlanMigrationView> {
  const { db } = deps;
  const { planCode, toVersion, fromVersions } = request;
  const plan = await getPlanByCode(db, planCode);
  if (!plan) throw new Refused('not_found', `Plan ${planCode} does not exist.`);
  if (!(await getPlanVersion(db, plan, toVersion))) {
    throw new Refused('unprocessable', `plan ${planCode} has no version ${toVersion}`, {
      field: 'toVersion',
    });
  }
  for (const [i, version] of (fromVersions ?? []).entries()) {
    if (!(await getPlanVersion(db, plan, version))) {
      throw new Refused('unprocessable', `plan ${planCode} has no version ${version}`, {
        field: `fromVersions[${i}]`,
      });
    }
  }
  const id = newId('pmig');
  const input: PlanMigrationInput = {
    migrationId: id,
    planCode,
    toVersion,
    ...(fromVersions?.length && { fromVersions }),
    ...(request.batchSize !== undefined && { batchSize: request.batchSize }),
  };
  await db.transaction().execute(async (trx) => {
    await migrations.insertPlanMigration(trx, { id, planId: plan.id, ...request });
    try {
      await temporalCall(deps, () =>
        deps.temporal.workflow.start(
          'planMigrationWorkflow',
          planMigrationStartOptions(input, request),
        ),
      );
    } catch (error) {
      throw new Refused(
        'unavailable',
        'Could not start the migration’s workflow; nothing was stored. Retry later.',
        { cause: error },
      );
    }
  });
  return (await planMigrationView(db, planCode, id))!;
}

/** The migration with its counts and exceptions; undefined when the plan has no such migration. */
export async function planMigrationView(
  db: Db,
  planCode: string,
  migrationId: string,
): Promise<PlanMigrationView | undefined> {
  const migration = await migrations.getPlanMigration(db, migrationId);
  if (!migration || migration.planCode !== planCode) return undefined;
  return { ...migration, exceptions: await migrations.migrationExceptions(db, migrationId, 100) };
}

/** The plan's migration; refused as not found when the plan has no such migration. */
export async function getPlanMigration(
  deps: ServiceDependencies,
  planCode: string,
  migrationId: string,
): Promise<PlanMigrationView> {
  const view = await planMigrationView(deps.db, planCode, migrationId);
  if (!view) throw new Refused('not_found', `Plan ${planCode} has no migration ${migrationId}.`);
  return view;
}

/**
 * The plan migration activity's mover: one subscription through the subscription-change use case,
 * the API's own. The runtime hands it to the worker's activities (they never import use cases).
 */
export function subscriptionMover(deps: ServiceDependencies): SubscriptionMover {
  return async (migration, subscriptionId) => {
    try {
      const { outcome, state } = await changeSubscription(deps, {
        subscriptionId,
        planCode: migration.planCode,
        version: migration.toVersion,
        applyAt: migration.applyAt,
        actor: migration.actor,
        reason: `plan migration ${migration.id}${migration.reason ? `: ${migration.reason}` : ''}`,
        // Sent again by a retry, the same update is applied once by the run that has it.
        requestId: `plan-migration-${migration.id}/${subscriptionId}`,
      });
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
  };
}
