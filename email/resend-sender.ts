// Production email through Resend's own SDK. What the SDK does, read from its source (6.x):
// - the base URL is the constructor's `baseUrl` option, else RESEND_BASE_URL read from
//   process.env when the client is constructed, else https://api.resend.com; the path is
//   appended as is, so a trailing slash would give "//emails". We always pass it explicitly:
//   config/ reads RESEND_BASE_URL, and the SDK never reads process.env.
// - `emails.send(payload, { idempotencyKey })` sends the Idempotency-Key header.
// - it never throws for HTTP or network failures and never retries: it resolves to
//   { data: null, error: { statusCode, name, message } }, where statusCode is null when no
//   answer came back (network failure, timeout), and it sets no timeout of its own.
// So retrying is Temporal's job, and the idempotency key makes a retry safe.
import { Resend, type Attachment, type CreateEmailOptions } from 'resend';
import { assertSendable, EmailSendError, type EmailMessage, type EmailSender } from './port.ts';

export const RESEND_DEFAULT_BASE_URL = 'https://api.resend.com';

export interface ResendSenderOptions {
  apiKey: string;
  /** e.g. a local mock or a proxy; defaults to https://api.resend.com. */
  baseUrl?: string | undefined;
  /** Gives up on one request after this long (retryable); the SDK has no timeout. */
  timeoutMs?: number;
}

const PROVIDER = 'resend';

export function createResendSender(options: ResendSenderOptions): EmailSender {
  const baseUrl = (options.baseUrl || RESEND_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const resend = new Resend(options.apiKey, { baseUrl });

  return {
    provider: PROVIDER,
    async send(message, { idempotencyKey }) {
      assertSendable(message, idempotencyKey, PROVIDER);
      let response: Awaited<ReturnType<typeof resend.emails.send>>;
      try {
        response = await resend.emails.send(toResendPayload(message), {
          idempotencyKey,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // Only a timeout while reading an error body escapes the SDK; the request's fate is unknown.
        throw new EmailSendError(`Resend request failed: ${(error as Error).message}`, {
          retryable: true,
          provider: PROVIDER,
          cause: error,
        });
      }
      if (response.error) throw toSendError(response.error);
      const id = (response.data as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || id === '') {
        throw new EmailSendError('Resend accepted the message but returned no id', {
          retryable: true,
          provider: PROVIDER,
        });
      }
      return { messageId: id };
    },
  };
}

function toResendPayload(message: EmailMessage): CreateEmailOptions {
  return {
    from: message.from,
    to: message.to,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    subject: message.subject,
    html: message.html,
    text: message.text,
    ...(message.attachments?.length
      ? {
          attachments: message.attachments.map((a): Attachment => ({
            filename: a.filename,
            content: a.content,
            contentType: a.contentType,
          })),
        }
      : {}),
    ...(message.tags
      ? { tags: Object.entries(message.tags).map(([name, value]) => tag(name, value)) }
      : {}),
  };
}

// Resend rejects (422) tag names and values outside [A-Za-z0-9_-] or longer than 256: a label
// must never cost a customer their invoice email, so they are cleaned rather than sent as is.
function tag(name: string, value: string): { name: string; value: string } {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
  return { name: clean(name), value: clean(value) };
}

/** Resend error names that mean "try again later" even without a status code. */
const RETRYABLE_CODES = new Set([
  'missing_api_key',
  'invalid_api_key',
  'restricted_api_key',
  'rate_limit_exceeded',
  'daily_quota_exceeded',
  'monthly_quota_exceeded',
  'concurrent_idempotent_requests',
  'application_error',
  'internal_server_error',
]);

function toSendError(error: {
  message?: unknown;
  statusCode?: unknown;
  name?: unknown;
}): EmailSendError {
  const statusCode = typeof error.statusCode === 'number' ? error.statusCode : undefined;
  const code = typeof error.name === 'string' ? error.name : undefined;
  const retryable =
    statusCode === undefined
      ? code === undefined || RETRYABLE_CODES.has(code) // no answer, or an answer we cannot read
      : statusCode === 429 ||
        statusCode >= 500 ||
        // A missing or revoked API key is the operator's to fix: keep retrying (with backoff)
        // until they do, rather than drop every invoice email in the meantime.
        statusCode === 401 ||
        statusCode === 403 ||
        (statusCode === 409 && code === 'concurrent_idempotent_requests');
  const text = typeof error.message === 'string' ? error.message : 'unknown error';
  return new EmailSendError(
    `Resend ${statusCode ?? 'request'} ${code ?? ''}: ${text}`.replace(/ +:/, ':'),
    { retryable, provider: PROVIDER, statusCode, code },
  );
}
