// Time as a billing workflow sees it. In production: Temporal's deterministic clock and durable
// timers. On a test clock: a virtual instant that moves only when the clock is advanced through
// the API. Such a workflow never starts a timer; an advance answers once the workflow has done
// everything due up to the new instant and is parked again, waiting for a later one. The same
// workflow code runs either way: only `now` and the waits differ.
import { condition, setHandler } from '@temporalio/workflow';
import {
  advanceClockUpdate,
  clockPositionQuery,
  type ClockPosition,
  type TestClockRef,
} from '../workflow-contracts/test-clock.ts';

export interface WorkflowClock {
  /** The test clock, or undefined in production. */
  readonly testClockId: string | undefined;
  /** Milliseconds since the epoch, deterministic. */
  now(): number;
  nowIso(): string;
  /**
   * Waits until the instant `at` (ms) or until `wake()` turns true, whichever comes first.
   * Callers check `at` is in the future: a durable timer is started in production.
   */
  sleepUntil(at: number, wake: () => boolean, summary: string): Promise<void>;
  /** Waits for `wake()` with no deadline (e.g. while paused). */
  waitFor(wake: () => boolean): Promise<void>;
  /** Call before the run ends, so pending advances answer instead of waiting forever. */
  end(how: 'finished' | 'continuing'): void;
  /** What a continue-as-new or a child workflow passes on: the clock at this instant. */
  carry(): TestClockRef | undefined;
}

/** The clock of a workflow run: production time, or the test clock it was started on. */
export function workflowClock(testClock: TestClockRef | undefined): WorkflowClock {
  return testClock ? virtualClock(testClock) : productionClock();
}

function productionClock(): WorkflowClock {
  return {
    testClockId: undefined,
    now: () => Date.now(),
    nowIso: () => new Date(Date.now()).toISOString(),
    async sleepUntil(at, wake, summary) {
      await condition(wake, at - Date.now(), { summary });
    },
    async waitFor(wake) {
      await condition(wake);
    },
    end() {},
    carry: () => undefined,
  };
}

function virtualClock(testClock: TestClockRef): WorkflowClock {
  let now = Date.parse(testClock.now);
  /** undefined while the workflow works; the instant it waits for once parked (null: none). */
  let parkedUntil: number | null | undefined;
  let ended: 'finished' | 'continuing' | undefined;

  const position = (): ClockPosition => ({
    now: new Date(now).toISOString(),
    nextWakeAt: parkedUntil == null ? null : new Date(parkedUntil).toISOString(),
    continuing: ended === 'continuing',
    finished: ended === 'finished',
  });
  const settled = () =>
    ended !== undefined ||
    (parkedUntil !== undefined && (parkedUntil === null || parkedUntil > now));

  setHandler(clockPositionQuery, position);
  setHandler(
    advanceClockUpdate,
    async (to) => {
      now = Math.max(now, Date.parse(to));
      await condition(settled);
      return position();
    },
    {
      validator: (to: string) => {
        if (!Number.isFinite(Date.parse(to))) throw new TypeError(`not an instant: ${to}`);
      },
    },
  );

  async function park(until: number | null, wake: () => boolean): Promise<void> {
    parkedUntil = until;
    try {
      await condition(() => wake() || (until !== null && now >= until));
    } finally {
      parkedUntil = undefined;
    }
  }

  return {
    testClockId: testClock.id,
    now: () => now,
    nowIso: () => new Date(now).toISOString(),
    sleepUntil: (at, wake) => park(at, wake),
    waitFor: (wake) => park(null, wake),
    end(how) {
      ended = how;
    },
    carry: () => ({ id: testClock.id, now: new Date(now).toISOString() }),
  };
}
