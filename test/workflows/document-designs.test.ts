// A customer's document design, through the public API on the real subscription workflow and a
// test clock: the invoice is rendered in the design the customer chose (its HTML, and the PDF
// the API prints from it), an invoice issued after the customer changes design uses the new one,
// and the invoice issued before keeps its own: its stored document, and a re-render of it from
// its snapshot, byte for byte.
import { execFileSync } from 'node:child_process';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadInvoiceView } from '../../activities/invoice-view.ts';
import { loadConfig } from '../../config/index.ts';
import { getInvoiceDocument } from '../../db/repositories/invoice-documents.ts';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import { postCustomer } from '../support/builders/customers.ts';
import {
  advanceClock,
  created,
  createBillingHarness,
  issuedInvoices,
  storedInvoiceHtml,
  newClock,
  subscribe,
  type BillingHarness,
} from '../support/billing-harness.ts';

const paris = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Paris' }).toUTC().toISO()!;

let h: BillingHarness;
beforeAll(async () => {
  h = await createBillingHarness();
  created(
    await h.post('/v1/plans', {
      code: 'designs-monthly',
      name: 'Monthly',
      currency: 'EUR',
      interval: 'month',
      amount: 3000,
    }),
  );
});
afterAll(async () => {
  await h?.close();
});

/** The invoice's PDF as the API prints it from the stored HTML, read back as text. */
async function pdfWords(invoiceId: string): Promise<string> {
  const response = await h.api.request({ method: 'GET', url: `/v1/invoices/${invoiceId}/pdf` });
  expect(response.statusCode, response.body).toBe(200);
  return execFileSync('pdftotext', ['-layout', '-', '-'], {
    input: response.rawPayload,
    encoding: 'utf8',
  });
}

test('a customer’s design shapes their invoices; an invoice keeps the design it was issued in', async () => {
  const clock = await newClock(h, paris('2027-03-01T00:00'));
  const customerId = await postCustomer(h.api, {
    name: 'Lutèce SAS',
    email: 'factures@lutece.example',
    documentDesign: 'modern',
    testClockId: clock,
  });
  const sub = await subscribe(h, { customerId, planCode: 'designs-monthly' });
  const [first] = await issuedInvoices(h, sub.id, 1);
  const modern = await storedInvoiceHtml(h, first!.id);
  expect(modern.content).toContain('<body class="design-modern document-invoice">');
  expect(modern.content).toContain('<div class="country">France</div>'); // fr-FR
  expect(modern.content).toContain('<td class="num tax">20\u00a0%</td>'); // French VAT
  const modernPdf = await pdfWords(first!.id);
  expect(modernPdf).toMatch(/FACTURE/); // the modern band's title, in French (fr-FR)
  expect(modernPdf).toMatch(/\bDE\b/); // the modern summary's seller column (« De »)
  expect(modernPdf).toContain(first!.number!);

  const changed = await h.api.request({
    method: 'PATCH',
    url: `/v1/customers/${customerId}`,
    payload: { documentDesign: 'compact' },
  });
  expect(changed.statusCode, changed.body).toBe(200);

  await advanceClock(h, clock, paris('2027-04-02T00:00'));
  const second = (await issuedInvoices(h, sub.id, 2))[1]!;
  const compact = await storedInvoiceHtml(h, second.id);
  expect(compact.content).toContain('<body class="design-compact document-invoice">');
  const compactPdf = await pdfWords(second.id);
  expect(compactPdf).toMatch(new RegExp(`Facture\\s+${second.number!}`));

  // The first invoice as issued: its stored document and PDF unchanged, and a re-render from
  // its snapshot gives the very same bytes, in the design it was issued in.
  expect(await getInvoiceDocument(h.api.db, first!.id, 'html')).toEqual(modern);
  expect(await pdfWords(first!.id)).toBe(modernPdf);
  const config = loadConfig({});
  const view = await loadInvoiceView(h.api.db, first!.id, config, 'issued');
  expect(view.documentDesign).toBe('modern');
  expect(createDocumentRenderer({ brand: config.brand }).renderInvoiceHtml(view)).toBe(
    modern.content,
  );
});
