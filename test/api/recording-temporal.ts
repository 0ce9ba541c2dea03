// A stand-in Temporal client that accepts every workflow start and records it: enough for
// tests of what the API stores and what it would start, without a server.
import type { Client, WorkflowStartOptions } from '@temporalio/client';

export interface RecordingTemporal {
  client: Client;
  started: WorkflowStartOptions[];
}

export function recordingTemporal(): RecordingTemporal {
  const started: WorkflowStartOptions[] = [];
  const client = {
    workflow: {
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
  return { client, started };
}
