// PostgreSQL goes away under the real API and worker processes: stopped while idle, restarted
// (`pg_ctl restart -m fast`: every connection gets 57P01) during a burst of renewals, and down
// when an API process starts. Nothing crashes, the API says 503 meanwhile, and billing stays
// exactly once. `npm run chaos` runs longer versions.
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { progress } from '../../runtime/log.ts';
import {
  databaseOutage,
  billingBurstUnderFault,
  startFaultPlatform,
  waitUntil,
  type FaultPlatform,
} from '../support/fault-platform.ts';

let platform: FaultPlatform;

beforeAll(async () => {
  platform = await startFaultPlatform();
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

describe('PostgreSQL faults under the real API and worker', () => {
  test('stopped for 3 s while idle: the API answers 503 with Retry-After, then 200', async () => {
    const { probe, upAt, readyDuring } = await databaseOutage(platform, 3_000);
    expect(probe.statuses).toContain(503);
    expect([...probe.statuses].every((s) => s === 200 || s === 503)).toBe(true);
    expect(readyDuring.status).toBe(503);
    expect(readyDuring.headers.get('retry-after')).toBe('5');
    expect(readyDuring.body.detail).toBe('Not ready: the database does not answer.');
    const recovered = probe.answers.find((a) => a.at > upAt && a.status === 200)!;
    progress(
      `idle outage: API 200 again ${((recovered.at - upAt) / 1000).toFixed(1)} s after start`,
    );
    expect(recovered.at - upAt).toBeLessThan(10_000);
    expect(platform.alive(), await platform.logs()).toEqual({ api: true, worker: true });
    expect((await platform.api('GET', '/health/ready')).status).toBe(200);
  }, 60_000);

  test('restarted during a burst of 15 renewals: one invoice, number and email each', async () => {
    const result = await billingBurstUnderFault(platform, {
      name: 'PostgreSQL restart mid-burst',
      subscriptions: 15,
      burst: 'renewals',
      fault: () => platform.postgres.restart(),
    });
    progress(`burst under PostgreSQL restart: ${JSON.stringify(result)}`);
    expect(result).toMatchObject({ subscriptions: 15, invoices: 30, duplicates: 0, missing: 0 });
    expect(result.alive, await platform.logs()).toEqual({ api: true, worker: true });
    expect(result.statuses.every((s) => s === 200 || s === 503)).toBe(true);
  }, 240_000);

  test('an API started while PostgreSQL is down waits, and is ready once it starts', async () => {
    await platform.postgres.halt();
    const spawnedAt = Date.now();
    const extra = await platform.spawnApi();
    const waiting = new RegExp(
      `waiting for PostgreSQL at 127\\.0\\.0\\.1:${platform.postgres.port} \\(attempt \\d+\\)`,
    );
    try {
      // Node needs a moment to load the API; then it says it waits, and keeps waiting.
      await waitUntil('the API to say it waits', 30_000, async () =>
        waiting.test(await readFile(extra.process.logFile, 'utf8')),
      );
      await delay(Math.max(3_000 - (Date.now() - spawnedAt), 1_000));
      expect(extra.process.child.exitCode).toBeNull();
      const startedAt = Date.now();
      await platform.postgres.start();
      await waitUntil('the late API to be ready', 30_000, async () => {
        const answer = await fetch(`${extra.url}/health/ready`).catch(() => undefined);
        return answer?.status === 200;
      });
      progress(
        `late start: ready ${((Date.now() - startedAt) / 1000).toFixed(1)} s after PostgreSQL started`,
      );
      const log = await readFile(extra.process.logFile, 'utf8');
      progress(
        `late start log: ${log
          .split('\n')
          .filter((l) => l.includes('PostgreSQL'))
          .join(' | ')}`,
      );
      expect(log).toMatch(/PostgreSQL at .* is up/);
      expect(platform.alive(), await platform.logs()).toEqual({ api: true, worker: true });
    } finally {
      await extra.process.stop();
    }
  }, 60_000);
});
