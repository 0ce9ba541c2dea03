// A stand-in Temporal client that accepts every workflow start and records it: enough for
// tests of what the API stores and what it would start, without a server.
import type { Client, WorkflowStartOptions } from '@temporalio/client';

export interface RecordingTemporal {
  client: Client;
  started: WorkflowStartOptions[];
  /** Signal-with-start calls (collections): the workflow id and the signal's arguments. */
  signaled: { workflowId: string; signal: string; args: unknown[]; options: unknown }[];
}

export function recordingTemporal(): RecordingTemporal {
  const started: WorkflowStartOptions[] = [];
  const signaled: RecordingTemporal['signaled'] = [];
  const client = {
    workflow: {
      signalWithStart: (
        _workflowType: unknown,
        options: { workflowId: string; signal: { name: string }; signalArgs?: unknown[] },
      ) => {
        signaled.push({
          workflowId: options.workflowId,
          signal: options.signal.name,
          args: options.signalArgs ?? [],
          options,
        });
        return Promise.resolve({ workflowId: options.workflowId });
      },
      start: (_workflowType: unknown, options: WorkflowStartOptions) => {
        started.push(options);
        return Promise.resolve({ workflowId: options.workflowId });
      },
    },
    connection: {
      withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
      close: () => Promise.resolve(),
    },
  } as unknown as Client;
  return { client, started, signaled };
}
