// stripe-mock (Stripe's own stand-in for its API, built by `npm run provision`) on a free loopback
// port per test file, behind a small recording proxy: tests point the real `stripe` SDK at `url`
// and read back exactly what it sent (path, Idempotency-Key, form fields), since stripe-mock
// validates requests against Stripe's OpenAPI but answers from fixtures.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from '../../infra/free-port.ts';
import { spawnLogged, tailFile, waitForPort } from '../../infra/process.ts';
import { ensureStripeMock } from '../../infra/stripe-mock.ts';

export interface StripeRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  /** The form body, flattened as sent: "line_items[0][price_data][unit_amount]" → "4900". */
  form: Record<string, string>;
  status: number;
}

export interface StripeMock {
  /** The API base for STRIPE_API_BASE / the SDK (the recording proxy). */
  url: string;
  /** Every request the SDK sent, in order. */
  requests: StripeRequest[];
  stop(): Promise<void>;
}

export async function startStripeMock(): Promise<StripeMock> {
  const binary = await ensureStripeMock();
  if (!binary)
    throw new Error('stripe-mock is not available: install Go and run npm run provision');
  const logFile = join(await mkdtemp(join(tmpdir(), 'stripe-mock-')), 'stripe-mock.log');
  let lastError: unknown;
  // Another process may take the free port before stripe-mock binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await getFreePort();
    const mock = spawnLogged(
      binary,
      ['-http-addr', `127.0.0.1:${port}`, '-https-addr', '127.0.0.1:0'],
      { logFile },
    );
    try {
      await waitForPort(port, '127.0.0.1', Date.now() + 20_000, mock.exited);
    } catch (error) {
      lastError = new Error(`${String(error)}\n${await tailFile(logFile)}`);
      await mock.stop(1000);
      continue;
    }
    const requests: StripeRequest[] = [];
    const proxy = await recordingProxy(port, requests);
    const address = proxy.address() as { port: number };
    return {
      url: `http://127.0.0.1:${address.port}`,
      requests,
      async stop() {
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
        await mock.stop(5000);
      },
    };
  }
  throw lastError;
}

async function recordingProxy(target: number, requests: StripeRequest[]): Promise<Server> {
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const key = incoming.headers['idempotency-key'];
      const recorded: StripeRequest = {
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        idempotencyKey: Array.isArray(key) ? key[0] : key,
        form: Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
        status: 0,
      };
      requests.push(recorded);
      const forward = httpRequest(
        {
          host: '127.0.0.1',
          port: target,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: `127.0.0.1:${target}` },
        },
        (answer) => {
          recorded.status = answer.statusCode ?? 0;
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', (error) => outgoing.destroy(error));
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
