// Schemathesis against a platform this test starts itself (Temporal dev server, worker, API on a
// random loopback port, real PostgreSQL): generated requests from the OpenAPI document, including
// stateful sequences along its links, must meet no server error and no response that breaks the
// document. Bounded (examples per operation, a time budget) and deterministic (a fixed seed).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApiKey } from '../../db/repositories/api-keys.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let started: TestPlatform;
beforeAll(async () => {
  started = await startTestPlatform({
    env: {
      // Hosted pages and approvals answer 503 without a signing secret; with one they are exercised.
      BILLWRIGHT_SIGNING_SECRET: 'schemathesis-signing-secret-0123456789',
      // Cancel now answers once the final invoice is issued, rendered and emailed: on two cores
      // shared with the fuzzer that can pass the default 10 s, and a 503 would be the machine's.
      BILLWRIGHT_TEMPORAL_TIMEOUT_MS: '30000',
      // The run is thousands of requests a minute, and checks that leave out the key on purpose:
      // the abuse limits (tested on their own) would answer 429 to the rest.
      BILLWRIGHT_RATE_LIMIT: '1000000',
      BILLWRIGHT_AUTH_FAILURE_LIMIT: '1000000',
    },
  });
});
afterAll(async () => {
  await started?.stop();
});

const REPORT_DIR = join(import.meta.dirname, '../../test-output/schemathesis');

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  // Schemathesis's own report goes to a file, not the test log: its pytest-style banners and
  // "N passed" lines would read, to a CI log reader, as the suite's closing summary.
  mkdirSync(REPORT_DIR, { recursive: true });
  const log = createWriteStream(join(REPORT_DIR, 'output.log'));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      log.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => log.end(() => resolve({ code, output })));
  });
}

test('Schemathesis finds no server error and no response that breaks the document', async () => {
  const { id: keyId, key } = await createApiKey(started.platform.db, 'schemathesis');
  const script = join(import.meta.dirname, '../../scripts/schemathesis.sh');
  // A customer and a plan that exist, for generated invoices and subscriptions to refer to.
  const customer = await started.api('POST', '/v1/customers', {
    name: 'Fuzz GmbH',
    email: 'fuzz@example.com',
    currency: 'EUR',
    country: 'DE',
    timezone: 'Europe/Berlin',
    locale: 'de-DE',
  });
  const plan = await started.api('POST', '/v1/plans', {
    code: 'fuzz-monthly',
    name: 'Fuzz',
    currency: 'EUR',
    interval: 'month',
    amount: 4900,
  });
  expect([customer.status, plan.status]).toEqual([201, 201]);
  const { code, output } = await run(script, [started.platform.apiUrl ?? '', key, REPORT_DIR], {
    BILLWRIGHT_FUZZ_CUSTOMER_ID: (customer.body as { id: string }).id,
    BILLWRIGHT_FUZZ_PLAN_CODE: 'fuzz-monthly',
    BILLWRIGHT_FUZZ_KEY_ID: keyId,
  });
  const summary = summarize(readFileSync(join(REPORT_DIR, 'events.ndjson'), 'utf8'));
  // The figures and the seed; Schemathesis's full report is in test-output/schemathesis/output.log.
  const seed = /seed (\d+)/.exec(output)?.[1] ?? 'unknown';
  console.log(`[billwright] schemathesis (seed ${seed}): ${JSON.stringify(summary)}`);
  expect(summary.requests).toBeGreaterThanOrEqual(1000);
  expect(summary.statefulRequests).toBeGreaterThan(0);
  // The key must stay valid all run: a run answered 401 throughout reaches no route's logic.
  expect(
    summary.unauthorized / summary.keyed,
    'share of keyed /v1 requests answered 401',
  ).toBeLessThan(0.1);
  for (const check of ['not_a_server_error', 'response_schema_conformance'])
    expect(summary.checks[check]?.failure ?? 0, check).toBe(0);
  expect(code, output.slice(-4000)).toBe(0);
}, 600_000);

interface Summary {
  requests: number;
  statefulRequests: number;
  requestsByPhase: Record<string, number>;
  /** Requests to /v1 that carried an Authorization header, and those of them answered 401. */
  keyed: number;
  unauthorized: number;
  checks: Record<string, { success: number; failure: number }>;
}

interface ScenarioFinished {
  /** The phase's name, or an object naming it; absent on some events. */
  phase?: { name?: string } | string | null;
  /** A skipped scenario records neither. */
  recorder: {
    interactions?: Record<string, Interaction>;
    checks?: Record<string, { name: string; status: string }[]>;
  };
}

interface Interaction {
  request?: { uri?: string; headers?: Record<string, unknown> };
  response?: { status_code?: number } | null;
}

/** Requests sent (per phase) and each check's results, from Schemathesis's NDJSON events. */
function summarize(ndjson: string): Summary {
  const summary: Summary = {
    requests: 0,
    statefulRequests: 0,
    requestsByPhase: {},
    keyed: 0,
    unauthorized: 0,
    checks: {},
  };
  for (const line of ndjson.split('\n')) {
    if (!line.includes('"ScenarioFinished"')) continue;
    const event = (JSON.parse(line) as { ScenarioFinished: ScenarioFinished }).ScenarioFinished;
    const phase = typeof event.phase === 'string' ? event.phase : (event.phase?.name ?? 'unknown');
    const requests = Object.keys(event.recorder.interactions ?? {}).length;
    summary.requests += requests;
    for (const { request, response } of Object.values(event.recorder.interactions ?? {})) {
      const keyed = Object.keys(request?.headers ?? {}).some(
        (h) => h.toLowerCase() === 'authorization',
      );
      if (!keyed || !request?.uri?.includes('/v1/')) continue;
      summary.keyed += 1;
      if (response?.status_code === 401) summary.unauthorized += 1;
    }
    summary.requestsByPhase[phase] = (summary.requestsByPhase[phase] ?? 0) + requests;
    for (const results of Object.values(event.recorder.checks ?? {}))
      for (const { name, status } of results) {
        const counts = (summary.checks[name] ??= { success: 0, failure: 0 });
        if (status === 'failure') counts.failure += 1;
        else if (status === 'success') counts.success += 1;
      }
  }
  summary.statefulRequests = summary.requestsByPhase.stateful ?? 0;
  return summary;
}
