// The worker's Prometheus endpoint: a small HTTP listener answering GET /metrics with this
// process's registry (the API serves the same registry on its own port, api/routes/prometheus.ts).
// With a token, a scrape must send `Authorization: Bearer <token>`.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectProcessMetrics, exposition } from './metrics.ts';

/** Whether an Authorization header carries the metrics token (any header when there is none). */
export function metricsScrapeAllowed(header: string | undefined, token: string | undefined) {
  if (token === undefined) return true;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: {
  host: string;
  port: number;
  token: string | undefined;
}): Promise<MetricsServer> {
  collectProcessMetrics();
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: GET /metrics\n');
      return;
    }
    if (!metricsScrapeAllowed(request.headers.authorization, options.token)) {
      response
        .writeHead(401, { 'www-authenticate': 'Bearer realm="billwright-metrics"' })
        .end('Send Authorization: Bearer <BILLWRIGHT_METRICS_TOKEN>\n');
      return;
    }
    exposition().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
