// Every workflow's activity timeouts and retries, in one place. Each profile is named for the
// kind of work it bounds; a workflow proxies its activities with one and adds only a summary per
// call (proxyActivities merges the two). Activities are idempotent by business key, so retrying
// them is always safe: the limits below are about how long to wait, never about duplicates.
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { RENDER_TASK_QUEUE } from '../workflow-contracts/task-queues.ts';

/**
 * A step done in seconds: a database transaction (an invoice issued, a transition or event
 * recorded), rendering one document, handing one email to the provider, reading a setting. A
 * minute per attempt; retried without limit, 1 s doubling to 1 min, so a database or provider
 * outage delays billing and never drops it.
 */
export const quickStep: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * A step done in milliseconds inside the workflow's own task (a local activity): reading a
 * setting, rendering an invoice's HTML, recording a transition, opening or recording a
 * collection row (docs/ARCHITECTURE.md, Local activities). No task of its own on the server, only a
 * marker in the history, which is what keeps a month-start storm of renewals cheap for Temporal
 * (docs/SCALING.md). Ten seconds per attempt, retried as a quick step.
 */
export const localStep: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: quickStep.retry,
};

/**
 * Printing a PDF with Chromium, on the render task queue's own workers: two minutes per attempt
 * (a cold browser takes seconds), retried as a quick step. No schedule-to-start limit: with no
 * render worker polling, the workflow waits for one rather than emailing without the PDF.
 */
export const printStep: ActivityOptions = {
  ...quickStep,
  startToCloseTimeout: '2 minutes',
  taskQueue: RENDER_TASK_QUEUE,
};

/**
 * Waiting for another transaction to commit (a manual invoice's finalize request starts its
 * workflow inside that transaction). Bounded, 30 attempts of 1 s doubling to 30 s: a finalize
 * that rolled back leaves a draft that never finalizes, and the workflow must not wait forever.
 */
export const awaitCommit: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 30,
  },
};

/**
 * A plan migration's batch: up to 100 change updates, each answered once its subscription's
 * workflow has billed the change. 30 minutes per attempt, a heartbeat at least every 2 minutes
 * (a stuck batch is retried early); retried as a quick step, skipping subscriptions already moved.
 */
export const migrationBatch: ActivityOptions = {
  ...quickStep,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
};

/**
 * Asking a subscription's workflow to bill at its threshold (an Update answered once the interim
 * invoice is issued, after any invoice the workflow is issuing). Ten minutes per attempt; retried
 * as a quick step under the same update id, so a retry waits on the same request.
 */
export const thresholdRequest: ActivityOptions = {
  ...quickStep,
  startToCloseTimeout: '10 minutes',
};

/**
 * Walking the billing on a test clock to its target: months of boundaries across many
 * workflows, heartbeating at every step. Two hours per attempt, a heartbeat at least every 2
 * minutes; retried without limit, 1 s doubling to 30 s (an operator is waiting on the advance).
 */
export const testClockWalk: ActivityOptions = {
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
};

/**
 * Setting a test clock's time once its walk is done: one row, a minute per attempt, with
 * Temporal's default retry (1 s doubling to 100 s, without limit).
 */
export const testClockRecord: ActivityOptions = { startToCloseTimeout: '1 minute' };

/**
 * An accounting sync's batch: up to 25 objects pushed to the accounting system, a few HTTP calls
 * each. Ten minutes per attempt, a heartbeat at least every 2 minutes (one per object); retried
 * as a quick step (an outage or an expired token delays the sync, never drops it), skipping the
 * objects already pushed.
 */
export const accountingBatch: ActivityOptions = {
  ...quickStep,
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
};
