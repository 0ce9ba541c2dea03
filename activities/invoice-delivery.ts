// The activities of the one invoice delivery pipeline (workflows/invoice-delivery.ts), shared by
// every workflow that issues an invoice: render it, read the sending window, email it.
import type { DocumentActivities } from './documents.ts';
import type { EmailActivities } from './email.ts';

/** What workflows/invoice-delivery.ts calls through proxyActivities (import type only). */
export type InvoiceDeliveryActivities = DocumentActivities &
  Pick<EmailActivities, 'emailSendWindow' | 'emailInvoice' | 'emailCreditNote'>;
