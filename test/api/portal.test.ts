// The customer portal through the API (app.inject) on real PostgreSQL: magic links from the
// operator and from the login form (the same answer for any address, limited per address and per
// customer), read back from the outbox; a link opens one session once; forged and expired links
// are refused; the session cookie's attributes, idle and absolute expiry and logout; a customer
// sees only their own documents; the billing-details form checked as the API checks a
// correction, with CSRF. The real browser run is test/api/portal-page.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signHostedDocumentLink,
  signPortalLink,
  verifyHostedDocumentLink,
} from '../../documents/hosted-links.ts';
import {
  openPortalSession,
  PORTAL_IDLE_MINUTES,
  PORTAL_LINK_MINUTES,
  PORTAL_SESSION_HOURS,
  signInWithPortalLink,
} from '../../services/portal-sessions.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { insertInvoiceRow } from '../support/builders/invoices.ts';

const SECRET = 'portal-test-secret-0123456789abcdef';
const MINUTE = 60_000;

let api: ApiHarness;
let customerId: string;
let otherId: string;
let invoiceId: string;
let othersInvoiceId: string;

beforeAll(async () => {
  api = await createApiHarness({
    signingSecret: SECRET,
    rateLimits: { perKeyPerMinute: 6000, authFailuresPerMinute: 4 },
  });
  customerId = await postCustomer(api, { email: 'compta@lutece.test', name: 'Lutèce SAS' });
  otherId = await postCustomer(api, {
    email: 'billing@other.test',
    name: 'Other Ltd',
    locale: 'en-GB',
  });
  invoiceId = await insertInvoiceRow(api.db, { customer_id: customerId });
  othersInvoiceId = await insertInvoiceRow(api.db, { customer_id: otherId });
}, 60_000);

afterAll(async () => {
  await api?.close();
});

interface Outbox {
  data: { id: string; subject: string; to: string[] }[];
}

