// Every recorded history (test/fixtures/histories/, one per workflow type, recorded by
// `npm run record-histories`) must replay on today's code without non-determinism, and every
// workflow type the worker registers must have one. See "Workflow changes" in ARCHITECTURE.md.
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import * as workflows from '../../workflows/index.ts';
import { testDataConverter, workflowBundle } from '../support/temporal.ts';

interface RecordedHistory {
  events: {
    eventType: string;
    workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } };
  }[];
}

const dir = new URL('../fixtures/histories/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const histories = files.map((file) => ({
  file,
  history: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as RecordedHistory,
}));

describe('replay of recorded histories', () => {
  it('has a recorded history for every workflow type the worker registers', () => {
    const recorded = new Set(
      histories.map(
        ({ history }) =>
          history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name,
      ),
    );
    const missing = Object.keys(workflows).filter((type) => !recorded.has(type));
    expect(
      missing,
      `workflow types exported by workflows/index.ts without a history in ` +
        `test/fixtures/histories/: ${missing.join(', ')}. Add a story for each to ` +
        `scripts/stories/index.ts and run \`npm run record-histories -- <name>\`.`,
    ).toEqual([]);
  });

  it.each(histories)('replays $file without non-determinism', async ({ file, history }) => {
    // A whole story: started, and played to its end.
    expect(history.events[0]?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(history.events.at(-1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    // Decrypted with the key they were recorded under, as the worker that ran them would.
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), dataConverter: testDataConverter },
      history,
      file,
    );
  });
});
