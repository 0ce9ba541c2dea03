// Moving every running subscription of a plan to one version: the request is stored and its
// workflow (planMigrationWorkflow) started in one transaction, so there is never a migration
// without the workflow that walks it. Each subscription is then moved by the subscription-change
// use case, from the workflow's activity.
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
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';

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