async function outboxTo(address: string) {
  const response = await api.request({ method: 'GET', url: `/v1/outbox?to=${address}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Outbox>().data;
}

async function emailedLink(address: string): Promise<string> {
  const [latest] = await outboxTo(address);
  const message = await api.request({ method: 'GET', url: `/v1/outbox/${latest!.id}` });
  const { text } = message.json<{ text: string }>();
  return /https?:\/\/\S+\/portal\/links\/\S+/.exec(text)![0];
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** Posts a link as its page's button does; answers the response. */
function useLink(url: string) {
  const parsed = new URL(url);
  return api.app.inject({
    method: 'POST',
    url: parsed.pathname,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: parsed.searchParams.toString(),
  });
}

/** A link for the customer, not emailed: its URL and id. */
async function newLink(id = customerId): Promise<{ url: string; linkId: string }> {
  const response = await api.request({
    method: 'POST',
    url: `/v1/customers/${id}/portal-links`,
    payload: { sendEmail: false },
  });
  expect(response.statusCode, response.body).toBe(201);
  const { url } = response.json<{ url: string }>();
  return { url, linkId: new URL(url).pathname.split('/').pop()! };
}

async function signIn(id = customerId): Promise<{ cookie: string; csrf: string }> {
  const used = await useLink((await newLink(id)).url);
  expect(used.statusCode).toBe(303);
  const cookie = String(used.headers['set-cookie']).split(';')[0]!;
  const page = await api.app.inject({ method: 'GET', url: '/portal', headers: { cookie } });
  expect(page.statusCode, page.body).toBe(200);
  const csrf = /name="csrfToken" value="([^"]+)"/.exec(page.body)![1]!;
  return { cookie, csrf };
}

function postForm(url: string, cookie: string, fields: Record<string, string>) {
  return api.app.inject({
    method: 'POST',
    url,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
}

describe('magic links', () => {
  it('the operator’s link is emailed in the customer’s language and opens one session, once', async () => {
    const response = await api.request({
      method: 'POST',
      url: `/v1/customers/${customerId}/portal-links`,
      payload: {},
    });
    expect(response.statusCode, response.body).toBe(201);
    const link = response.json<{
      url: string;
      expiresAt: string;
      emailed: boolean;
      messageId: string;
    }>();
    expect(link.emailed).toBe(true);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(
      (PORTAL_LINK_MINUTES - 1) * MINUTE,
    );
    expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(
      PORTAL_LINK_MINUTES * MINUTE,
    );
    const [email] = await outboxTo('compta@lutece.test');
    expect(email!.id).toBe(link.messageId);
    expect(email!.subject).toBe('Votre lien de connexion à la facturation Billwright Demo');
    expect(await emailedLink('compta@lutece.test')).toBe(link.url);

    // The link's page uses nothing up (a mail scanner may open it); its button does.
    const page = await api.app.inject({ method: 'GET', url: pathOf(link.url) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('Accéder à mon espace');
    const first = await useLink(link.url);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/portal');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(
      /^bw_portal_session=[A-Za-z0-9_-]{43}; Path=\/portal; Max-Age=\d+; HttpOnly; SameSite=Lax$/,
    );

    const again = await useLink(link.url);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('Ce lien a déjà été utilisé');
    expect(again.headers['set-cookie']).toBeUndefined();
    const reopened = await api.app.inject({ method: 'GET', url: pathOf(link.url) });
    expect(reopened.statusCode).toBe(410);
  });

  it('sendEmail false only returns the link; an unknown customer is a 404', async () => {
    const before = (await outboxTo('billing@other.test')).length;
    const response = await api.request({
      method: 'POST',
      url: `/v1/customers/${otherId}/portal-links`,
      payload: { sendEmail: false },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ emailed: false, messageId: null });
    expect(await outboxTo('billing@other.test')).toHaveLength(before);
    const unknown = await api.request({
      method: 'POST',
      url: '/v1/customers/cus_nosuchcustomer/portal-links',
      payload: {},
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
  });

  it('a forged or tampered link is a 403, an expired one a 410, and neither signs in', async () => {
    const { url, linkId } = await newLink();
    const forged = signPortalLink(
      'http://localhost:3000',
      linkId,
      new Date(Date.now() + MINUTE),
      'another-secret-0123456789abcdef',
    );
    expect((await useLink(forged)).statusCode).toBe(403);
    const stretched = new URL(url);
    stretched.searchParams.set(
      'expires',
      String(Number(stretched.searchParams.get('expires')) + 3600),
    );
    expect((await useLink(stretched.toString())).statusCode).toBe(403);
    // Genuinely signed, but its time is up.
    const expired = signPortalLink(
      'http://localhost:3000',
      linkId,
      new Date(Date.now() - 1000),
      SECRET,
    );
    const refused = await useLink(expired);
    expect(refused.statusCode).toBe(410);
    expect(refused.body).toContain('Ce lien a expiré');
    const page = await api.app.inject({ method: 'GET', url: pathOf(expired) });
    expect(page.statusCode).toBe(410);
    // The link itself, 15 minutes on: expired by its signature, and by its row.
    const later = new Date(Date.now() + (PORTAL_LINK_MINUTES * MINUTE + 1000));
    const query = Object.fromEntries(new URL(url).searchParams);
    expect(await signInWithPortalLink(api.db, SECRET, linkId, query, later)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    // Still unused, so it works now.
    expect((await useLink(url)).statusCode).toBe(303);
  });

  it('the login form answers the same for any address, emails known ones, and is limited', async () => {
    const known = await api.app.inject({
      method: 'POST',
      url: '/portal/login',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'accept-language': 'de-DE,de;q=0.9',
        'x-forwarded-for': '1',
      },
      payload: 'email=BILLING%40other.test',
      remoteAddress: '192.0.2.10',
    });
    const unknown = await api.app.inject({
      method: 'POST',
      url: '/portal/login',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'accept-language': 'de-DE,de;q=0.9',
      },
      payload: 'email=nobody%40nowhere.test',
      remoteAddress: '192.0.2.10',
    });
    expect(known.statusCode).toBe(200);
    expect(unknown.statusCode).toBe(200);
    expect(known.body).toBe(unknown.body);
    expect(known.body).toContain('Wenn diese Adresse zu einem Kundenkonto gehört');
    const [email] = await outboxTo('billing@other.test');
    expect(email!.subject).toBe('Your sign-in link to Billwright Demo billing');

    // Per customer: at most 3 links in 15 minutes from the form, whatever the addresses asking.
    for (const address of ['192.0.2.11', '192.0.2.12', '192.0.2.13']) {
      await api.app.inject({
        method: 'POST',
        url: '/portal/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=billing%40other.test',
        remoteAddress: address,
      });
    }
    const fromForm = (await outboxTo('billing@other.test')).filter((m) =>
      m.subject.startsWith('Your sign-in link'),
    );
    expect(fromForm.length).toBe(3); // the 4th request sent nothing

    // Per address: the 5th request in a minute is refused, saying when to retry.
    const attempts = [];
    for (let i = 0; i < 3; i++) {
      attempts.push(
        await api.app.inject({
          method: 'POST',
          url: '/portal/login',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'email=nobody%40nowhere.test',
          remoteAddress: '192.0.2.10',
        }),
      );
    }
    expect(attempts.map((a) => a.statusCode)).toEqual([200, 200, 429]);
    expect(Number(attempts[2]!.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('sessions', () => {
  it('without a session every page redirects to the sign-in page', async () => {
    for (const url of [
      '/portal',
      '/portal/invoices',
      '/portal/billing-details',
      `/portal/invoices/${invoiceId}`,
    ]) {
      const response = await api.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location).toBe('/portal/login');
    }
    const signInPage = await api.app.inject({ method: 'GET', url: '/portal/login' });
    expect(signInPage.statusCode).toBe(200);
    expect(signInPage.body).toContain('name="email"');
  });

  it('ends after the idle limit and after the absolute one', async () => {
    const { url, linkId } = await newLink();
    const at = new Date();
    const signed = await signInWithPortalLink(
      api.db,
      SECRET,
      linkId,
      Object.fromEntries(new URL(url).searchParams),
      at,
    );
    if (!signed.ok) throw new Error(signed.reason);
    const step = (PORTAL_IDLE_MINUTES - 1) * MINUTE;
    // Kept alive by use: each visit within the idle limit moves it on.
    let now = at.getTime();
    while (now + step < at.getTime() + PORTAL_SESSION_HOURS * 60 * MINUTE) {
      now += step;
      expect(await openPortalSession(api.db, signed.token, new Date(now))).toBeDefined();
    }
    expect(
      await openPortalSession(
        api.db,
        signed.token,
        new Date(at.getTime() + PORTAL_SESSION_HOURS * 60 * MINUTE),
      ),
    ).toBeUndefined();

    const idle = await signIn();
    const token = idle.cookie.split('=')[1]!;
    expect(
      await openPortalSession(
        api.db,
        token,
        new Date(Date.now() + (PORTAL_IDLE_MINUTES + 1) * MINUTE),
      ),
    ).toBeUndefined();
  });

  it('logout ends the session on the server; the old cookie opens nothing', async () => {
    const { cookie, csrf } = await signIn();
    const forged = await postForm('/portal/logout', cookie, { csrfToken: 'x'.repeat(32) });
    expect(forged.statusCode).toBe(403);
    const out = await postForm('/portal/logout', cookie, { csrfToken: csrf });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/portal/login?session=ended');
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    const after = await api.app.inject({ method: 'GET', url: '/portal', headers: { cookie } });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/portal/login?session=ended');
  });
});

describe('pages', () => {
  it('show the customer’s own amount due and invoices, never another customer’s', async () => {
    const { cookie } = await signIn();
    const overview = await api.app.inject({ method: 'GET', url: '/portal', headers: { cookie } });
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('<html lang="fr">');
    expect(overview.body).toContain('Bonjour Lutèce SAS');
    // 49.00 + 9.80 VAT, open: formatted for fr-FR.
    expect(overview.body).toMatch(/data-figure="amount-due">.*58,80\s€/s);
    expect(overview.body).toContain(`data-invoice="${invoiceId}"`);
    expect(overview.body).not.toContain(othersInvoiceId);

    const list = await api.app.inject({
      method: 'GET',
      url: '/portal/invoices',
      headers: { cookie },
    });
    expect(list.body).toContain(`href="/portal/invoices/${invoiceId}/pdf"`);
    expect(list.body).not.toContain(othersInvoiceId);

    const own = await api.app.inject({
      method: 'GET',
      url: `/portal/invoices/${invoiceId}/pdf`,
      headers: { cookie },
    });
    expect(own.statusCode).toBe(303);
    const location = new URL(own.headers.location as string, 'http://localhost');
    expect(location.pathname).toBe(`/hosted/invoices/${invoiceId}/pdf`);
    expect(
      verifyHostedDocumentLink(
        'invoices',
        invoiceId,
        Object.fromEntries(location.searchParams),
        SECRET,
      ).ok,
    ).toBe(true);

    for (const url of [
      `/portal/invoices/${othersInvoiceId}`,
      `/portal/invoices/${othersInvoiceId}/pdf`,
      '/portal/invoices/inv_nosuchinvoice',
      '/portal/credit-notes/cn_nosuch',
      '/portal/receipts/pay_nosuch',
    ]) {
      const theirs = await api.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(theirs.statusCode, url).toBe(404);
      expect(theirs.body).toContain('Ce document n’existe pas dans votre compte.');
    }
    // A signed hosted link is per document: the one we were given opens no other invoice.
    expect(
      verifyHostedDocumentLink(
        'invoices',
        othersInvoiceId,
        Object.fromEntries(location.searchParams),
        SECRET,
      ).ok,
    ).toBe(false);
    expect(signHostedDocumentLink).toBeDefined();
  });

  it('billing details: CSRF checked, refused fields named, valid ones stored as the API stores them', async () => {
    const { cookie, csrf } = await signIn();
    const form = {
      name: 'Lutèce SARL',
      email: 'factures@lutece.test',
      'address.line1': '12 rue de Rivoli',
      'address.line2': '',
      'address.postalCode': '75004',
      'address.city': 'Paris',
      'address.region': '',
      country: 'FR',
      vatNumber: 'FR40303265045',
      locale: 'fr-FR',
    };
    // No token at all: not a portal form (400, before the session is read); another token: the
    // session's form page says the form has expired (403).
    const noToken = await postForm('/portal/billing-details', cookie, form);
    expect(noToken.statusCode).toBe(400);
    const otherToken = await postForm('/portal/billing-details', cookie, {
      ...form,
      csrfToken: 'not-this-sessions-token',
    });
    expect(otherToken.statusCode).toBe(403);

    const malformed = await postForm('/portal/billing-details', cookie, {
      ...form,
      csrfToken: csrf,
      email: 'not-an-email',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toContain('<li data-field="email">Adresse e-mail de facturation:');
    expect(malformed.body).toMatch(/id="email"[^>]*aria-invalid="true"/);
    // The refusal is worded in French, beside the field and in the list; the API's English
    // problem detail is for operators and never reaches the customer's page.
    const frenchEmail = 'Saisissez une adresse e-mail valide, par exemple factures@exemple.fr.';
    expect(malformed.body).toContain(
      `<li data-field="email">Adresse e-mail de facturation: ${frenchEmail}</li>`,
    );
    expect(malformed.body).toContain(
      `<div class="field-error" id="email-error">${frenchEmail}</div>`,
    );
    expect(malformed.body).not.toMatch(/must match format|is required/);

    const unknownCountry = await postForm('/portal/billing-details', cookie, {
      ...form,
      csrfToken: csrf,
      country: 'XX',
    });
    expect(unknownCountry.statusCode).toBe(422);
    expect(unknownCountry.body).toContain(
      '<li data-field="country">Code pays: Saisissez votre pays sous forme de code à deux lettres, par exemple FR ou BE.</li>',
    );

    const stillStored = await api.request({ method: 'GET', url: `/v1/customers/${customerId}` });
    expect(stillStored.json()).toMatchObject({ name: 'Lutèce SAS', email: 'compta@lutece.test' });

    const saved = await postForm('/portal/billing-details', cookie, { ...form, csrfToken: csrf });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Enregistré. Vos prochaines factures porteront ces coordonnées.');
    expect(saved.body).toContain('value="12 rue de Rivoli"');
    const stored = await api.request({ method: 'GET', url: `/v1/customers/${customerId}` });
    expect(stored.json()).toMatchObject({
      name: 'Lutèce SARL',
      email: 'factures@lutece.test',
      address: { line1: '12 rue de Rivoli', line2: null, city: 'Paris', postalCode: '75004' },
      vatNumber: 'FR40303265045',
    });
  });
});
