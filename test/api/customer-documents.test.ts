// A credit note's and a payment receipt's documents over HTTP (real PostgreSQL, real Chromium
// read back with pdftotext): HTML rendered once and served as stored with its hash as ETag, the
// PDF printed once from it, 404 for what does not exist, and hosted pages at signed links.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { signHostedDocumentLink, signHostedInvoiceLink } from '../../documents/hosted-links.ts';
import { createPdfRenderer, type PdfRenderer } from '../../documents/pdf.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

const SECRET = 'test-signing-secret-0123456789-abcdef';
const BASE = 'https://billing.example.com';

let api: ApiHarness;
let pdf: PdfRenderer;
let printed = 0;
let creditNote: { id: string; number: string };
let paymentId: string;

beforeAll(async () => {
  const real = await createPdfRenderer({ executablePath: loadConfig().chromiumPath });
  pdf = {
    stats: real.stats,
    render: (html) => {
      printed++;
      return real.render(html);
    },
    close: () => real.close(),
  };
  api = await createApiHarness({
    temporal: recordingTemporal().client,
    pdf,
    signingSecret: SECRET,
    publicBaseUrl: BASE,
  });
  const customerId = await postCustomer(api, { email: 'docs@example.com', country: 'FR' });
  const draft = await createDraftInvoice(api.db, {
    customerId,
    currency: 'EUR',
    lines: [{ description: 'Pro', quantity: '1', unitAmount: '10000', amount: 10000 }],
  });
  const invoice = (
    await api.request({ method: 'POST', url: `/v1/invoices/${draft.id}/finalize` })
  ).json<{ id: string }>();
  const paid = await api.request({
    method: 'POST',
    url: `/v1/invoices/${invoice.id}/payments`,
    payload: { amount: 5000, method: 'Visa ending 4242', reference: 'docs-1' },
  });
  expect(paid.statusCode, paid.body).toBeLessThan(300);
  paymentId = paid.json<{ payment: { id: string } }>().payment.id;
  const issued = await api.request({
    method: 'POST',
    url: `/v1/invoices/${invoice.id}/credit-notes`,
    payload: { reason: 'refund', amount: 1200, memo: 'Charged twice in March' },
  });
  expect(issued.statusCode, issued.body).toBe(201);
  creditNote = issued.json<{ id: string; number: string }>();
}, 60_000);

afterAll(async () => {
  await api?.close();
  await pdf?.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  api.request({ method: 'GET', url, headers });

function pdfText(bytes: Buffer): string {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: bytes })
    .toString()
    .replace(/\s+/g, ' ');
}

const documents = () => [
  {
    name: 'credit note',
    html: `/v1/credit-notes/${creditNote.id}/html`,
    pdf: `/v1/credit-notes/${creditNote.id}/pdf`,
    shows: [creditNote.number, 'Charged twice in March'],
    filename: `${creditNote.number}.pdf`,
    missing: '/v1/credit-notes/cn_nope',
    hosted: signHostedDocumentLink(BASE, 'credit-notes', creditNote.id, tomorrow(), SECRET),
  },
  {
    name: 'receipt',
    html: `/v1/payments/${paymentId}/receipt/html`,
    pdf: `/v1/payments/${paymentId}/receipt/pdf`,
    shows: ['Visa ending 4242'],
    filename: `receipt-${paymentId}.pdf`,
    missing: '/v1/payments/pay_nope/receipt',
    hosted: signHostedDocumentLink(BASE, 'receipts', paymentId, tomorrow(), SECRET),
  },
];

function tomorrow(): Date {
  return new Date(Date.now() + 86_400_000);
}

describe.each(['credit note', 'receipt'])('the %s', (name) => {
  const doc = () => documents().find((d) => d.name === name)!;

  test('HTML: rendered once, stored, served as stored with its hash as ETag', async () => {
    const first = await get(doc().html);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const text of doc().shows) expect(first.body).toContain(text);
    const hash = createHash('sha256').update(first.body).digest('hex');
    expect(first.headers.etag).toBe(`"${hash}"`);
    const again = await get(doc().html);
    expect(again.body).toBe(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  test('PDF: printed once from the stored HTML, the same bytes after, 304 on its ETag', async () => {
    const before = printed;
    const first = await get(doc().pdf);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(first.headers['content-disposition']).toBe(`inline; filename="${doc().filename}"`);
    for (const text of doc().shows) expect(pdfText(first.rawPayload)).toContain(text);
    expect(first.headers.etag).toBe(
      `"${createHash('sha256').update(first.rawPayload).digest('hex')}"`,
    );
    const second = await get(doc().pdf);
    expect(Buffer.compare(second.rawPayload, first.rawPayload)).toBe(0);
    expect(printed - before).toBe(1);
    const cached = await get(doc().pdf, { 'if-none-match': first.headers.etag as string });
    expect(cached.statusCode).toBe(304);
  });

  test('404 for what does not exist', async () => {
    for (const suffix of ['/html', '/pdf']) {
      const response = await get(`${doc().missing}${suffix}`);
      expect(response.statusCode).toBe(404);
    }
  });

  test('hosted page and PDF at a signed link; 403 on a bad signature', async () => {
    const url = new URL(doc().hosted);
    const page = await api.app.inject({ url: `${url.pathname}${url.search}` });
    expect(page.statusCode).toBe(200);
    for (const text of doc().shows) expect(page.body).toContain(text);
    const printedPdf = await api.app.inject({ url: `${url.pathname}/pdf${url.search}` });
    expect(printedPdf.statusCode).toBe(200);
    expect(printedPdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    const forged = new URLSearchParams(url.search);
    forged.set('signature', 'A'.repeat(43));
    const refused = await api.app.inject({ url: `${url.pathname}?${forged.toString()}` });
    expect(refused.statusCode).toBe(403);
    const unsigned = await api.app.inject({ url: url.pathname });
    expect(unsigned.statusCode).toBe(403);
  });
});

test("an invoice's signature opens no credit note or receipt of the same id", async () => {
  const invoiceLink = new URL(signHostedInvoiceLink(BASE, creditNote.id, tomorrow(), SECRET));
  const response = await api.app.inject({
    url: `/hosted/credit-notes/${creditNote.id}${invoiceLink.search}`,
  });
  expect(response.statusCode).toBe(403);
});
