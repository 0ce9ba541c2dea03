// The HTTP load generator, in a worker thread so building requests and reading answers does
// not share an event loop with the API it measures. Sends prepared bodies over `concurrency`
// keep-alive connections (node:http, lighter than fetch: the client shares the machine's
// cores with the API and PostgreSQL, so what it burns is taken from what it measures).
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface ClientJob {
  url: string;
  apiKey: string;
  concurrency: number;
  bodies: string[];
  /** Paced: request i is sent at start + i / requestsPerS (late ones go at once). Else flat out. */
  requestsPerS?: number;
}

export interface ClientReport {
  elapsedMs: number;
  requests: number;
  accepted: number;
  failures: string[];
  /** CPU microseconds this thread used while sending (the load generator's own cost). */
  cpuUs: number;
  /** When each request's answer arrived (epoch ms, by index): bench/balance-lag.ts's lag start. */
  answeredAt: number[];
  /** How late the most behind paced request was sent (ms): the client or the API fell behind. */
  maxLateMs: number;
}

// The answer starts with the counts (the route serializes its schema's properties in order):
// reading `accepted` there spares parsing 100 results per batch in the load generator.
const ACCEPTED = /^\{"accepted":(\d+),/;

function post(agent: Agent, url: URL, apiKey: string, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(job: ClientJob): Promise<ClientReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const url = new URL(job.url);
  let next = 0;
  let accepted = 0;
  const failures: string[] = [];
  const answeredAt: number[] = [];
  let maxLateMs = 0;
  const started = performance.now();
  const cpu0 = process.threadCpuUsage();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.bodies.length) {
        const at = next++;
        if (job.requestsPerS) {
          const wait = started + (at * 1000) / job.requestsPerS - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          else maxLateMs = Math.max(maxLateMs, -wait);
        }
        const { status, text } = await post(agent, url, job.apiKey, job.bodies[at]!);
        // Wall-clock ms, as the balance's readAt is (timeOrigin + now drifts from it by ms).
        answeredAt[at] = Date.now();
        if (status !== 200) failures.push(`${status} ${text.slice(0, 300)}`);
        else
          accepted += Number(
            ACCEPTED.exec(text)?.[1] ?? (JSON.parse(text) as { accepted: number }).accepted,
          );
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.threadCpuUsage(cpu0);
  agent.destroy();
  return {
    elapsedMs,
    requests: job.bodies.length,
    accepted,
    failures,
    cpuUs: cpu.user + cpu.system,
    answeredAt,
    maxLateMs,
  };
}

parentPort!.postMessage(await run(workerData as ClientJob));
