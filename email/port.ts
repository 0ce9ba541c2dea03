// The one email port. Activities send through an EmailSender and never see which provider is
// behind it: Resend in production, the database outbox in development and tests.
import { ProviderError } from '../domain/core/provider-error.ts';

export interface EmailAttachment {
  filename: string;
  contentType: string;
  /** Base64 of the file's bytes. */
  content: string;
}

export interface EmailMessage {
  /** "Name <address>" or a bare address. */
  from: string;
  to: string[];
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  attachments?: EmailAttachment[];
  /** Provider-side labels for analytics and webhooks, e.g. { kind: 'invoice_issued' }. */
  tags?: Record<string, string>;
  /**
   * A clocked customer's email is sent at their test clock's instant: the outbox records it as
   * the message's date. Absent, the provider stamps the real time; Resend always does (test
   * clocks are for development and are off in production).
   */
  sentAt?: Date;
}

export interface EmailSender {
  /** Recorded beside each delivery, e.g. "resend" or "outbox". */
  readonly provider: string;
  /**
   * Hands the message to the provider. Sending again with the same idempotency key sends
   * nothing new and returns the first message's id (Resend keeps keys for 24 hours; the
   * outbox for ever). Throws EmailSendError.
   */
  send(message: EmailMessage, options: { idempotencyKey: string }): Promise<{ messageId: string }>;
}

/**
 * Why a send failed, and whether sending again can help: a rejected message (validation,
 * bad address, bad key) fails the same way every time; rate limits, provider outages and
 * network failures pass.
 */
export class EmailSendError extends ProviderError {
  override readonly name = 'EmailSendError';
}

/** Resend's limit, and a sane one for any provider. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/** Rejects, before any provider sees it, a message no provider would accept. */
export function assertSendable(
  message: EmailMessage,
  idempotencyKey: string,
  provider: string,
): void {
  const problem =
    idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH
      ? `idempotency key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`
      : message.from.trim() === ''
        ? 'message has no sender'
        : message.to.length === 0 || message.to.some((to) => to.trim() === '')
          ? 'message has no recipient'
          : undefined;
  if (problem) {
    throw new EmailSendError(problem, { retryable: false, provider, code: 'invalid_message' });
  }
}
