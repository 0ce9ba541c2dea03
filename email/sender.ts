// The email provider: Resend when configured (config/, RESEND_API_KEY), otherwise the database
// outbox, so development needs no email account and sends nothing to anyone.
import type { Db } from '../db/connect.ts';
import { createOutboxSender } from './outbox-sender.ts';
import type { EmailSender } from './port.ts';
import { createResendSender, type ResendSenderOptions } from './resend-sender.ts';

export function createEmailSender(resend: ResendSenderOptions | undefined, db: Db): EmailSender {
  return resend ? createResendSender(resend) : createOutboxSender(db);
}
