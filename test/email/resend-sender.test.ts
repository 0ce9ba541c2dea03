// The real Resend SDK against a local server that answers like Resend: proves what goes over
// the wire (path, headers, JSON body) and how each kind of answer becomes an EmailSendError.
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.ts';
import { EmailSendError, type EmailMessage } from '../../email/port.ts';
import { createResendSender } from '../../email/resend-sender.ts';
import { resendFromEnv } from '../../config/index.ts';
import { createEmailSender } from '../../email/sender.ts';

interface RecordedRequest {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = (res: ServerResponse) => void;

const requests: RecordedRequest[] = [];
const answers: Answer[] = [];
let server: Server;
let baseUrl: string;

function json(status: number, body: unknown): Answer {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers.shift() ?? json(200, { id: 'default-id' });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  requests.length = 0;
  answers.length = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const pdfBase64 = Buffer.from('%PDF-1.7 invoice INV-2026-000042').toString('base64');

const message: EmailMessage = {
  from: 'Billwright <billing@billwright.example>',
  to: ['ada@example.com'],
  replyTo: 'support@billwright.example',
  subject: 'Your Billwright invoice INV-2026-000042',
  html: '<p>Hello Ada</p>',
  text: 'Hello Ada',
  attachments: [
    { filename: 'INV-2026-000042.pdf', contentType: 'application/pdf', content: pdfBase64 },
  ],
  tags: { kind: 'invoice_issued', invoice: 'inv_abc123' },
};

async function sendError(promise: Promise<unknown>): Promise<EmailSendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmailSendError);
  return error as EmailSendError;
}

