// A stand-in Temporal client that accepts every workflow start and records it: enough for
// tests of what the API stores and what it would start, without a server. It can also be made
// slow, down, or to fail chosen calls (before or after Temporal "did" them), to test that
// nothing is stranded when Temporal misbehaves.
import type { Client, WorkflowStartOptions } from '@temporalio/client';

/** A call the stand-in receives: which method, for which workflow. */
export interface TemporalCall {
  method: 'start' | 'signalWithStart';
  workflowId: string;
}

/**
 * How a call fails: `before` (nothing happened, like an unreachable server) or `after` (the
 * workflow was started or signaled, but the answer is lost, like a missed deadline).
 */
export type CallFailure = 'before' | 'after' | undefined;

export interface RecordingTemporal {
  client: Client;
  started: WorkflowStartOptions[];
  /** Signal-with-start calls (collections): the workflow id and the signal's arguments. */
  signaled: { workflowId: string; signal: string; args: unknown[]; options: unknown }[];
  /** Every call received, failed or not. */
  calls: TemporalCall[];
  /** While true, every call fails as if the server could not be reached. */
  down: boolean;
}

export function recordingTemporal(
  options: { latencyMs?: number; fail?: (call: TemporalCall) => CallFailure } = {},
): RecordingTemporal {
  const recording: RecordingTemporal = {
    client: undefined as unknown as Client,
    started: [],
    signaled: [],
    calls: [],
    down: false,
  };
  async function call<T>(made: TemporalCall, effect: () => void, answer: T): Promise<T> {
    recording.calls.push(made);
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    const failure = recording.down ? 'before' : options.fail?.(made);
    if (failure === 'before') throw new Error(`14 UNAVAILABLE: ${made.method} ${made.workflowId}`);
    effect();
    if (failure === 'after') {
      throw new Error(`4 DEADLINE_EXCEEDED: ${made.method} ${made.workflowId}`);
    }
    return answer;
  }
  recording.client = {
    // As the real client's: the dashboard links to workflows in this namespace.
    options: { namespace: 'default' },
    workflow: {
      signalWithStart: (
        _workflowType: unknown,
        start: { workflowId: string; signal: { name: string }; signalArgs?: unknown[] },
      ) =>
        call(
          { method: 'signalWithStart', workflowId: start.workflowId },
          () =>
            recording.signaled.push({
              workflowId: start.workflowId,
              signal: start.signal.name,
              args: start.signalArgs ?? [],
              options: start,
            }),
          { workflowId: start.workflowId },
        ),
      start: (_workflowType: unknown, start: WorkflowStartOptions) =>
        call(
          { method: 'start', workflowId: start.workflowId },
          () => recording.started.push(start),
          { workflowId: start.workflowId },
        ),
    },
    connection: {
      withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
      close: () => Promise.resolve(),
    },
  } as unknown as Client;
  return recording;
}
