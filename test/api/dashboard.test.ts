// The finance dashboard's sign-in, session cookie, sign-out and assets, through app.inject on real
// PostgreSQL. What the page shows, drawn in a real browser, is test/api/dashboard-page.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../db/repositories/api-keys.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';

const SECRET = 'dashboard-signing-secret-0123456789abcdef';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let api: ApiHarness;
let readKey: string;

beforeAll(async () => {
  api = await createApiHarness({
    signingSecret: SECRET,
    temporalUiUrl: 'https://temporal.example.test',
    rateLimits: { perKeyPerMinute: 6000, authFailuresPerMinute: 5 },
  });
  readKey = (await createApiKey(api.db, 'finance team', ['read'])).key;
});
afterAll(async () => {
  await api?.close();
});

const signIn = (key: string, ip = '10.0.0.1') =>
  api.app.inject({
    method: 'POST',
    url: '/dashboard/sign-in',
    headers: FORM,
    payload: new URLSearchParams({ key }).toString(),
    remoteAddress: ip,
  });

/** The session cookie's `name=value` from a sign-in's Set-Cookie. */
function cookieOf(response: { headers: Record<string, unknown> }): string {
  return String(response.headers['set-cookie']).split(';')[0]!;
}

describe('signing in to the dashboard', () => {
  it('the dashboard sends a browser without a session to the sign-in page', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/dashboard' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/dashboard/sign-in');
    const page = await api.app.inject({ method: 'GET', url: '/dashboard/sign-in' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<form method="post" action="/dashboard/sign-in">');
    expect(page.body).toContain('name="key" type="password"');
  });

  it('a read key is exchanged for a session cookie: HttpOnly, SameSite=Strict, Path=/dashboard, 30 minutes', async () => {
    const response = await signIn(readKey);
    expect(response.statusCode, response.body).toBe(303);
    expect(response.headers.location).toBe('/dashboard');
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/^bw_dashboard_session=key_[a-z2-7]+\.\d+\.\d+\.[\w-]{43}; /);
    expect(cookie.split('; ').slice(1)).toEqual([
      'Path=/dashboard',
      'Max-Age=1800',
      'HttpOnly',
      'SameSite=Strict',
    ]);
    expect(cookie).not.toContain(readKey);
    const page = await api.app.inject({
      method: 'GET',
      url: '/dashboard',
      headers: { cookie: cookieOf(response) },
    });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('Signed in with key <strong>finance team</strong>');
  });

  it('a wrong key is refused with a clear message on the sign-in page, and no cookie', async () => {
    for (const key of ['bw_live_not-a-real-key', 'hunter2']) {
      const response = await signIn(key, '10.0.0.2');
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.body).toContain(
        '<p class="error" role="alert">That API key is unknown or revoked.',
      );
    }
    const revoked = await createApiKey(api.db, 'old', ['read']);
    await revokeApiKey(api.db, revoked.id);
    expect((await signIn(revoked.key, '10.0.0.2')).statusCode).toBe(401);
  });

  it('a missing key is a 400 problem naming it', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/dashboard/sign-in',
      headers: FORM,
      payload: '',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('key');
  });

  it('failed sign-ins are limited per address, as failed authentications are', async () => {
    for (let i = 0; i < 5; i++)
      expect((await signIn('bw_live_guess', '10.0.0.3')).statusCode).toBe(401);
    const blocked = await signIn(readKey, '10.0.0.3');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toContain('Too many failed sign-ins');
    expect((await signIn(readKey, '10.0.0.4')).statusCode).toBe(303);
  });

  it('the cookie is Secure when the API is not plain-HTTP localhost', async () => {
    const https = await createApiHarness({
      signingSecret: SECRET,
      publicBaseUrl: 'https://billing.example.com',
    });
    try {
      const key = (await createApiKey(https.db, 'finance', ['read'])).key;
      const response = await https.app.inject({
        method: 'POST',
        url: '/dashboard/sign-in',
        headers: FORM,
        payload: new URLSearchParams({ key }).toString(),
      });
      expect(String(response.headers['set-cookie'])).toMatch(
        /; HttpOnly; SameSite=Strict; Secure$/,
      );
    } finally {
      await https.close();
    }
  });

  it('without a signing secret the dashboard says what to set', async () => {
    const unsigned = await createApiHarness({});
    try {
      const response = await unsigned.app.inject({
        method: 'POST',
        url: '/dashboard/sign-in',
        headers: FORM,
        payload: new URLSearchParams({ key: unsigned.apiKey.key }).toString(),
      });
      expect(response.statusCode).toBe(503);
      expect(response.json<{ detail: string }>().detail).toContain('BILLWRIGHT_SIGNING_SECRET');
    } finally {
      await unsigned.close();
    }
  });
});

