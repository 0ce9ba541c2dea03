// Sends one signed webhook over HTTP(S). The host is resolved here, every address it resolves to
// is checked (public unicast only, unless private addresses are allowed for development), and the
// connection goes to the address that was checked, so DNS rebinding between the check and the
// connect cannot reach the platform's own network. Signed per Standard Webhooks with the
// `standardwebhooks` package, the specification's reference library (the same that receivers
// verify with), rather than our own HMAC code.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { isPublicAddress } from '../domain/webhooks/addresses.ts';

export interface WebhookNetworkPolicy {
  /** BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE=on: development receivers on loopback or a LAN, over http. */
  allowPrivate: boolean;
}

/** A URL no webhook may be sent to, and why (the API names the `url` field). */
export class UnsafeWebhookUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeWebhookUrlError';
  }
}

/** Checks the URL's form (https outside development) and resolves it to one checked address. */
export async function resolveWebhookUrl(
  url: string,
  policy: WebhookNetworkPolicy,
): Promise<{ url: URL; address: string; family: 4 | 6 }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnsafeWebhookUrlError('is not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && !(policy.allowPrivate && parsed.protocol === 'http:')) {
    throw new UnsafeWebhookUrlError('must be https');
  }
  if (parsed.username || parsed.password) {
    throw new UnsafeWebhookUrlError('must not carry credentials');
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      throw new UnsafeWebhookUrlError(`host ${host} does not resolve (${String(error)})`);
    }
  }
  const refused = addresses.find((a) => !isPublicAddress(a.address));
  if (!policy.allowPrivate && refused) {
    throw new UnsafeWebhookUrlError(
      `host ${host} resolves to ${refused.address}, a private, loopback, link-local or reserved address`,
    );
  }
  const first = addresses[0];
  if (!first) throw new UnsafeWebhookUrlError(`host ${host} has no address`);
  return { url: parsed, address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface WebhookMessage {
  /** The event id: webhook-id, the same on every attempt and replay. */
  id: string;
  timestamp: Date;
  /** The JSON body, exactly as signed. */
  body: string;
}

export interface WebhookResponse {
  statusCode: number | null;
  durationMs: number;
  /** The first 1,000 characters of the answer. */
  excerpt: string | null;
  error: string | null;
  succeeded: boolean;
}

const EXCERPT_CHARS = 1_000;

/** The Standard Webhooks headers of a message signed with `secret` (whsec_…). */
export function webhookHeaders(secret: string, message: WebhookMessage): Record<string, string> {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(message.timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(message.id, message.timestamp, message.body),
  };
}

/** POSTs the message; any 2xx is a success. Never throws: the outcome says what happened. */
export async function sendWebhook(
  endpoint: { url: string; secret: string },
  message: WebhookMessage,
  policy: WebhookNetworkPolicy,
  timeoutMs = 10_000,
): Promise<WebhookResponse> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target: Awaited<ReturnType<typeof resolveWebhookUrl>>;
  try {
    target = await resolveWebhookUrl(endpoint.url, policy);
  } catch (error) {
    return failure(error, elapsed());
  }
  // Connect to the address checked above, whatever the resolver would answer now.
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise<WebhookResponse>((resolve) => {
    const request = client.request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Billwright-Webhooks/1',
          ...webhookHeaders(endpoint.secret, message),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < EXCERPT_CHARS) text += chunk;
        });
        response.on('end', () => {
          const statusCode = response.statusCode ?? null;
          const succeeded = statusCode !== null && statusCode >= 200 && statusCode < 300;
          resolve({
            statusCode,
            durationMs: elapsed(),
            excerpt: text.slice(0, EXCERPT_CHARS) || null,
            error: succeeded ? null : `HTTP ${statusCode}`,
            succeeded,
          });
        });
        response.on('error', (error) => resolve(failure(error, elapsed())));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => resolve(failure(error, elapsed())));
    request.end(message.body);
  });
}

function failure(error: unknown, durationMs: number): WebhookResponse {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { statusCode: null, durationMs, excerpt: null, error: text, succeeded: false };
}
