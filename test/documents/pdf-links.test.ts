// Every customer email links the document's PDF when it is not attached: the hosted page's
// signed link with "/pdf" (the same signature opens both).
import { describe, expect, it } from 'vitest';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import { creditNote, multiRateInvoice, receipt, reminder } from '../support/document-views.ts';

const renderer = createDocumentRenderer({});
const hostedUrl =
  'https://billing.example.test/hosted/invoices/inv_abc?expires=1803228453&signature=sig-123';
const pdfUrl =
  'https://billing.example.test/hosted/invoices/inv_abc/pdf?expires=1803228453&signature=sig-123';

describe('PDF links in emails', () => {
  const emails = {
    'invoice issued': renderer.renderInvoiceEmail({
      ...multiRateInvoice('EUR', 'en-GB'),
      hostedUrl,
    }),
    receipt: renderer.renderReceiptEmail({ ...receipt('EUR', 'en-GB', 1000), hostedUrl }),
    'credit note': renderer.renderCreditNoteEmail({
      ...creditNote('EUR', 'en-GB', 'invoice'),
      hostedUrl,
    }),
    reminder: renderer.renderReminderEmail({ ...reminder('EUR', 'en-GB', 'gentle'), hostedUrl }),
  };

  it.each(Object.entries(emails))('the %s email links the PDF in both parts', (_name, email) => {
    expect(email.text).toContain(pdfUrl);
    // Attribute values are HTML-escaped ("=" as &#x3D;, "&" as &amp;); a browser decodes them.
    expect(email.html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')).toContain(pdfUrl);
  });

  it('does not link the PDF when it is attached', () => {
    const email = renderer.renderInvoiceEmail(
      { ...multiRateInvoice('EUR', 'en-GB'), hostedUrl },
      { attachmentName: 'INV-2027-000042.pdf' },
    );
    expect(email.text).not.toContain('/pdf?');
    expect(email.text).toContain('attached as a PDF (INV-2027-000042.pdf)');
  });
});
