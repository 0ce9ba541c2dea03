// Picks the email provider from configuration: Resend when RESEND_API_KEY is set, otherwise
// the database outbox, so development needs no email account and sends nothing to anyone.
import type { Db } from '../db/connect.ts';
import { createOutboxSender } from './outbox-sender.ts';
import type { EmailSender } from './port.ts';
import { createResendSender } from './resend-sender.ts';

export function emailSenderFromEnv(env: NodeJS.ProcessEnv, db: Db): EmailSender {
  const apiKey = env.RESEND_API_KEY?.trim();
  if (apiKey) {
    return createResendSender({ apiKey, baseUrl: env.RESEND_BASE_URL?.trim() || undefined });
  }
  return createOutboxSender(db);
}
