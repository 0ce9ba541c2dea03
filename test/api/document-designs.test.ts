// The document design routes (the list, a preview of each design and document type, as HTML and
// as a PDF from the real Chromium), and a customer's documentDesign: accepted by POST and PATCH
// with the same validation and shown by GET. Its effect on issued invoices is shown on the real
// workflow in test/workflows/document-designs.test.ts.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { DOCUMENT_DESIGNS, DOCUMENT_TYPES } from '../../documents/designs.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

let api: ApiHarness;
beforeAll(async () => {
  api = await createApiHarness({ temporal: recordingTemporal().client });
});
afterAll(async () => {
  await api?.close();
});

describe('GET /v1/document-designs', () => {
  it('lists every design with the brand’s default and a preview per document type', async () => {
    const response = await api.request({ method: 'GET', url: '/v1/document-designs' });
    expect(response.statusCode, response.body).toBe(200);
    const { data, hasMore } = response.json<{
      data: { design: string; isDefault: boolean; previews: { html: string; pdf: string }[] }[];
      hasMore: boolean;
    }>();
    expect(hasMore).toBe(false);
    expect(data.map((d) => d.design)).toEqual([...DOCUMENT_DESIGNS]);
    expect(data.filter((d) => d.isDefault).map((d) => d.design)).toEqual(['classic']);
    expect(data[1]!.previews).toHaveLength(DOCUMENT_TYPES.length);
    expect(data[1]!.previews[0]).toEqual({
      documentType: 'invoice',
      html: '/v1/document-designs/modern/invoice/preview?format=html',
      pdf: '/v1/document-designs/modern/invoice/preview?format=pdf',
    });
  });
});

describe('GET /v1/document-designs/:design/:documentType/preview', () => {
  it('renders every design and document type as HTML from the sample data', async () => {
    for (const design of DOCUMENT_DESIGNS) {
      for (const type of DOCUMENT_TYPES) {
        const response = await api.request({
          method: 'GET',
          url: `/v1/document-designs/${design}/${type}/preview?locale=de-DE`,
        });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(response.body).toContain(`<body class="design-${design} document-${type}">`);
        expect(response.body).toContain('<div class="country">Deutschland</div>');
        expect(response.body).toContain('<td class="num tax">7\u00a0%</td>');
      }
    }
  });

  it('prints the preview to PDF with the real Chromium', async () => {
    const response = await api.request({
      method: 'GET',
      url: '/v1/document-designs/compact/credit-note/preview?format=pdf',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const words = execFileSync('pdftotext', ['-layout', '-', '-'], {
      input: response.rawPayload,
      encoding: 'utf8',
    });
    expect(words).toMatch(/Credit note\s+CN-2027-000007/);
    expect(words).toContain('Germany');
  });

  it('answers 404 for an unknown design or document type, 400 for an unknown format', async () => {
    const unknown = await api.request({
      method: 'GET',
      url: '/v1/document-designs/fancy/invoice/preview',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ detail: 'no document design is named fancy' });
    const type = await api.request({
      method: 'GET',
      url: '/v1/document-designs/modern/bill/preview',
    });
    expect(type.statusCode).toBe(404);
    const format = await api.request({
      method: 'GET',
      url: '/v1/document-designs/modern/invoice/preview?format=docx',
    });
    expect(format.statusCode).toBe(400);
    expect(format.json()).toMatchObject({ errors: [{ field: 'format' }] });
  });
});

describe('a customer’s documentDesign', () => {
  const customer = (id: string) => api.request({ method: 'GET', url: `/v1/customers/${id}` });
  const patch = (id: string, payload: object) =>
    api.request({ method: 'PATCH', url: `/v1/customers/${id}`, payload });

  it('is accepted by POST and PATCH, shown by GET, and cleared with null', async () => {
    const id = await postCustomer(api, { documentDesign: 'modern' });
    expect((await customer(id)).json()).toMatchObject({ documentDesign: 'modern' });

    const changed = await patch(id, { documentDesign: 'compact' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ documentDesign: 'compact' });
    expect((await customer(id)).json()).toMatchObject({ documentDesign: 'compact' });

    const cleared = await patch(id, { documentDesign: null });
    expect(cleared.json()).toMatchObject({ documentDesign: null });
    expect((await customer(id)).json()).toMatchObject({ documentDesign: null });

    const plain = await postCustomer(api);
    expect((await customer(plain)).json()).toMatchObject({ documentDesign: null });
  });

  it('is refused by POST and PATCH alike when it names no design', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: {
        name: 'Acme',
        email: 'billing@acme.example',
        currency: 'EUR',
        country: 'FR',
        timezone: 'Europe/Paris',
        locale: 'fr-FR',
        documentDesign: 'fancy',
      },
    });
    expect(created.statusCode).toBe(400);
    expect(created.json()).toMatchObject({ errors: [{ field: 'documentDesign' }] });

    const id = await postCustomer(api, { documentDesign: 'modern' });
    const patched = await patch(id, { documentDesign: 'fancy' });
    expect(patched.statusCode).toBe(400);
    expect(patched.json()).toMatchObject({ errors: [{ field: 'documentDesign' }] });
    expect((await customer(id)).json()).toMatchObject({ documentDesign: 'modern' });
  });
});

