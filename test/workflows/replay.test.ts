// Every recorded history (test/fixtures/histories/<story>.json, recorded by
// `npm run record-histories` from the stories of scripts/stories/index.ts: one or more per
// workflow type, the type's main paths then its other branches) must replay on today's code
// without non-determinism, as the workflow type its story is listed under. Every story listed
// must have its history, and every history its story. See "Workflow changes" in ARCHITECTURE.md.
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { stories, storyList } from '../../scripts/stories/index.ts';
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
const listed = storyList.map(([workflowType, story]) => ({
  workflowType,
  story: story.name,
  file: `${story.name}.json`,
}));
const recorded = listed.filter(({ file }) => files.includes(file));

describe('replay of recorded histories', () => {
  it('lists a story for every workflow type the worker registers', () => {
    const listedTypes: Record<string, readonly unknown[] | undefined> = stories;
    const missing = Object.keys(workflows).filter((type) => !listedTypes[type]?.length);
    expect(missing, 'workflow types without a story in scripts/stories/index.ts').toEqual([]);
  });

  it('has a recorded history for every story listed', () => {
    const names = listed.map(({ story }) => story);
    expect(
      names.filter((name, i) => names.indexOf(name) !== i),
      'stories named twice',
    ).toEqual([]);
    const missing = listed.filter(({ file }) => !files.includes(file)).map(({ story }) => story);
    expect(
      missing,
      `stories listed in scripts/stories/index.ts without a history in ` +
        `test/fixtures/histories/: record them with ` +
        `\`npm run record-histories -- ${missing.join(' ')}\`.`,
    ).toEqual([]);
  });

  it('has a story listed for every recorded history', () => {
    const orphans = files.filter((file) => !listed.some((story) => story.file === file));
    expect(
      orphans,
      'histories in test/fixtures/histories/ that no story in scripts/stories/index.ts records',
    ).toEqual([]);
  });

  it.each(recorded)(
    'replays $file as a $workflowType without non-determinism',
    async ({ file, workflowType }) => {
      const history = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as RecordedHistory;
      // A whole story of the type it is listed under: started, and played to its end.
      const started = history.events[0];
      expect(started?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      expect(started?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe(
        workflowType,
      );
      expect(history.events.at(-1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
      // Decrypted with the key they were recorded under, as the worker that ran them would.
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: testDataConverter },
        history,
        file,
      );
    },
  );
});
