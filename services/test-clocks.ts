// Test clocks: virtual time for trying billing end to end. An advance moves the clock and
// starts the walk (testClockAdvance) in one transaction, so the clock reads advancing only if
// the walk started; deleting one stops every workflow billed on it before its data goes.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestClock } from '../db/database.ts';
import { newId } from '../db/ids.ts';
import * as clocks from '../db/repositories/test-clocks.ts';
import { TestClockId } from '../workflow-contracts/search-attributes.ts';
import { BILLING_TASK_QUEUE } from '../temporal/task-queues.ts';
import { testClockAdvance, testClockAdvanceWorkflowId } from '../workflows/test-clock.ts';
import { temporalCall, type PageRequest, type ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';

/** The longest single advance: 10 years of 365.25 days. */
const MAX_ADVANCE_YEARS = 10;
const MAX_ADVANCE_MS = MAX_ADVANCE_YEARS * 365.25 * 86_400_000;

/** A clock frozen at `frozenTime` (an ISO instant), ready. */
export function createTestClock(
  deps: ServiceDependencies,
  clock: { frozenTime: string; name?: string | undefined },
): Promise<TestClock> {
  return clocks.insertTestClock(deps.db, {
    id: newId('clock'),
    name: clock.name ?? null,
    frozenTime: new Date(clock.frozenTime).toISOString(),
  });
}

export function listTestClocks(deps: ServiceDependencies, page: PageRequest) {
  return clocks.listTestClocks(deps.db, page);
}

export async function getTestClock(deps: ServiceDependencies, id: string): Promise<TestClock> {
  const clock = await clocks.getTestClock(deps.db, id);
  if (!clock) throw new Refused('not_found', `Test clock ${id} does not exist.`);
  return clock;
}

/**
 * Moves the clock forward to `frozenTime` and starts the walk that bills every boundary in
 * between: refused when the clock is not ready, or the time is not later (or too far); nothing
 * moves when the walk cannot be started.
 */
export async function advanceTestClock(
  deps: ServiceDependencies,
  id: string,
  frozenTime: string,
): Promise<TestClock> {
  const clock = await getTestClock(deps, id);
  const to = new Date(frozenTime).toISOString();
  const from = clock.frozen_time;
  if (clock.status !== 'ready')
    throw new Refused('conflict', `Test clock ${clock.id} is ${clock.status}.`);
  if (Date.parse(to) <= from.getTime()) {
    throw new Refused(
      'unprocessable',
      `must be later than the clock’s time ${from.toISOString()}: clocks only move forward`,
      { field: 'frozenTime' },
    );
  }
  // One advance bills every boundary it crosses: a bound keeps one request from setting the
  // worker to bill centuries of periods.
  if (Date.parse(to) - from.getTime() > MAX_ADVANCE_MS) {
    throw new Refused(
      'unprocessable',
      `may be at most ${MAX_ADVANCE_YEARS} years after the clock’s time ${from.toISOString()}; advance in steps`,
      { field: 'frozenTime' },
    );
  }
  return deps.db.transaction().execute(async (trx) => {
    const row = await clocks.beginAdvance(trx, clock.id, to);
    if (!row)
      throw new Refused('conflict', `Test clock ${clock.id} changed meanwhile; read it again.`);
    try {
      await temporalCall(deps, () =>
        deps.temporal.workflow.start(testClockAdvance, {
          taskQueue: BILLING_TASK_QUEUE,
          workflowId: testClockAdvanceWorkflowId(clock.id, to),
          args: [{ clockId: clock.id, to }],
          typedSearchAttributes: [{ key: TestClockId, value: clock.id }],
          staticSummary: `Advance test clock ${clock.id} from ${from.toISOString()} to ${to}`,
        }),
      );
    } catch (error) {
      throw new Refused('unavailable', 'Could not start the advance; the clock did not move.', {
        cause: error,
      });
    }
    return row;
  });
}

/**
 * Stops every workflow billed on the clock, then deletes the clock, its customers and all
 * billed to them; returns how many customers went. Unavailable (retry) when Temporal is.
 */
export async function deleteTestClock(deps: ServiceDependencies, id: string): Promise<number> {
  const clock = await clocks.beginDelete(deps.db, id);
  if (!clock) throw new Refused('not_found', `Test clock ${id} does not exist.`);
  const ids = await clocks.clockWorkflowIds(deps.db, id);
  if (clock.advancing_to)
    ids.unshift(testClockAdvanceWorkflowId(id, clock.advancing_to.toISOString()));
  try {
    for (const workflowId of ids) {
      await temporalCall(deps, () =>
        deps.temporal.workflow.getHandle(workflowId).terminate(`test clock ${id} deleted`),
      ).catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
    }
  } catch (error) {
    throw new Refused('unavailable', 'Could not stop the clock’s workflows; retry the delete.', {
      cause: error,
    });
  }
  return clocks.deleteTestClockData(deps.db, id);
}
