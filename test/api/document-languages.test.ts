// An invoice speaks its customer's language end to end: a reverse-charged invoice for a German
// and for a French business customer, finalized through the API, rendered and emailed by the
// real activities, carries the legal mention each country's law expects, in the API's taxNotes,
// in the stored document and on the hosted page; the email is in the same language. A later
// change of the customer's language never rewrites the issued document.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { realActivities, type Activities } from '../support/activities.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

let api: ApiHarness;
let activities: Activities;

beforeAll(async () => {
  api = await createApiHarness({
    temporal: recordingTemporal().client,
    signingSecret: 'test-signing-secret-0123456789-abcdef',
    publicBaseUrl: 'https://billing.example.com',
  });
  activities = realActivities(api.db);
});

afterAll(async () => {
  await api?.close();
});

/** A business customer abroad (the seller is in IE): reverse charged. */
const business = (locale: string, country: string, vatNumber: string) =>
  postCustomer(api, {
    name: `Kunde ${country}`,
    email: `billing-${country.toLowerCase()}@example.com`,
    country,
    customerType: 'business',
    vatNumber,
    locale,
  });

/** Finalized through the API, then rendered and emailed as the delivery workflow does. */
async function issued(customerId: string) {
  const { id } = await createDraftInvoice(api.db, {
    customerId,
    currency: 'EUR',
    lines: [{ description: 'Pro', quantity: '1', unitAmount: '4900', amount: 4900 }],
  });
  const finalized = await api.request({ method: 'POST', url: `/v1/invoices/${id}/finalize` });
  expect(finalized.statusCode).toBe(200);
  await activities.renderInvoice({ invoiceId: id });
  await new MockActivityEnvironment().run(() => activities.emailInvoice({ invoiceId: id }));
  const html = await api.request({ method: 'GET', url: `/v1/invoices/${id}/html` });
  expect(html.statusCode).toBe(200);
  const link = await api.request({ method: 'POST', url: `/v1/invoices/${id}/hosted-link` });
  const url = new URL(link.json<{ url: string }>().url);
  const hosted = await api.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
  expect(hosted.statusCode).toBe(200);
  return {
    id,
    invoice: finalized.json<{ number: string; taxNotes: { mention: string; text: string }[] }>(),
    html: html.body,
    hosted: hosted.body,
  };
}

async function emailsTo(address: string) {
  const list = await api.request({ method: 'GET', url: '/v1/outbox?limit=100' });
  const all = list.json<{ data: { id: string; to: string[]; subject: string }[] }>().data;
  return all.filter((m) => m.to.includes(address));
}

const CASES = [
  {
    locale: 'de-DE',
    country: 'DE',
    vat: 'DE123456789',
    mention:
      'Steuerschuldnerschaft des Leistungsempfängers (Reverse-Charge, Art. 196 Richtlinie 2006/112/EG)',
    title: '<h1>Rechnung</h1>',
    treatment: '<td class="num tax">Reverse-Charge</td>',
    banner: 'Fälliger Betrag',
    subject: /^Ihre .+-Rechnung INV-\d{4}-\d{6}: 49,00 € fällig am /,
  },
  {
    locale: 'fr-FR',
    country: 'FR',
    vat: 'FR40303265045',
    mention: 'Autoliquidation : TVA due par le preneur (article 196 de la directive 2006/112/CE)',
    title: '<h1>Facture</h1>',
    treatment: '<td class="num tax">Autoliquidation</td>',
    banner: 'Montant dû',
    subject: /^Votre facture .+ INV-\d{4}-\d{6} : 49,00 € à régler avant le /,
  },
] as const;

