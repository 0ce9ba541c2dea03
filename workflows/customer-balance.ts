// One long-running workflow per customer with usage: it holds the current period's rated amount
// and the wallets' usable credit, so "what do I owe so far?" and "may I spend?" are answered from
// a query in milliseconds instead of aggregating usage on every request.
//
// The figure is never computed from signals alone: each notified batch marks the balance stale,
// and one activity re-reads it from PostgreSQL and rates it with the functions the period-end
// invoice uses (ratePeriodInvoice). Batches that arrive while a read is running are folded into
// the next read, so a burst of batches costs one or two reads, not one each. The snapshot is
// therefore always reconcilable with the database, whatever the aggregation (max, latest,
// unique_count and weighted_sum cannot be summed batch by batch).
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { BalanceActivities } from '../activities/balance.ts';
import { quickStep } from './activity-options.ts';
import { watchSpendAlerts } from './spend-alerts.ts';
import {
  balanceQuery,
  refreshBalanceSignal,
  usageRecordedSignal,
  type BalanceSnapshot,
  type CustomerBalanceInput,
  type CustomerBalanceState,
} from './customer-balance-messages.ts';
import { thresholdBilling } from './customer-balance-thresholds.ts';

const { readCustomerBalance } = proxyActivities<BalanceActivities>(quickStep);

/** Batch ids remembered for deduplication: a retried signal arrives within seconds. */
const SEEN_WINDOW = 1_000;
/** Reads per run before continue-as-new, so history stays bounded (about 10 events each). */
const READS_PER_RUN = 500;
/** How long a customer with no billed subscription keeps a run open for more changes. */
const IDLE = '1 hour';

export async function customerBalanceWorkflow(input: CustomerBalanceInput): Promise<void> {
  const seen = [...(input.seenBatches ?? [])];
  const seenSet = new Set(seen);
  let batches = input.batches ?? 0;
  const events: Record<string, number> = { ...input.events };
  let snapshot: BalanceSnapshot | null = null;
  // Stale at start: a new run (or one after continue-as-new) re-reads the database first.
  let pending = 1;
  // Carried as read: the next run's snapshot is null until its first read, which covers them.
  let changesRead = input.changes ?? 0;
  let changes = changesRead + pending;
  // An interim invoice issued changes the balance: read it again.
  const billCrossedThresholds = thresholdBilling(() => {
    pending += 1;
    changes += 1;
  });

  setHandler(usageRecordedSignal, (batch) => {
    if (seenSet.has(batch.batchId)) return; // a retried signal counts once
    seenSet.add(batch.batchId);
    seen.push(batch.batchId);
    if (seen.length > SEEN_WINDOW) seenSet.delete(seen.shift()!);
    batches += 1;
    for (const [metric, count] of Object.entries(batch.events))
      events[metric] = (events[metric] ?? 0) + count;
    pending += 1;
    changes += 1;
  });
  setHandler(refreshBalanceSignal, () => {
    pending += 1;
    changes += 1;
  });
  setHandler(balanceQuery, (): CustomerBalanceState => ({
    snapshot,
    batches,
    events: { ...events },
    pending,
    changes,
    changesRead,
  }));

  for (let reads = 0; reads < READS_PER_RUN && !workflowInfo().continueAsNewSuggested; reads++) {
    await condition(() => pending > 0);
    const folded = pending;
    let read: BalanceSnapshot;
    try {
      read = await readCustomerBalance.executeWithOptions(
        { summary: `Read the balance of ${input.customerId} (${folded} change(s))` },
        [{ customerId: input.customerId }],
      );
    } catch (error) {
      // Only a worker that cannot read balances fails the read (others retry): end the run; the
      // next batch or GET starts a new one.
      log.warn('the balance cannot be read; ending the run', { error: String(error) });
      return;
    }
    // Shown once its alerts are recorded, so a query never sees a crossing that is not.
    snapshot = await watchSpendAlerts(read);
    pending -= folded;
    changesRead += folded;
    billCrossedThresholds(snapshot);
    if (snapshot.periodEnd === null && pending === 0) {
      // Nothing billed to keep live: end after an idle hour; the next batch or GET starts anew.
      if (!(await condition(() => pending > 0, IDLE))) {
        await condition(allHandlersFinished);
        return;
      }
    }
  }
  // The next run starts stale and reads first, so a batch notified meanwhile is not left unread.
  await condition(allHandlersFinished);
  await continueAsNew<typeof customerBalanceWorkflow>({
    customerId: input.customerId,
    seenBatches: seen,
    batches,
    events,
    // Everything notified so far is read by the next run first (it starts stale).
    changes,
  });
}
