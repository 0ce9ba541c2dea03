// Calls through the API that expect a status, and a test clock moved without a worker: the
// advance is started through the API (a recording Temporal accepts it) and finished as the walk's
// last activity finishes it, which is all a walk does for customers with nothing billed between.
import { expect } from 'vitest';
import { finishAdvance } from '../../db/repositories/test-clocks.ts';
import type { ApiHarness } from './api-harness.ts';

export interface ClockedApi {
  call: <T>(method: 'GET' | 'POST', url: string, payload?: object, status?: number) => Promise<T>;
  newClock: (frozenTime: string) => Promise<string>;
  advanceTo: (clockId: string, instant: string) => Promise<void>;
}

export function clockedApi(api: ApiHarness): ClockedApi {
  async function call<T>(method: 'GET' | 'POST', url: string, payload?: object, status = 200) {
    const response = await api.request({ method, url, ...(payload && { payload }) });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status);
    return response.json<T>();
  }
  return {
    call,
    newClock: async (frozenTime) =>
      (await call<{ id: string }>('POST', '/v1/test-clocks', { frozenTime }, 201)).id,
    async advanceTo(clockId, instant) {
      await call('POST', `/v1/test-clocks/${clockId}/advance`, { frozenTime: instant }, 202);
      await finishAdvance(api.db, clockId, instant);
    },
  };
}
