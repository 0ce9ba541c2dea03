// Moves a plan's running subscriptions to one version, in batches: each run lists the next
// batch by id (keyset pagination), hands it to one activity that sends each subscription the
// change update (each subscription's own workflow bills it), then continues as new, so the
// history stays bounded however many subscriptions the plan has. The database keeps what
// happened to each subscription, once: a retried batch skips those already reached.
import { continueAsNew, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { PlanMigrationActivities } from '../activities/plan-migrations.ts';
import { migrationBatch, quickStep } from './activity-options.ts';
import {
  MIGRATION_BATCH_SIZE,
  planMigrationProgress,
  planMigrationTitle,
  type PlanMigrationCounts,
  type PlanMigrationInput,
} from './plan-migration-messages.ts';

const acts = proxyActivities<PlanMigrationActivities>(quickStep);
const { migrateSubscriptions } = proxyActivities<PlanMigrationActivities>(migrationBatch);

export interface PlanMigrationResult extends PlanMigrationCounts {
  total: number;
}

export async function planMigrationWorkflow(
  input: PlanMigrationInput,
): Promise<PlanMigrationResult> {
  const { migrationId } = input;
  const batch = input.batch ?? 1;
  const limit = input.batchSize ?? MIGRATION_BATCH_SIZE;
  const total =
    input.total ??
    (await acts.beginPlanMigration.executeWithOptions(
      { summary: `Count the running subscriptions of ${input.planCode}` },
      [{ migrationId }],
    ));
  let counts: PlanMigrationCounts = input.counts ?? { moved: 0, skipped: 0, failed: 0 };
  setCurrentDetails(planMigrationProgress(input, total, counts));

  const ids = await acts.listPlanMigrationBatch.executeWithOptions(
    { summary: `List batch ${batch} of ${input.planCode}'s subscriptions` },
    [{ migrationId, ...(input.after && { after: input.after }), limit }],
  );
  if (ids.length > 0) {
    counts = await migrateSubscriptions.executeWithOptions(
      { summary: `${planMigrationTitle(input)}: batch ${batch}, ${ids.length} subscriptions` },
      [{ migrationId, subscriptionIds: ids }],
    );
    setCurrentDetails(planMigrationProgress(input, total, counts));
  }
  if (ids.length === limit) {
    // Continue as new between batches, so history stays bounded.
    return continueAsNew<typeof planMigrationWorkflow>({
      ...input,
      after: ids.at(-1)!,
      batch: batch + 1,
      total,
      counts,
    });
  }
  counts = await acts.finishPlanMigration.executeWithOptions(
    { summary: `Record the migration of ${input.planCode} as completed` },
    [{ migrationId }],
  );
  setCurrentDetails(`${planMigrationProgress(input, total, counts)}. Completed.`);
  return { total, ...counts };
}
