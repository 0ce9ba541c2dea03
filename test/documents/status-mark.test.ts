// The status mark stamped on a stored invoice document: what it replaces, what it keeps, and
// that amounts and text go in as text.
import { describe, expect, test } from 'vitest';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import { markInvoiceDocument, type StatusMark } from '../../documents/status-mark.ts';
import { sampleInvoiceView } from '../support/sample-invoice.ts';

const issued = createDocumentRenderer().renderInvoiceHtml(
  sampleInvoiceView({ number: 'INV-2027-000001', status: 'open' }),
);
const at = new Date('2027-01-05T23:30:00Z');
const mark = (status: StatusMark['status'], currency = 'EUR', locale = 'en-IE'): StatusMark => ({
  status,
  at,
  amount: 5880,
  currency,
  locale,
  timezone: 'Europe/Paris',
});

describe('markInvoiceDocument', () => {
  test('void: stamp and status line on top, no amount due and nothing to pay', () => {
    expect(issued).toContain('Amount due');
    const marked = markInvoiceDocument(issued, mark('void'));
    expect(marked).toContain('<div class="bw-watermark" aria-hidden="true">VOID</div>');
    // The date in the customer's zone: 23:30 UTC is already 6 January in Paris.
    expect(marked).toContain('This invoice was voided on 6 January 2027. Nothing is due.');
    expect(marked).toContain('<th scope="row">Void</th><td class="num">Nothing is due</td>');
    expect(marked).not.toContain('Amount due');
    expect(marked).not.toContain('How to pay');
    // Everything else is the issued document.
    expect(marked).toContain('INV-2027-000001');
    expect(marked).toContain('Questions?');
  });

  test('uncollectible: the amount written off, in the customer’s locale and language', () => {
    const marked = markInvoiceDocument(issued, mark('uncollectible', 'EUR', 'fr-FR'));
    expect(marked).toContain('>Irrécouvrable</div>');
    expect(marked).toContain('passée en perte comme irrécouvrable le 6 janvier 2027');
    expect(marked).toMatch(/<th scope="row">Passée en perte<\/th><td class="num">58,80\s€<\/td>/);
    expect(marked).not.toContain('Amount due');
  });

  test('a "$" in an amount is text, not a replacement pattern', () => {
    const marked = markInvoiceDocument(issued, mark('uncollectible', 'USD', 'en-CA'));
    expect(marked).toContain('<td class="num">US$58.80</td>');
  });
});
