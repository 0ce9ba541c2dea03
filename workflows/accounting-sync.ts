// Pushes Billwright's finance documents to the accounting system in dependency order (customers,
// then invoices, then payments, then credit notes), a batch per activity, each object once: the
// activity records what it did to each object, and skips an object whose content the system
// already acknowledged. After SYNC_BATCHES_PER_RUN batches (or when Temporal suggests it) the
// workflow continues as new with where it stands, so history stays bounded.
import {
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccountingSyncActivities } from '../activities/accounting-sync.ts';
import { accountingBatch, quickStep } from './activity-options.ts';
import {
  accountingSyncProgress,
  countOf,
  emptySyncCounts,
  pluralLabel,
  SYNC_BATCH_SIZE,
  SYNC_BATCHES_PER_RUN,
  SYNC_ORDER,
  type AccountingSyncCounts,
  type AccountingSyncInput,
} from './accounting-sync-messages.ts';

const acts = proxyActivities<AccountingSyncActivities>(quickStep);
const { pushAccountingBatch } = proxyActivities<AccountingSyncActivities>(accountingBatch);

export async function accountingSyncWorkflow(
  input: AccountingSyncInput,
): Promise<AccountingSyncCounts> {
  const { syncId, period, systemName } = input;
  const limit = input.batchSize ?? SYNC_BATCH_SIZE;
  const batchesPerRun = input.batchesPerRun ?? SYNC_BATCHES_PER_RUN;
  let kindIndex = input.kindIndex ?? 0;
  let after = input.after;
  let batch = input.batch ?? 0;
  let counts = input.counts ?? emptySyncCounts();
  setCurrentDetails(accountingSyncProgress(input, counts));

  for (let run = 0; kindIndex < SYNC_ORDER.length; run++) {
    if (run === batchesPerRun || workflowInfo().continueAsNewSuggested) {
      const next: AccountingSyncInput = { ...input, kindIndex, batch, counts };
      // The cursor is this run's: a kind just begun has none, whatever the input said.
      delete next.after;
      if (after !== undefined) next.after = after;
      return continueAsNew<typeof accountingSyncWorkflow>(next);
    }
    const kind = SYNC_ORDER[kindIndex]!;
    batch += 1;
    const ids = await acts.listAccountingSyncBatch.executeWithOptions(
      { summary: `List ${pluralLabel(kind)} to push to ${systemName} (batch ${batch})` },
      [{ kind, ...(period && { period }), ...(after !== undefined && { after }), limit }],
    );
    if (ids.length > 0) {
      counts = await pushAccountingBatch.executeWithOptions(
        {
          summary: `Push ${countOf(kind, ids.length)} to ${systemName}: ${ids[0]} … ${ids.at(-1)}`,
        },
        [{ syncId, kind, objectIds: ids }],
      );
      setCurrentDetails(accountingSyncProgress(input, counts));
    }
    if (ids.length === limit) {
      after = ids.at(-1)!;
    } else {
      kindIndex += 1;
      after = undefined;
    }
  }
  counts = await acts.finishAccountingSync.executeWithOptions(
    { summary: `Record the sync to ${systemName} as completed` },
    [{ syncId }],
  );
  setCurrentDetails(`${accountingSyncProgress(input, counts)}. Completed.`);
  return counts;
}