describe('Resend sender', () => {
  it('posts the message to /emails with the key, idempotency key and base64 attachment', async () => {
    answers.push(json(200, { id: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c' }));
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl });

    const result = await sender.send(message, { idempotencyKey: 'invoice/inv_abc123/issued' });

    expect(sender.provider).toBe('resend');
    expect(result).toEqual({ messageId: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c' });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/emails');
    expect(request!.headers.authorization).toBe('Bearer re_test_123');
    expect(request!.headers['idempotency-key']).toBe('invoice/inv_abc123/issued');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({
      from: 'Billwright <billing@billwright.example>',
      to: ['ada@example.com'],
      reply_to: 'support@billwright.example',
      subject: 'Your Billwright invoice INV-2026-000042',
      html: '<p>Hello Ada</p>',
      text: 'Hello Ada',
      attachments: [
        { filename: 'INV-2026-000042.pdf', content_type: 'application/pdf', content: pdfBase64 },
      ],
      tags: [
        { name: 'kind', value: 'invoice_issued' },
        { name: 'invoice', value: 'inv_abc123' },
      ],
    });
    expect(Buffer.from(pdfBase64, 'base64').toString()).toBe('%PDF-1.7 invoice INV-2026-000042');
  });

  it('cleans tags Resend would reject instead of failing the email', async () => {
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl });
    await sender.send(
      { ...message, attachments: [], tags: { 'invoice number': 'INV/2026/42' } },
      { idempotencyKey: 'k-tags' },
    );
    const body = JSON.parse(requests[0]!.body) as Record<string, unknown>;
    expect(body.tags).toEqual([{ name: 'invoice_number', value: 'INV_2026_42' }]);
    expect(body).not.toHaveProperty('attachments');
  });

  it('keeps a base URL path prefix and ignores a trailing slash', async () => {
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl: `${baseUrl}/resend/` });
    await sender.send(message, { idempotencyKey: 'k-prefix' });
    expect(requests[0]!.url).toBe('/resend/emails');
  });

  it('uses the base URL it is given, not RESEND_BASE_URL from process.env', async () => {
    const saved = process.env.RESEND_BASE_URL;
    process.env.RESEND_BASE_URL = 'http://127.0.0.1:9'; // discard port: nothing listens
    try {
      const sender = createResendSender({ apiKey: 're_test_123', baseUrl });
      await expect(sender.send(message, { idempotencyKey: 'k-env' })).resolves.toEqual({
        messageId: 'default-id',
      });
    } finally {
      if (saved === undefined) delete process.env.RESEND_BASE_URL;
      else process.env.RESEND_BASE_URL = saved;
    }
    expect(requests).toHaveLength(1);
  });

  it('turns a 422 validation error into a non-retryable error, asking once', async () => {
    answers.push(
      json(422, {
        statusCode: 422,
        name: 'validation_error',
        message:
          'Invalid `to` field. The email address needs to follow the `email@example.com` format.',
      }),
    );
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl });

    const error = await sendError(sender.send(message, { idempotencyKey: 'k-422' }));

    expect(error.retryable).toBe(false);
    expect(error.statusCode).toBe(422);
    expect(error.code).toBe('validation_error');
    expect(error.provider).toBe('resend');
    expect(error.message).toContain('Invalid `to` field');
    expect(requests).toHaveLength(1);
  });

  it('keeps a rejected API key retryable: the operator fixes the key, no email is dropped', async () => {
    answers.push(
      json(401, { statusCode: 401, name: 'invalid_api_key', message: 'API key is invalid' }),
    );
    const sender = createResendSender({ apiKey: 're_revoked', baseUrl });

    const error = await sendError(sender.send(message, { idempotencyKey: 'k-401' }));

    expect(error.retryable).toBe(true);
    expect(error.statusCode).toBe(401);
    expect(error.code).toBe('invalid_api_key');
    expect(requests).toHaveLength(1);
  });

  it('turns a 500 into a retryable error; the SDK itself does not retry', async () => {
    answers.push(
      json(500, { statusCode: 500, name: 'internal_server_error', message: 'Unexpected error' }),
      json(200, { id: 'must-not-be-reached' }),
    );
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl });

    const error = await sendError(sender.send(message, { idempotencyKey: 'k-500' }));

    expect(error.retryable).toBe(true);
    expect(error.statusCode).toBe(500);
    expect(error.code).toBe('internal_server_error');
    expect(requests).toHaveLength(1);
  });

  it('retries rate limits and concurrent use of a key, not a key reused for another email', async () => {
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl });
    answers.push(
      json(429, { statusCode: 429, name: 'rate_limit_exceeded', message: 'Too many requests' }),
      json(409, {
        statusCode: 409,
        name: 'concurrent_idempotent_requests',
        message: 'Same idempotency key used while original request is still in progress',
      }),
      json(409, {
        statusCode: 409,
        name: 'invalid_idempotent_request',
        message: 'Same idempotency key used with a different request payload',
      }),
    );
    const rateLimited = await sendError(sender.send(message, { idempotencyKey: 'k-1' }));
    const concurrent = await sendError(sender.send(message, { idempotencyKey: 'k-2' }));
    const reused = await sendError(sender.send(message, { idempotencyKey: 'k-3' }));
    expect([rateLimited.retryable, concurrent.retryable, reused.retryable]).toEqual([
      true,
      true,
      false,
    ]);
    expect([rateLimited.statusCode, concurrent.statusCode, reused.statusCode]).toEqual([
      429, 409, 409,
    ]);
  });

  it('treats a non-JSON gateway error as retryable, keeping its status', async () => {
    answers.push((res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    });
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl });
    const error = await sendError(sender.send(message, { idempotencyKey: 'k-502' }));
    expect(error.retryable).toBe(true);
    expect(error.statusCode).toBe(502);
  });

  it('treats a refused connection as retryable, with no status', async () => {
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl: 'http://127.0.0.1:9' });
    const error = await sendError(sender.send(message, { idempotencyKey: 'k-down' }));
    expect(error.retryable).toBe(true);
    expect(error.statusCode).toBeUndefined();
    expect(error.code).toBe('application_error');
  });

  it('gives up on a provider that never answers, retryably', async () => {
    answers.push(() => {
      /* never answer */
    });
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl, timeoutMs: 200 });
    const started = Date.now();
    const error = await sendError(sender.send(message, { idempotencyKey: 'k-hang' }));
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(requests).toHaveLength(1);
  });

  it('refuses a message without recipients before calling Resend', async () => {
    const sender = createResendSender({ apiKey: 're_test_123', baseUrl });
    const error = await sendError(
      sender.send({ ...message, to: [] }, { idempotencyKey: 'k-none' }),
    );
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('invalid_message');
    expect(requests).toHaveLength(0);
  });
});

describe('createEmailSender', () => {
  const noDb = {} as Db; // Resend never touches the database

  it('sends through Resend at RESEND_BASE_URL when RESEND_API_KEY is set', async () => {
    answers.push(json(200, { id: 'from-env-id' }));
    const sender = createEmailSender(
      resendFromEnv({ RESEND_API_KEY: 're_env_456', RESEND_BASE_URL: baseUrl }),
      noDb,
    );
    expect(sender.provider).toBe('resend');
    await expect(sender.send(message, { idempotencyKey: 'k-from-env' })).resolves.toEqual({
      messageId: 'from-env-id',
    });
    expect(requests[0]!.headers.authorization).toBe('Bearer re_env_456');
  });

  it('falls back to the outbox without RESEND_API_KEY', () => {
    expect(createEmailSender(resendFromEnv({ RESEND_API_KEY: '' }), noDb).provider).toBe('outbox');
    expect(createEmailSender(resendFromEnv({}), noDb).provider).toBe('outbox');
  });
});
