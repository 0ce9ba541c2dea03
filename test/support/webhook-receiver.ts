// A real HTTP receiver on loopback for webhook tests: verifies every delivery's signature with
// the standardwebhooks library (as an operator's receiver would), records what it got, and
// answers what the test says (fail N times, be down, succeed).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  body: { type: string; timestamp: string; data: { object: Record<string, unknown> } };
  verified: boolean;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Requests answered with an error (not recorded as received). */
  refused: number;
  /** Answers 503 to the next `n` requests (Infinity: down until changed). */
  failNext(n: number): void;
  /** Verifies signatures with this secret from now on. */
  useSecret(secret: string): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let secret: string | undefined;
  let failing = 0;
  const state = { received: [] as ReceivedWebhook[], refused: 0 };
  const server: Server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      if (failing > 0) {
        failing--;
        state.refused++;
        response.writeHead(503).end('down for maintenance');
        return;
      }
      const headers = {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      };
      let verified = false;
      try {
        if (secret) new Webhook(secret).verify(text, headers);
        verified = secret !== undefined;
      } catch {
        verified = false;
      }
      state.received.push({
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        body: JSON.parse(text) as ReceivedWebhook['body'],
        verified,
      });
      response.writeHead(verified ? 200 : 400).end(verified ? 'ok' : 'bad signature');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    get received() {
      return state.received;
    },
    get refused() {
      return state.refused;
    },
    failNext: (n) => (failing = n),
    useSecret: (s) => (secret = s),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