describe('reverse charge in the customer’s language', () => {
  test.each(CASES)('a $country business reads its own legal mention', async (c) => {
    const customerId = await business(c.locale, c.country, c.vat);
    const { invoice, html, hosted } = await issued(customerId);
    expect(invoice.taxNotes).toEqual([
      { code: 'reverse_charge', mention: 'eu_reverse_charge', text: c.mention },
    ]);
    for (const page of [html, hosted]) {
      expect(page).toContain(`<html lang="${c.locale.slice(0, 2)}">`);
      expect(page).toContain(c.title);
      expect(page).toContain(c.mention);
      expect(page).toContain(c.treatment);
      expect(page).not.toMatch(/Reverse charge: VAT|Amount due|Bill to|Questions\?/);
    }
    expect(hosted).toContain(c.banner); // the banner around the document, in its language
    const [email] = await emailsTo(`billing-${c.country.toLowerCase()}@example.com`);
    expect(email?.subject.replace(/\u00a0/g, ' ')).toMatch(c.subject);
  });

  test('the issued document keeps the language it was issued in', async () => {
    const customerId = await business('de-DE', 'AT', 'ATU12345678');
    const { id, html } = await issued(customerId);
    const changed = await api.request({
      method: 'PATCH',
      url: `/v1/customers/${customerId}`,
      payload: { locale: 'nl-NL' },
    });
    expect(changed.statusCode).toBe(200);
    const again = await api.request({ method: 'GET', url: `/v1/invoices/${id}/html` });
    expect(again.body).toBe(html); // stored as issued, in German
    expect(again.body).toContain('Steuerschuldnerschaft des Leistungsempfängers');
    const shown = await api.request({ method: 'GET', url: `/v1/invoices/${id}` });
    expect(shown.json<{ taxNotes: { text: string }[] }>().taxNotes[0]?.text).toMatch(
      /^Steuerschuldnerschaft/,
    );
  });
});

describe('payment methods the system records, in the customer’s language', () => {
  test('a German customer’s account credit reads German on the receipt and its email', async () => {
    const customerId = await business('de-DE', 'DE', 'DE811907980');
    // An overpayment of the first invoice becomes the customer's credit…
    const first = await issued(customerId);
    const total = 4900; // reverse charged: no tax
    const overpaid = await api.request({
      method: 'POST',
      url: `/v1/invoices/${first.id}/payments`,
      payload: { amount: total + 2500, method: 'Überweisung', reference: 'ueberweisung-1' },
    });
    expect(overpaid.statusCode, overpaid.body).toBeLessThan(300);
    // …which the next invoice's collection takes off it, as a payment by account credit.
    const next = await issued(customerId);
    await new MockActivityEnvironment().run(() =>
      activities.openCollection({
        invoiceId: next.id,
        workflowId: `collection-${next.id}`,
        at: new Date().toISOString(),
      }),
    );
    const payments = await api.request({ method: 'GET', url: `/v1/invoices/${next.id}/payments` });
    const credit = payments
      .json<{ data: { id: string; method: string; amount: { amount: number } }[] }>()
      .data.find((p) => p.amount.amount === 2500)!;
    expect(credit.method).toBe('account credit'); // the API speaks to operators
    const receipt = await api.request({
      method: 'GET',
      url: `/v1/payments/${credit.id}/receipt/html`,
    });
    expect(receipt.statusCode).toBe(200);
    expect(receipt.body).toContain('<td>Guthaben auf dem Kundenkonto</td>');
    expect(receipt.body).not.toContain('account credit');

    await new MockActivityEnvironment().run(() =>
      activities.emailReceipt({
        invoiceId: next.id,
        payment: {
          id: credit.id,
          amount: 2500,
          paidAt: new Date().toISOString(),
          method: credit.method,
        },
      }),
    );
    const list = await api.request({ method: 'GET', url: '/v1/outbox?limit=100' });
    const receiptEmails = list
      .json<{ data: { id: string; kind?: string; subject: string }[] }>()
      .data.filter((m) => m.subject.includes(next.invoice.number));
    const bodies = await Promise.all(
      receiptEmails.map(async (m) => {
        const shown = await api.request({ method: 'GET', url: `/v1/outbox/${m.id}` });
        return shown.body;
      }),
    );
    const receiptBody = bodies.find((b) => b.includes('Guthaben auf dem Kundenkonto'));
    expect(receiptBody).toBeDefined();
    expect(bodies.join('\n')).not.toContain('account credit');
  });
});
