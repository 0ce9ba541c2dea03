// What the outside says to a workflow billed on a test clock, shared by the workflows
// (workflows/clock.ts), the repository that finds a clock's workflows and the activity that
// advances them.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** The test clock a workflow runs on, and the clock's time when the workflow (run) started. */
export interface TestClockRef {
  id: string;
  /** ISO 8601 instant. */
  now: string;
}

/** Where a workflow on a test clock stands, as an advance reports it. */
export interface ClockPosition {
  /** The workflow's instant (the clock's, once advanced). */
  now: string;
  /** When the workflow next has work to do, or null when it waits for an operator. */
  nextWakeAt: string | null;
  /**
   * True when this run ended by continuing as new: the next run takes over the instant and
   * must be advanced again to finish the work due.
   */
  continuing: boolean;
  /** True when the workflow is over (no further work, ever). */
  finished: boolean;
}

/** Moves a test-clocked workflow to the given instant (never back) and answers when settled. */
export const advanceClockUpdate = defineUpdate<ClockPosition, [string]>('advanceTestClock');
export const clockPositionQuery = defineQuery<ClockPosition>('testClockPosition');
