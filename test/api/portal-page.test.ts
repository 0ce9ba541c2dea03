// The customer portal in a real browser (Debian's Chromium through playwright-core), on the API
// with the real subscription workflow on a test clock: a French customer is billed two months
// (one invoice paid, one open), the operator asks for a portal link, the test reads it from the
// outbox email and opens it. The customer sees what is due and what comes next (the API's own
// figures), opens an invoice's PDF and its payment page, corrects their billing details (refused
// first, naming the field; then stored), and the next invoice carries them. The used link is
// refused, an expired one too, and logout ends the session.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPortalLink } from '../../documents/hosted-links.ts';
import { formatMoney, money } from '../../domain/core/money.ts';
import { getFreePort } from '../../infra/free-port.ts';
import {
  advanceClock,
  createBillingHarness,
  created,
  issuedInvoices,
  newClock,
  newCustomer,
  storedInvoiceHtml,
  subscribe,
  type BillingHarness,
  type Invoice,
  type InvoicePreview,
  type Sub,
} from '../support/billing-harness.ts';
import { openUiBrowser, type UiBrowser } from '../support/temporal-ui.ts';

const SECRET = 'portal-page-secret-0123456789abcdef';
const LOCALE = 'fr-FR';

let h: BillingHarness;
let browser: UiBrowser;
let page: Page;
let baseUrl: string;
let clockId: string;
let customerId: string;
let sub: Sub;
let invoices: Invoice[];
let link: string;

const eur = (amount: number) => formatMoney(money(amount, 'EUR'), LOCALE);

/** scripts/portal-screenshots.ts sets this folder: the pages are photographed into it. */
const SCREENSHOTS = process.env.BILLWRIGHT_PORTAL_SCREENSHOTS;
async function screenshot(name: string): Promise<void> {
  if (SCREENSHOTS)
    await page.screenshot({ path: join(SCREENSHOTS, `portal-${name}.png`), fullPage: true });
}

async function outboxTo(address: string) {
  return h.get<{ data: { id: string; subject: string }[] }>(`/v1/outbox?to=${address}`);
}

