// The configuration switches an operator sets by environment.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';

describe('BILLWRIGHT_TEST_CLOCKS', () => {
  it('is on by default and off by default in production', () => {
    expect(loadConfig({}).testClocks).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).testClocks).toBe(false);
  });

  it('is set explicitly either way', () => {
    expect(loadConfig({ NODE_ENV: 'production', BILLWRIGHT_TEST_CLOCKS: 'on' }).testClocks).toBe(
      true,
    );
    expect(loadConfig({ BILLWRIGHT_TEST_CLOCKS: 'off' }).testClocks).toBe(false);
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => loadConfig({ BILLWRIGHT_TEST_CLOCKS: 'yes' })).toThrow(/BILLWRIGHT_TEST_CLOCKS/);
  });
});

describe('BILLWRIGHT_EMAIL_PDF', () => {
  it('attaches by default, links when asked, and refuses anything else', () => {
    expect(loadConfig({}).emailPdf).toBe('attach');
    expect(loadConfig({ BILLWRIGHT_EMAIL_PDF: 'link' }).emailPdf).toBe('link');
    expect(() => loadConfig({ BILLWRIGHT_EMAIL_PDF: 'none' })).toThrow(/BILLWRIGHT_EMAIL_PDF/);
  });
});

describe('BILLWRIGHT_WORKER_QUEUES', () => {
  it('polls billing and render by default, one of them when asked, and refuses anything else', () => {
    expect(loadConfig({}).workerQueues).toEqual(['billing', 'render']);
    expect(loadConfig({ BILLWRIGHT_WORKER_QUEUES: 'render' }).workerQueues).toEqual(['render']);
    expect(loadConfig({ BILLWRIGHT_WORKER_QUEUES: 'render, billing' }).workerQueues).toEqual([
      'billing',
      'render',
    ]);
    expect(loadConfig({ BILLWRIGHT_WORKER_QUEUES: 'billing' }).workerQueues).toEqual(['billing']);
    for (const bad of ['pdf', 'billing,', ','])
      expect(() => loadConfig({ BILLWRIGHT_WORKER_QUEUES: bad }), bad).toThrow(
        /BILLWRIGHT_WORKER_QUEUES/,
      );
  });
});

describe('abuse limits and browsers', () => {
  it('defaults: 6000 requests a minute per key, 10 failed authentications, no CORS, never framed', () => {
    const config = loadConfig({});
    expect(config.rateLimits).toEqual({ perKeyPerMinute: 6000, authFailuresPerMinute: 10 });
    expect(config.corsOrigins).toEqual([]);
    expect(config.frameAncestors).toBe("'none'");
  });

  it('reads the settings, and refuses what is not a number, an origin or a CSP source list', () => {
    const config = loadConfig({
      BILLWRIGHT_RATE_LIMIT: '120',
      BILLWRIGHT_AUTH_FAILURE_LIMIT: '5',
      BILLWRIGHT_CORS_ORIGINS: 'https://app.example.com, https://admin.example.com:8443',
      BILLWRIGHT_FRAME_ANCESTORS: "'self' https://portal.example.com",
    });
    expect(config.rateLimits).toEqual({ perKeyPerMinute: 120, authFailuresPerMinute: 5 });
    expect(config.corsOrigins).toEqual([
      'https://app.example.com',
      'https://admin.example.com:8443',
    ]);
    expect(config.frameAncestors).toBe("'self' https://portal.example.com");
    expect(() => loadConfig({ BILLWRIGHT_RATE_LIMIT: 'lots' })).toThrow(/BILLWRIGHT_RATE_LIMIT/);
    expect(() => loadConfig({ BILLWRIGHT_CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(
      /BILLWRIGHT_CORS_ORIGINS/,
    );
    expect(() => loadConfig({ BILLWRIGHT_FRAME_ANCESTORS: "'self'; script-src *" })).toThrow(
      /BILLWRIGHT_FRAME_ANCESTORS/,
    );
  });
});

describe('the Temporal UI the finance dashboard links to', () => {
  it("is the dev server's UI under npm start, none with an external cluster, else the setting", () => {
    expect(loadConfig({}).temporalUiUrl).toBe('http://127.0.0.1:8233');
    expect(loadConfig({ TEMPORAL_UI_PORT: '9233' }).temporalUiUrl).toBe('http://127.0.0.1:9233');
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }).temporalUiUrl).toBeUndefined();
    expect(
      loadConfig({
        TEMPORAL_ADDRESS: 'temporal:7233',
        BILLWRIGHT_TEMPORAL_UI_URL: 'https://temporal.example.com/',
      }).temporalUiUrl,
    ).toBe('https://temporal.example.com');
    for (const bad of [
      'temporal.example.com',
      'ftp://temporal.example.com',
      'https://t.example/?q=1',
    ])
      expect(() => loadConfig({ BILLWRIGHT_TEMPORAL_UI_URL: bad }), bad).toThrow(
        /BILLWRIGHT_TEMPORAL_UI_URL/,
      );
  });
});

describe('online payment (Stripe Checkout)', () => {
  it('is off without STRIPE_SECRET_KEY, and reads the key and another API base', () => {
    expect(loadConfig({}).stripeCheckout).toBeUndefined();
    expect(loadConfig({ STRIPE_SECRET_KEY: ' sk_test_abc ' }).stripeCheckout).toEqual({
      secretKey: 'sk_test_abc',
      apiBase: undefined,
    });
    expect(
      loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_API_BASE: 'http://127.0.0.1:12111' })
        .stripeCheckout,
    ).toEqual({ secretKey: 'sk_test_abc', apiBase: 'http://127.0.0.1:12111' });
  });

  it('refuses an API base that is not an http(s) URL, naming the variable', () => {
    for (const bad of ['127.0.0.1:12111', 'ftp://stripe.example'])
      expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_API_BASE: bad })).toThrow(
        /STRIPE_API_BASE/,
      );
  });
});
