// The invoice lifecycle over HTTP: drafts edited then finalized (idempotently), tax breakdown
// and legal notes, void with its credit note, write-offs, credit notes, and clear 409s.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type NewInvoiceLine } from '../../db/repositories/invoice-drafts.ts';
import { recordPaymentTotals } from '../../db/repositories/invoice-lifecycle.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

let api: ApiHarness;
let consumerId: string;
let businessId: string;

const pro: NewInvoiceLine = { description: 'Pro', quantity: '1', unitAmount: '4900', amount: 4900 };

interface InvoiceBody {
  id: string;
  number: string | null;
  status: string;
  total: { amount: number };
  tax: { amount: number };
  amountDue: { amount: number };
  dueAt: string | null;
  taxBreakdown: { treatment: string; jurisdiction: string; rate: string }[];
  taxNotes: { code: string; text: string }[];
  lines: { position: number; total: { amount: number } }[];
}

beforeAll(async () => {
  api = await createApiHarness({ temporal: recordingTemporal().client });
  const customer = (payload: object) =>
    postCustomer(api, { name: 'Client', email: 'client@example.com', ...payload });
  consumerId = await customer({ country: 'FR', paymentTermsDays: 15 });
  businessId = await customer({
    name: 'Beispiel GmbH',
    country: 'DE',
    customerType: 'business',
    vatNumber: 'DE123456789',
  });
});

afterAll(async () => {
  await api?.close();
});

const draft = (customerId = consumerId, lines = [pro]) =>
  createDraftInvoice(api.db, { customerId, currency: 'EUR', lines });

const post = (url: string, payload?: object) =>
  api.request({ method: 'POST', url, ...(payload ? { payload } : {}) });

async function finalized(customerId = consumerId): Promise<InvoiceBody> {
  const { id } = await draft(customerId);
  return (await post(`/v1/invoices/${id}/finalize`)).json<InvoiceBody>();
}

describe('drafts and finalization', () => {
  test('a draft has no number and is editable; finalizing taxes and numbers it, once', async () => {
    const { id } = await draft();
    const shown = await api.request({ method: 'GET', url: `/v1/invoices/${id}` });
    expect(shown.json()).toMatchObject({ status: 'draft', number: null, dueAt: null });

    const edited = await api.request({
      method: 'PATCH',
      url: `/v1/invoices/${id}`,
      payload: {
        lines: [{ description: 'Pro', quantity: 2, unitAmount: 4900, discountAmount: 800 }],
      },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      subtotal: { amount: 9800 },
      discountTotal: { amount: 800 },
      total: { amount: 9000 },
    });

    const first = await post(`/v1/invoices/${id}/finalize`);
    expect(first.statusCode).toBe(200);
    const invoice = first.json<InvoiceBody & { issuedAt: string }>();
    expect(invoice).toMatchObject({
      status: 'open',
      number: expect.stringMatching(/^INV-\d{4}-\d{6}$/) as string,
      tax: { amount: 1800 },
      total: { amount: 10800 },
      amountDue: { amount: 10800 },
      taxBreakdown: [{ treatment: 'taxable', jurisdiction: 'FR', taxName: 'VAT', rate: '20' }],
      taxNotes: [],
      lines: [{ taxAmount: { amount: 1800 }, taxRate: '20', total: { amount: 10800 } }],
    });
    // Net 15: due fifteen days after the invoice date.
    expect(Date.parse(invoice.dueAt!) - Date.parse(invoice.issuedAt)).toBe(15 * 86_400_000);

    const again = await post(`/v1/invoices/${id}/finalize`);
    expect(again.statusCode).toBe(200);
    expect(again.json<InvoiceBody>().number).toBe(invoice.number);

    const edit = await api.request({
      method: 'PATCH',
      url: `/v1/invoices/${id}`,
      payload: { taxBehavior: 'inclusive' },
    });
    expect(edit.statusCode).toBe(409);
    expect(edit.json()).toMatchObject({
      type: '/problems/conflict',
      detail: expect.stringMatching(/finalized invoice is immutable/) as string,
    });
  });

  test('a reverse-charged business invoice carries its legal note', async () => {
    const invoice = await finalized(businessId);
    expect(invoice).toMatchObject({
      tax: { amount: 0 },
      total: { amount: 4900 },
      taxBreakdown: [{ treatment: 'reverse_charge', jurisdiction: 'DE' }],
      // Worded in the invoice's language (the builder's customers speak fr-FR).
      taxNotes: [
        {
          code: 'reverse_charge',
          mention: 'eu_reverse_charge',
          text: expect.stringMatching(/^Autoliquidation : TVA due par le preneur/) as string,
        },
      ],
    });
  });

  test('unknown invoices are 404 problems', async () => {
    for (const url of ['/v1/invoices/inv_nope/finalize', '/v1/invoices/inv_nope/void']) {
      expect((await post(url)).statusCode).toBe(404);
    }
    expect((await api.request({ method: 'GET', url: '/v1/credit-notes/cn_nope' })).statusCode).toBe(
      404,
    );
  });
});