describe('a credit note and a receipt', () => {
  it('are laid out in their invoice’s design, each line with its tax', async () => {
    const customerId = await postCustomer(api, { documentDesign: 'modern', country: 'FR' });
    const draft = await createDraftInvoice(api.db, {
      customerId,
      currency: 'EUR',
      lines: [{ description: 'Pro', quantity: '1', unitAmount: '10000', amount: 10000 }],
    });
    const finalized = await api.request({
      method: 'POST',
      url: `/v1/invoices/${draft.id}/finalize`,
    });
    expect(finalized.statusCode, finalized.body).toBe(200);
    // Changed after the invoice was issued: its credit notes and receipts keep its design.
    const patched = await api.request({
      method: 'PATCH',
      url: `/v1/customers/${customerId}`,
      payload: { documentDesign: 'compact' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const paid = await api.request({
      method: 'POST',
      url: `/v1/invoices/${draft.id}/payments`,
      payload: { amount: 5000, method: 'Visa ending 4242', reference: 'designs-1' },
    });
    expect(paid.statusCode, paid.body).toBeLessThan(300);
    const paymentId = paid.json<{ payment: { id: string } }>().payment.id;
    const credited = await api.request({
      method: 'POST',
      url: `/v1/invoices/${draft.id}/credit-notes`,
      payload: { reason: 'refund', amount: 1200 },
    });
    expect(credited.statusCode, credited.body).toBe(201);
    const creditNoteId = credited.json<{ id: string }>().id;

    for (const [type, url] of [
      ['credit-note', `/v1/credit-notes/${creditNoteId}/html`],
      ['receipt', `/v1/payments/${paymentId}/receipt/html`],
    ]) {
      const response = await api.request({ method: 'GET', url: url! });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).toContain(`<body class="design-modern document-${type}">`);
      expect(response.body).toContain('<td class="num tax">20\u00a0%</td>'); // French VAT, fr-FR
      expect(response.body).toContain('<div class="country">France</div>');
    }
  });
});

describe('an estimate', () => {
  it('is laid out in its customer’s design, each line with its tax', async () => {
    const plan = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: {
        code: 'designs-pro',
        name: 'Pro',
        currency: 'EUR',
        interval: 'month',
        amount: 4900,
      },
    });
    expect(plan.statusCode, plan.body).toBe(201);
    const customerId = await postCustomer(api, { documentDesign: 'compact', country: 'FR' });
    const estimate = await api.request({
      method: 'POST',
      url: '/v1/estimates',
      payload: { planCode: 'designs-pro', customerId },
    });
    expect(estimate.statusCode, estimate.body).toBe(201);
    const { id } = estimate.json<{ id: string }>();
    const html = await api.request({ method: 'GET', url: `/v1/estimates/${id}/html` });
    expect(html.statusCode, html.body).toBe(200);
    expect(html.body).toContain('<body class="design-compact document-estimate">');
    expect(html.body).toContain('<td class="num tax">20\u00a0%</td>');
    expect(html.body).toContain('<div class="country">France</div>');
  });
});
