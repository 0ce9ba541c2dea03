// Advancing a test clock: walk every workflow billed on it through the boundaries between the
// clock's time and the target, in time order across workflows (a renewal on the 1st is billed
// before a reminder due on the 2nd, whichever workflow owns each), like a discrete-event
// simulation: advance everyone to the earliest instant anyone waits for, then the next.
import { setTimeout } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/connect.ts';
import {
  clockWorkflowIds,
  finishAdvance,
  getTestClock,
  reachAdvanceStep,
} from '../db/repositories/test-clocks.ts';
import { type ClockPosition, advanceClockUpdate } from '../workflow-contracts/test-clock.ts';

export interface TestClockDependencies {
  db: Db;
  /** The client that sends the advances; test clocks are unavailable without one. */
  temporal?: Pick<Client, 'workflow'> | undefined;
}

export interface AdvanceTestClockInput {
  clockId: string;
  /** ISO 8601 instant. */
  to: string;
}

export interface AdvanceReport {
  /** The instants the clock stopped at on the way, in order (the last is the target). */
  steps: string[];
  /** Distinct workflows advanced. */
  workflows: number;
}

/** Workflows advanced at once; more would only queue on the worker. */
const CONCURRENCY = 16;

export function createTestClockActivities(deps: TestClockDependencies) {
  const { db } = deps;

  /** Advances one workflow to `at`; null once it is closed (nothing left to do). */
  async function advanceWorkflow(workflowId: string, at: string): Promise<ClockPosition | null> {
    const client = deps.temporal;
    if (!client) throw new Error('test clocks need a Temporal client in the worker');
    const handle = client.workflow.getHandle(workflowId);
    for (;;) {
      let position: ClockPosition;
      try {
        position = await handle.executeUpdate(advanceClockUpdate, { args: [at] });
      } catch (error) {
        // Closed since it was listed (ended, deleted): nothing more to walk. Anything else is
        // a fault for the activity's retry, which resumes from the last step.
        if (error instanceof WorkflowNotFoundError) return null;
        if ((await handle.describe()).status.name !== 'RUNNING') return null;
        throw error;
      }
      if (position.finished) return null;
      if (!position.continuing) return position;
      // The run is continuing as new: its successor takes over the instant; advance it too.
      await setTimeout(20);
    }
  }

  async function advanceAll(ids: string[], at: string): Promise<(ClockPosition | null)[]> {
    const results: (ClockPosition | null)[] = ids.map(() => null);
    let next = 0;
    const lanes = Array.from({ length: Math.min(CONCURRENCY, ids.length) }, async () => {
      while (next < ids.length) {
        const i = next++;
        results[i] = await advanceWorkflow(ids[i]!, at);
      }
    });
    await Promise.all(lanes);
    return results;
  }

  return {
    async advanceTestClockWorkflows(input: AdvanceTestClockInput): Promise<AdvanceReport> {
      const clock = await getTestClock(db, input.clockId);
      if (!clock) throw new Error(`test clock ${input.clockId} does not exist`);
      const target = Date.parse(input.to);
      const context = Context.current();
      // A retry resumes from the last instant every workflow reached (advancing is idempotent).
      const resumed = context.info.heartbeatDetails as { at: number } | undefined;
      let at = resumed?.at ?? clock.frozen_time.getTime();
      const steps: string[] = [];
      const seen = new Set<string>();
      for (;;) {
        const iso = new Date(at).toISOString();
        // The clock reads the step first: activities date what they do by it (customerNow).
        await reachAdvanceStep(db, input.clockId, iso);
        const ids = await clockWorkflowIds(db, input.clockId);
        const positions = await advanceAll(ids, iso);
        ids.forEach((id) => seen.add(id));
        context.heartbeat({ at });
        // Workflows started during this step (a collection for a new invoice) start at `at`:
        // bring them there before the clock moves on.
        const started = (await clockWorkflowIds(db, input.clockId)).filter((id) => !seen.has(id));
        if (started.length > 0) continue;
        if (steps.at(-1) !== iso) steps.push(iso);
        if (at >= target) break;
        const wakes = positions
          .map((p) => (p?.nextWakeAt ? Date.parse(p.nextWakeAt) : Infinity))
          .filter((w) => w > at);
        at = Math.min(target, ...wakes);
        context.log.info('test clock step', { clockId: input.clockId, at: new Date(at) });
      }
      return { steps, workflows: seen.size };
    },

    async finishTestClockAdvance(input: AdvanceTestClockInput): Promise<void> {
      await finishAdvance(db, input.clockId, input.to);
    },
  };
}

/** What the test clock advance workflow calls through proxyActivities (import type only). */
export type TestClockActivities = ReturnType<typeof createTestClockActivities>;