describe('void, write-off and credit notes', () => {
  test('voiding an open invoice issues a full credit note; voiding again returns it', async () => {
    const invoice = await finalized();
    const response = await post(`/v1/invoices/${invoice.id}/void`);
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      invoice: InvoiceBody;
      creditNote: { id: string; number: string; total: { amount: number }; reason: string };
    }>();
    expect(body.invoice).toMatchObject({ status: 'void', amountDue: { amount: 0 } });
    expect(body.creditNote).toMatchObject({
      number: expect.stringMatching(/^CN-\d{4}-\d{6}$/) as string,
      reason: 'void',
      total: { amount: 5880 },
      tax: { amount: 980 },
      lines: [{ invoiceLinePosition: 0, amount: { amount: 5880 } }],
    });
    const again = await post(`/v1/invoices/${invoice.id}/void`);
    expect(again.json<typeof body>().creditNote.id).toBe(body.creditNote.id);

    const fetched = await api.request({
      method: 'GET',
      url: `/v1/credit-notes/${body.creditNote.id}`,
    });
    expect(fetched.json()).toMatchObject({ id: body.creditNote.id, invoiceId: invoice.id });
    const uncollectible = await post(`/v1/invoices/${invoice.id}/mark-uncollectible`);
    expect(uncollectible.statusCode).toBe(409);
  });

  test('a paid invoice cannot be voided (409); a draft cannot be voided either', async () => {
    const invoice = await finalized();
    await recordPaymentTotals(api.db, invoice.id, { amountPaid: 5880 });
    const paid = await post(`/v1/invoices/${invoice.id}/void`);
    expect(paid.statusCode).toBe(409);
    expect(paid.json<{ detail: string }>().detail).toMatch(/cannot void an invoice that is paid/);
    const { id } = await draft();
    expect((await post(`/v1/invoices/${id}/void`)).statusCode).toBe(409);
  });

  test('marks an open invoice uncollectible', async () => {
    const invoice = await finalized();
    const response = await post(`/v1/invoices/${invoice.id}/mark-uncollectible`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'uncollectible',
      markedUncollectibleAt: expect.any(String) as string,
    });
  });

  test('credit notes by amount or lines, listed on the invoice, never above what is left', async () => {
    const invoice = await finalized();
    const url = `/v1/invoices/${invoice.id}/credit-notes`;
    const byLines = await post(url, {
      reason: 'correction',
      lines: [{ position: 0, amount: 1200 }],
    });
    expect(byLines.statusCode).toBe(201);
    expect(byLines.json()).toMatchObject({
      reason: 'correction',
      subtotal: { amount: 1000 },
      tax: { amount: 200 },
      total: { amount: 1200 },
    });
    const tooMuch = await post(url, { reason: 'refund', amount: 4681 });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('amount');
    const both = await post(url, {
      reason: 'refund',
      amount: 1,
      lines: [{ position: 0, amount: 1 }],
    });
    expect(both.statusCode).toBe(422);
    const refund = await post(url, { reason: 'refund', amount: 680, memo: 'Goodwill' });
    expect(refund.statusCode).toBe(201);

    const list = await api.request({ method: 'GET', url });
    expect(
      list.json<{ data: { total: { amount: number } }[] }>().data.map((n) => n.total.amount),
    ).toEqual([1200, 680]);
    const shown = await api.request({ method: 'GET', url: `/v1/invoices/${invoice.id}` });
    expect(shown.json()).toMatchObject({
      status: 'open',
      amountCredited: { amount: 1880 },
      amountDue: { amount: 4000 },
    });

    const { id } = await draft();
    const onDraft = await post(`/v1/invoices/${id}/credit-notes`, { reason: 'other', amount: 1 });
    expect(onDraft.statusCode).toBe(409);
  });
});
