// Every recorded history of a shipped workflow version must replay on today's code without
// non-determinism: changes to running workflows go through patching (workflow.patched).
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../support/temporal.ts';

const dir = new URL('../fixtures/histories/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('replays %s without non-determinism', async (file) => {
    const history = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { events: unknown[] };
    expect(history.events.length).toBeGreaterThan(20);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
  });
});
