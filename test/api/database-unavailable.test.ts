// The API while its database is away: 503 problem+json with Retry-After (not a 500, not a
// crash), liveness still 200, readiness 503 naming what does not answer. The database here is
// a port nothing listens on; test/faults/ restarts a real PostgreSQL under real processes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { connectDatabase, isDatabaseUnavailable, type Db } from '../../db/connect.ts';
import { getFreePort } from '../../infra/free-port.ts';
import { unreachableTemporal } from '../support/api-harness.ts';

let app: Awaited<ReturnType<typeof buildApp>>;
let db: Db;
const lost: Error[] = [];

beforeAll(async () => {
  const port = await getFreePort();
  db = await connectDatabase({
    url: `postgres://postgres@127.0.0.1:${port}/billwright`,
    connectionTimeoutMs: 1_000,
    onConnectionError: (error) => lost.push(error),
  });
  app = await buildApp({
    db,
    temporal: unreachableTemporal(),
    config: { publicBaseUrl: 'http://localhost:3000', temporalTimeoutMs: 1_000 },
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await db?.destroy();
});

describe('the API without its database', () => {
  test('an authenticated request is a 503 problem with Retry-After', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/customers',
      headers: { authorization: 'Bearer bw_test_whatever' },
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toMatchObject({
      type: '/problems/service-unavailable',
      status: 503,
      detail: 'The database is unavailable; retry shortly.',
    });
  });

  test('liveness answers 200, readiness 503 naming the database and Temporal', async () => {
    const live = await app.inject({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    expect(ready.json()).toMatchObject({
      detail: 'Not ready: the database and Temporal do not answer.',
    });
  });
});

describe('isDatabaseUnavailable', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  test.each([
    ['connection refused', withCode('ECONNREFUSED')],
    ['both addresses refused', new AggregateError([withCode('ECONNREFUSED')], '')],
    ['administrator shutdown', withCode('57P01', 'terminating connection')],
    ['starting up', withCode('57P03', 'the database system is starting up')],
    ['connection exception class', withCode('08006')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['wrapped by the migrator', new Error('migration failed', { cause: withCode('57P01') })],
  ])('%s is unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  test.each([
    ['a unique violation', withCode('23505')],
    ['a syntax error', withCode('42601')],
    ['a plain error', new Error('boom')],
    ['not an error', 'ECONNREFUSED'],
  ])('%s is not', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
