// Test clocks through the API without a worker: validation, the production switch, and a failed
// start leaving the clock where it was. (The walk itself: test/workflows/test-clocks.test.ts and
// the end-to-end test on the dev server.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestClock } from '../../db/repositories/test-clocks.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

interface Problem {
  detail: string;
  errors: { field: string }[];
}

const customer = {
  name: 'Hooli Inc',
  email: 'ap@hooli.test',
  currency: 'EUR',
  country: 'FR',
  timezone: 'Europe/Paris',
  locale: 'fr-FR',
};

describe('test clocks on', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness({ temporalTimeoutMs: 500 });
  });
  afterAll(async () => api?.close());

  async function newClock(): Promise<string> {
    const created = await api.request({
      method: 'POST',
      url: '/v1/test-clocks',
      payload: { frozenTime: '2027-03-01T08:00:00Z' },
    });
    return created.json<{ id: string }>().id;
  }

  it('creates a frozen clock and lists it', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/test-clocks',
      payload: { frozenTime: '2027-03-01T09:00:00+01:00' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      frozenTime: '2027-03-01T08:00:00.000Z',
      status: 'ready',
      advancingTo: null,
      name: null,
    });
    const list = await api.request({ method: 'GET', url: '/v1/test-clocks' });
    expect(list.json<{ data: { id: string }[] }>().data.map((c) => c.id)).toContain(
      created.json<{ id: string }>().id,
    );
  });

  it('refuses a malformed time and an unknown clock', async () => {
    const bad = await api.request({
      method: 'POST',
      url: '/v1/test-clocks',
      payload: { frozenTime: 'next tuesday' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Problem>().errors[0]!.field).toBe('frozenTime');
    const missing = await api.request({ method: 'GET', url: '/v1/test-clocks/clock_nope' });
    expect(missing.statusCode).toBe(404);
    const orphan = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: { ...customer, testClockId: 'clock_nope' },
    });
    expect(orphan.statusCode).toBe(422);
    expect(orphan.json<Problem>().errors[0]!.field).toBe('testClockId');
  });

  it('leaves the clock ready where it was when the advance cannot start', async () => {
    const id = await newClock();
    const advance = await api.request({
      method: 'POST',
      url: `/v1/test-clocks/${id}/advance`,
      payload: { frozenTime: '2027-04-01T08:00:00Z' },
    });
    expect(advance.statusCode).toBe(503); // Temporal is not there
    const clock = await getTestClock(api.db, id);
    expect(clock).toMatchObject({ status: 'ready', advancing_to: null });
    expect(clock!.frozen_time.toISOString()).toBe('2027-03-01T08:00:00.000Z');
  });

  it('refuses an advance of more than 10 years in one step, naming frozenTime', async () => {
    const id = await newClock(); // frozen at 2027-03-01T08:00Z
    const far = await api.request({
      method: 'POST',
      url: `/v1/test-clocks/${id}/advance`,
      payload: { frozenTime: '7027-03-01T08:00:00Z' },
    });
    expect(far.statusCode).toBe(422);
    expect(far.json<Problem>().errors[0]!.field).toBe('frozenTime');
    const clock = await getTestClock(api.db, id);
    expect(clock).toMatchObject({ status: 'ready', advancing_to: null });
  });

  it('puts a customer on a clock', async () => {
    const id = await newClock();
    const created = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: { ...customer, testClockId: id },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json<{ testClockId: string }>().testClockId).toBe(id);
  });
});

describe('test clocks off (production)', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness({ testClocks: false });
  });
  afterAll(async () => api?.close());

  it('has no test-clock routes and refuses customers on a clock', async () => {
    const create = await api.request({
      method: 'POST',
      url: '/v1/test-clocks',
      payload: { frozenTime: '2027-03-01T08:00:00Z' },
    });
    expect(create.statusCode).toBe(404);
    const onClock = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: { ...customer, testClockId: 'clock_any' },
    });
    expect(onClock.statusCode).toBe(422);
    expect(onClock.json<Problem>().detail).toMatch(/test clocks are off/);
  });
});
