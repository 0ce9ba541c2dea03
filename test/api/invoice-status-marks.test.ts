// A void or written-off invoice's documents carry its status: the HTML, its PDF (real Chromium,
// read back with pdftotext) and the hosted page show the mark and no amount as due, while the
// document as issued stays stored as it was sent. An open or paid invoice shows no mark.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDocumentActivities } from '../../activities/documents.ts';
import { loadConfig } from '../../config/index.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { getInvoiceDocument } from '../../db/repositories/invoice-documents.ts';
import { createPdfRenderer, type PdfRenderer } from '../../documents/pdf.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

let api: ApiHarness;
let pdf: PdfRenderer;
let customerId: string;

beforeAll(async () => {
  pdf = await createPdfRenderer({ executablePath: loadConfig().chromiumPath });
  api = await createApiHarness({
    temporal: recordingTemporal().client,
    pdf,
    signingSecret: 'test-signing-secret-0123456789-abcdef',
    publicBaseUrl: 'https://billing.example.com',
  });
  customerId = await postCustomer(api, {
    name: 'Client',
    email: 'client@example.com',
    country: 'FR',
    locale: 'en-IE',
  });
});

afterAll(async () => {
  await api?.close();
  await pdf?.close();
});

const post = (url: string) => api.request({ method: 'POST', url });

/** Finalized through the API and rendered as the delivery workflow renders it. */
async function issuedInvoice(): Promise<{ id: string; number: string }> {
  const { id } = await createDraftInvoice(api.db, {
    customerId,
    currency: 'EUR',
    lines: [{ description: 'Pro', quantity: '1', unitAmount: '4900', amount: 4900 }],
  });
  const finalized = await post(`/v1/invoices/${id}/finalize`);
  expect(finalized.statusCode).toBe(200);
  const { renderer, seller, brand } = api.app.documents;
  await createDocumentActivities({ db: api.db, renderer, seller, brand }).renderInvoice({
    invoiceId: id,
  });
  return { id, number: finalized.json<{ number: string }>().number };
}

/** What a reader sees of each document: the HTML as text, the PDF through pdftotext. */
async function documents(id: string) {
  const html = await api.request({ method: 'GET', url: `/v1/invoices/${id}/html` });
  expect(html.statusCode).toBe(200);
  const printed = await api.request({ method: 'GET', url: `/v1/invoices/${id}/pdf` });
  expect(printed.statusCode).toBe(200);
  const link = await post(`/v1/invoices/${id}/hosted-link`);
  const url = new URL(link.json<{ url: string }>().url);
  const hosted = await api.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
  expect(hosted.statusCode).toBe(200);
  const hostedPdf = await api.app.inject({
    method: 'GET',
    url: `${url.pathname}/pdf${url.search}`,
  });
  expect(hostedPdf.statusCode).toBe(200);
  return {
    html: text(html.body),
    etag: html.headers.etag,
    pdf: pdfText(printed.rawPayload),
    pdfBytes: printed.rawPayload,
    hosted: text(hosted.body),
    hostedPdfBytes: hostedPdf.rawPayload,
  };
}

function text(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}

function pdfText(bytes: Buffer): string {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: bytes })
    .toString()
    .replace(/\s+/g, ' ');
}

describe('status marks on invoice documents', () => {
  test('an open invoice shows what is due and no mark', async () => {
    const { id } = await issuedInvoice();
    const shown = await documents(id);
    for (const doc of [shown.html, shown.pdf, shown.hosted]) {
      expect(doc).toMatch(/Amount due €58\.80/);
      expect(doc).not.toMatch(/VOID|Uncollectible|Written off/);
    }
  });

  test('a paid invoice shows no mark either', async () => {
    const { id } = await issuedInvoice();
    const paid = await api.request({
      method: 'POST',
      url: `/v1/invoices/${id}/payments`,
      payload: { amount: 5880, method: 'bank transfer', reference: `wire-${id}` },
    });
    expect(paid.json()).toMatchObject({ invoice: { status: 'paid' } });
    const shown = await documents(id);
    for (const doc of [shown.html, shown.pdf]) {
      expect(doc).not.toMatch(/VOID|Uncollectible|Written off/);
    }
  });

  test('voided: the HTML, its PDF and the hosted page say VOID and nothing is due', async () => {
    const { id, number } = await issuedInvoice();
    const issued = await getInvoiceDocument(api.db, id, 'html');
    const before = await documents(id);
    expect((await post(`/v1/invoices/${id}/void`)).statusCode).toBe(200);

    const shown = await documents(id);
    for (const doc of [shown.html, shown.pdf, shown.hosted]) {
      expect(doc).toContain(number);
      expect(doc).toContain('VOID');
      expect(doc).toMatch(/This invoice was voided on \d+ \w+ \d{4}\. Nothing is due\./);
      expect(doc).not.toContain('Amount due');
      expect(doc).not.toContain('How to pay');
    }
    expect(shown.etag).not.toBe(before.etag);
    expect(Buffer.compare(shown.hostedPdfBytes, shown.pdfBytes)).toBe(0);
    // The document as issued is kept as it was sent, beside the stamped copy.
    expect(await getInvoiceDocument(api.db, id, 'html')).toEqual(issued);
    // The stamped copy is stored once: asking again serves the same bytes.
    const again = await documents(id);
    expect(again.etag).toBe(shown.etag);
    expect(Buffer.compare(again.pdfBytes, shown.pdfBytes)).toBe(0);
  });

  test('written off: marked uncollectible, with the amount written off instead of due', async () => {
    const { id } = await issuedInvoice();
    expect((await post(`/v1/invoices/${id}/mark-uncollectible`)).statusCode).toBe(200);
    const shown = await documents(id);
    for (const doc of [shown.html, shown.pdf, shown.hosted]) {
      expect(doc).toMatch(/Uncollectible/i);
      expect(doc).toMatch(/written off as uncollectible on \d+ \w+ \d{4}/);
      expect(doc).toMatch(/Written off €58\.80/);
      expect(doc).not.toContain('Amount due');
    }

    // Voided after the write-off: the void copy, stamped VOID.
    expect((await post(`/v1/invoices/${id}/void`)).statusCode).toBe(200);
    const voided = await documents(id);
    expect(voided.pdf).toContain('VOID');
    expect(voided.pdf).not.toMatch(/Written off|Amount due/);
  });
});