beforeAll(async () => {
  const port = await getFreePort();
  baseUrl = `http://127.0.0.1:${port}`;
  [h, browser] = await Promise.all([
    createBillingHarness({ api: { signingSecret: SECRET, publicBaseUrl: baseUrl } }),
    openUiBrowser({ viewport: { width: 1100, height: 900 } }),
  ]);
  page = browser.page;
  await h.api.app.listen({ port, host: '127.0.0.1' });

  clockId = await newClock(h, '2027-01-01T09:00:00Z');
  customerId = await newCustomer(h, clockId);
  const plan = created<{ code: string }>(
    await h.post('/v1/plans', {
      code: 'studio-monthly',
      name: 'Studio',
      currency: 'EUR',
      interval: 'month',
      amount: 4900,
    }),
  );
  sub = await subscribe(h, { customerId, planCode: plan.code });
  await advanceClock(h, clockId, '2027-02-01T12:00:00Z');
  invoices = await issuedInvoices(h, sub.id, 2);
  await Promise.all(invoices.map((invoice) => storedInvoiceHtml(h, invoice.id)));
  // January is paid (a receipt); February is open.
  const paid = await h.post(`/v1/invoices/${invoices[0]!.id}/payments`, {
    amount: invoices[0]!.total.amount,
    method: 'virement',
    reference: 'vir-2027-01',
  });
  expect(paid.statusCode, paid.body).toBe(201);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the customer portal in Chromium', () => {
  it('the operator’s link arrives by email, in French, and signs the customer in', async () => {
    const asked = await h.post(`/v1/customers/${customerId}/portal-links`, {});
    expect(asked.statusCode, asked.body).toBe(201);
    const [email] = (await outboxTo('factures@lutece.example')).data.filter((m) =>
      m.subject.includes('lien de connexion'),
    );
    const message = await h.get<{ text: string; html: string }>(`/v1/outbox/${email!.id}`);
    link = /https?:\/\/\S+\/portal\/links\/\S+/.exec(message.text)![0];
    expect(message.html).toContain('Ouvrir mon espace de facturation');

    await page.goto(link);
    await page.getByRole('button', { name: 'Accéder à mon espace' }).click();
    await page.waitForURL(`${baseUrl}/portal`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Bonjour Lutèce SAS');
  });

  it('the overview shows the amount due and the next invoice, as the API computes them', async () => {
    const open = invoices[1]!;
    await expect(page.locator('[data-figure="amount-due"] .value').textContent()).resolves.toBe(
      eur(open.total.amount),
    );
    await expect(page.locator(`tr[data-invoice="${open.id}"]`).count()).resolves.toBe(1);
    await expect(page.locator(`tr[data-invoice="${invoices[0]!.id}"]`).count()).resolves.toBe(0);
    const upcoming = await h.get<InvoicePreview>(`/v1/subscriptions/${sub.id}/upcoming-invoice`);
    const row = page.locator(`tr[data-subscription="${sub.id}"]`);
    await expect(row.locator('strong').textContent()).resolves.toBe('Studio');
    await expect(row.locator('.status').textContent()).resolves.toBe('Actif');
    await expect(row.locator('[data-upcoming]').textContent()).resolves.toContain(
      eur(upcoming.total.amount),
    );
    await expect(row.locator('[data-upcoming]').textContent()).resolves.toContain('1 mars 2027');
    await screenshot('overview');
  });

  it('the invoices page lists both invoices and the receipt; a PDF and the Pay link open', async () => {
    await page.getByRole('link', { name: 'Factures', exact: true }).click();
    await page.waitForURL(`${baseUrl}/portal/invoices`);
    const [paidInvoice, openInvoice] = invoices as [Invoice, Invoice];
    const paidRow = page.locator(`#invoices tr[data-invoice="${paidInvoice.id}"]`);
    const openRow = page.locator(`#invoices tr[data-invoice="${openInvoice.id}"]`);
    await expect(paidRow.locator('.status').textContent()).resolves.toBe('Payée');
    await expect(openRow.locator('.status').textContent()).resolves.toBe('À payer');
    await expect(paidRow.getByRole('link', { name: 'Payer' }).count()).resolves.toBe(0);
    await expect(page.locator('#receipts tbody tr').count()).resolves.toBe(1);
    await screenshot('invoices');

    // The PDF: the browser's own request (its session cookie), redirected to the signed PDF.
    const pdfHref = await openRow.getByRole('link', { name: 'PDF' }).getAttribute('href');
    const pdf = await page.request.get(`${baseUrl}${pdfHref}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(new URL(pdf.url()).pathname).toBe(`/hosted/invoices/${openInvoice.id}/pdf`);

    // Pay: the signed hosted invoice page, where the invoice is paid.
    await openRow.getByRole('link', { name: 'Payer' }).click();
    await page.waitForURL(/\/hosted\/invoices\//);
    await expect(page.content()).resolves.toContain(openInvoice.number!);
    await page.goBack();
  });

  it('billing details: a refused field is named, valid details are stored and shown', async () => {
    await page.goto(`${baseUrl}/portal/billing-details`);
    await page.getByLabel('Adresse e-mail de facturation').fill('pas-une-adresse');
    await page.getByRole('button', { name: 'Enregistrer les coordonnées' }).click();
    await expect(
      page.locator('[role="alert"] li[data-field="email"]').textContent(),
    ).resolves.toMatch(/^Adresse e-mail de facturation: /);
    await expect(
      page.getByLabel('Adresse e-mail de facturation').getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    await screenshot('billing-details-refused');

    await page.getByLabel('Nom ou raison sociale').fill('Lutèce SARL');
    await page.getByLabel('Adresse e-mail de facturation').fill('compta@lutece.example');
    await page.getByLabel('Numéro et rue').fill('12 rue de Rivoli');
    await page.getByLabel('Code postal').fill('75004');
    await page.getByLabel('Ville').fill('Paris');
    await page.getByLabel('Numéro de TVA').fill('FR40303265045');
    await page.getByRole('button', { name: 'Enregistrer les coordonnées' }).click();
    await expect(page.locator('.alert.ok').textContent()).resolves.toContain('Enregistré');
    await expect(page.getByLabel('Numéro et rue').inputValue()).resolves.toBe('12 rue de Rivoli');
    await screenshot('billing-details');
    const stored = await h.get<{ name: string; email: string; vatNumber: string }>(
      `/v1/customers/${customerId}`,
    );
    expect(stored).toMatchObject({
      name: 'Lutèce SARL',
      email: 'compta@lutece.example',
      vatNumber: 'FR40303265045',
    });
  });

  it('the next invoice carries the new details and goes to the new address', async () => {
    await advanceClock(h, clockId, '2027-03-01T12:00:00Z');
    const third = (await issuedInvoices(h, sub.id, 3))[2]!;
    const { content: html } = await storedInvoiceHtml(h, third.id);
    expect(html).toContain('Lutèce SARL');
    expect(html).toContain('12 rue de Rivoli');
    expect(html).toContain('FR40303265045');
    const toNew = await outboxTo('compta@lutece.example');
    expect(toNew.data.some((m) => m.subject.includes(third.number!))).toBe(true);
  });

  it('the used link is refused, and so is an expired one', async () => {
    await page.goto(link);
    await expect(page.locator('h1').textContent()).resolves.toBe('Ce lien a déjà été utilisé');
    const fresh = created<{ url: string }>(
      await h.post(`/v1/customers/${customerId}/portal-links`, { sendEmail: false }),
    );
    const linkId = new URL(fresh.url).pathname.split('/').pop()!;
    const expired = signPortalLink(baseUrl, linkId, new Date(Date.now() - 60_000), SECRET);
    const response = await page.goto(expired);
    expect(response?.status()).toBe(410);
    await expect(page.locator('h1').textContent()).resolves.toBe('Ce lien a expiré');
  });

  it('logout ends the session', async () => {
    await page.goto(`${baseUrl}/portal`);
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(`${baseUrl}/portal/login?session=ended`);
    await page.goto(`${baseUrl}/portal`);
    await page.waitForURL(`${baseUrl}/portal/login`);
    const cookies = await browser.context.cookies(baseUrl);
    expect(cookies.filter((c) => c.name === 'bw_portal_session')).toEqual([]);
  });
});