describe('the session', () => {
  it('is accepted by the dashboard only: /v1 still wants an API key', async () => {
    const cookie = cookieOf(await signIn(readKey));
    const response = await api.app.inject({
      method: 'GET',
      url: '/v1/customers',
      headers: { cookie },
    });
    expect(response.statusCode).toBe(401);
  });

  it('a tampered or ended session goes back to sign-in, which says so, and the cookie is cleared', async () => {
    const cookie = cookieOf(await signIn(readKey));
    const tampered = cookie.replace(/\.(\d+)\.(\d+)\./, (_m, issued: string, expires: string) => {
      return `.${issued}.${Number(expires) + 3_600_000}.`;
    });
    const response = await api.app.inject({
      method: 'GET',
      url: '/dashboard',
      headers: { cookie: tampered },
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/dashboard/sign-in?session=ended');
    expect(String(response.headers['set-cookie'])).toContain(
      'bw_dashboard_session=; Path=/dashboard; Max-Age=0',
    );
    const page = await api.app.inject({ method: 'GET', url: '/dashboard/sign-in?session=ended' });
    expect(page.body).toContain('Your session ended: sign in again.');
  });

  it('ends when its key is revoked', async () => {
    const key = await createApiKey(api.db, 'leaving', ['read']);
    const cookie = cookieOf(await signIn(key.key));
    const before = await api.app.inject({ method: 'GET', url: '/dashboard', headers: { cookie } });
    expect(before.statusCode).toBe(200);
    await revokeApiKey(api.db, key.id);
    const after = await api.app.inject({ method: 'GET', url: '/dashboard', headers: { cookie } });
    expect(after.statusCode).toBe(303);
  });

  it('signing out deletes the cookie and returns to the sign-in page', async () => {
    const response = await api.app.inject({ method: 'POST', url: '/dashboard/sign-out' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/dashboard/sign-in');
    expect(String(response.headers['set-cookie'])).toBe(
      'bw_dashboard_session=; Path=/dashboard; Max-Age=0; HttpOnly; SameSite=Strict',
    );
  });
});

describe('the page and its assets', () => {
  it('has no inline script: its script and Chart.js come from the API, its data in a JSON element', async () => {
    const cookie = cookieOf(await signIn(readKey));
    const page = await api.app.inject({ method: 'GET', url: '/dashboard', headers: { cookie } });
    const csp = String(page.headers['content-security-policy']);
    expect(csp.split(/;\s*/)).toContain("script-src 'self'");
    const scripts = [...page.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!.trim());
    expect(scripts).toEqual([
      'src="/dashboard/assets/chart.umd.min.js" defer',
      'src="/dashboard/assets/dashboard.js" defer',
      'type="application/json" id="dashboard-data"',
    ]);
    for (const name of ['chart.umd.min.js', 'dashboard.js']) {
      const asset = await api.app.inject({ method: 'GET', url: `/dashboard/assets/${name}` });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    }
    const chart = await api.app.inject({
      method: 'GET',
      url: '/dashboard/assets/chart.umd.min.js',
    });
    expect(chart.body).toContain('Chart.js v4');
    expect(chart.body).not.toContain('sourceMappingURL');
    const css = await api.app.inject({ method: 'GET', url: '/dashboard/assets/dashboard.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const name of ['../app.ts', 'dashboard.ts', '%2e%2e%2fapp.ts'])
      expect(
        (await api.app.inject({ method: 'GET', url: `/dashboard/assets/${name}` })).statusCode,
      ).toBe(404);
  });

  it('shows the currency most customers are billed in unless asked for another', async () => {
    for (const currency of ['USD', 'USD', 'EUR']) await postCustomer(api, { currency });
    const cookie = cookieOf(await signIn(readKey));
    const shown = async (url: string) => {
      const page = await api.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(page.statusCode, page.body).toBe(200);
      const data = /<script type="application\/json" id="dashboard-data">(.*)<\/script>/.exec(
        page.body,
      )!;
      return JSON.parse(data[1]!) as {
        currency: string;
        currencies: string[];
        from: string;
        to: string;
      };
    };
    expect(await shown('/dashboard')).toMatchObject({
      currency: 'USD',
      currencies: ['USD', 'EUR'],
    });
    expect(await shown('/dashboard?currency=EUR')).toMatchObject({ currency: 'EUR' });
    expect(await shown('/dashboard?currency=JPY')).toMatchObject({
      currency: 'JPY',
      currencies: ['USD', 'EUR', 'JPY'],
    });
    expect(await shown('/dashboard?asOf=2027-03-10T09:00:00Z')).toMatchObject({
      from: '2026-04',
      to: '2027-03',
    });
    expect(await shown('/dashboard?to=2027-01')).toMatchObject({ from: '2026-02', to: '2027-01' });
    // The page's form sends the fields it left empty: the defaults.
    const now = new Date().toISOString().slice(0, 7);
    expect(await shown('/dashboard?currency=EUR&from=&to=&asOf=')).toMatchObject({
      currency: 'EUR',
      to: now,
    });
  });

  it('a currency the insights cannot answer is a 422 problem naming it', async () => {
    const cookie = cookieOf(await signIn(readKey));
    const response = await api.app.inject({
      method: 'GET',
      url: '/dashboard?currency=XXZ',
      headers: { cookie },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors: [{ field: 'currency' }] });
  });
});
