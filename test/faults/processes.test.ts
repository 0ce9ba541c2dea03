// Twenty subscriptions started at once, each invoicing its first period: the worker killed with SIGKILL mid-burst and started again, and the Temporal dev server
// restarted mid-burst (same port, same history file): every renewal is still invoiced, numbered
// and emailed exactly once, and the API stays up. `npm run chaos` runs longer versions.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { progress } from '../../runtime/log.ts';
import {
  billingBurstUnderFault,
  startFaultPlatform,
  type FaultPlatform,
} from '../support/fault-platform.ts';

let platform: FaultPlatform;

beforeAll(async () => {
  platform = await startFaultPlatform();
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

describe('process faults under a burst of first invoices', () => {
  test('the worker killed with SIGKILL and started again: exactly once each', async () => {
    const result = await billingBurstUnderFault(platform, {
      name: 'worker SIGKILL + restart',
      subscriptions: 20,
      burst: 'first-invoices',
      fault: async () => {
        await platform.killWorker();
        platform.startWorker();
      },
    });
    progress(`burst under worker kill: ${JSON.stringify(result)}`);
    expect(result).toMatchObject({ subscriptions: 20, invoices: 20, duplicates: 0, missing: 0 });
    expect(result.alive, await platform.logs()).toEqual({ api: true, worker: true });
    expect(result.apiServerErrors).toBe(0);
  }, 240_000);

  test('the Temporal dev server restarted: exactly once each, worker and API alive', async () => {
    const result = await billingBurstUnderFault(platform, {
      name: 'Temporal dev server restart',
      subscriptions: 20,
      burst: 'first-invoices',
      fault: () => platform.restartTemporal(),
    });
    progress(`burst under Temporal restart: ${JSON.stringify(result)}`);
    expect(result).toMatchObject({ subscriptions: 20, invoices: 20, duplicates: 0, missing: 0 });
    expect(result.alive, await platform.logs()).toEqual({ api: true, worker: true });
    expect((await platform.api('GET', '/health/ready')).status).toBe(200);
  }, 240_000);
});
