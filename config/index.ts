// Runtime configuration, read once from the environment. Defaults suit `npm start` on a laptop;
// production sets DATABASE_URL, the TEMPORAL_* connection variables and the seller's details.
import { join, resolve } from 'node:path';
import { LATE_EVENT_POLICIES, type LateEventsPolicy } from '../db/repositories/usage.ts';
import { DEBIAN_CHROMIUM } from '../documents/chromium.ts';
import { assertDocumentDesign, DEFAULT_DOCUMENT_DESIGN } from '../documents/designs.ts';
import type { Brand } from '../documents/views.ts';
import { parseSendWindow, type SendWindow } from '../domain/collections/business-hours.ts';
import type { NumberingSettings } from '../domain/invoicing/numbering.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';
import type { ResendSenderOptions } from '../email/resend-sender.ts';
import type { QuickBooksOptions } from '../accounting/quickbooks.ts';
import { workerQueuesFromEnv, type WorkerQueue } from './workers.ts';
import { quickbooksFromEnv } from './accounting.ts';
import { stripeCheckoutFromEnv } from './payments.ts';
import type { StripeCheckoutOptions } from '../payments/stripe-checkout.ts';
import type { TaxRounding, TaxSeller } from '../domain/tax/types.ts';
import { PAYLOAD_KEY_BYTES, type PayloadKey } from '../temporal/payload-codec.ts';
import { metricsFromEnv, type MetricsSettings } from './metrics.ts';
import { eInvoiceSellerFromEnv, numberingFromEnv, taxSellerFromEnv } from './seller.ts';

export type { MetricsSettings };

export interface BillwrightConfig {
  /** PostgreSQL URL; absent means embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  apiHost: string;
  apiPort: number;
  /** Base of links sent to customers (hosted pages). */
  publicBaseUrl: string;
  /**
   * BILLWRIGHT_SIGNING_SECRET: signs hosted invoice links. Unset: no hosted links (npm start
   * creates one under the data dir).
   */
  signingSecret: string | undefined;
  /** BILLWRIGHT_TEMPORAL_TIMEOUT_MS: how long a request waits on Temporal before a 503 (10 000). */
  temporalTimeoutMs: number;
  emailFrom: string;
  /**
   * EMAIL_SEND_WINDOW, e.g. "09:00-18:00" or "09:00-18:00,weekdays": invoice emails wait for
   * these hours in the customer's time zone. Unset: emails go out at once.
   */
  emailSendWindow: SendWindow | undefined;
  templatesDir: string | undefined;
  seller: SellerDetails;
  /** Where the seller is established and registered for tax: decides every invoice's tax. */
  taxSeller: TaxSeller;
  /** How tax is rounded: per line, or per rate over the invoice; half-up by default. */
  taxRounding: TaxRounding;
  brand: Brand;
  /**
   * How invoices and credit notes are numbered at finalization: INVOICE_NUMBER_FORMAT,
   * CREDIT_NOTE_NUMBER_FORMAT, and SELLER_TIMEZONE, the zone whose calendar picks the series.
   */
  invoiceNumbering: NumberingSettings;
  /**
   * BILLWRIGHT_TEST_CLOCKS=on|off: whether customers may be billed on test clocks (virtual
   * time). On by default, off by default when NODE_ENV=production.
   */
  testClocks: boolean;
  /** BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE=on (dev), BILLWRIGHT_OPERATOR_EMAIL: docs/WEBHOOKS.md. */
  webhooks: { allowPrivate: boolean; operatorEmail: string | undefined };
  /**
   * BILLWRIGHT_COLLECTIONS: each subscription invoice gets a collection workflow (reminders until
   * paid). On unless "off", for operators who chase payments with another system.
   */
  collections: boolean;
  /**
   * BILLWRIGHT_EMAIL_PDF=attach|link: invoice emails carry the PDF (printed by the worker's
   * Chromium, when it has one), or only link the hosted PDF, which spares the worker a print
   * per email at billing peaks. Default attach.
   */
  emailPdf: 'attach' | 'link';
  /** BILLWRIGHT_WORKER_QUEUES: the task queues a worker process polls (config/workers.ts). */
  workerQueues: WorkerQueue[];
  /** Abuse limits of the API: requests per key, failed authentications per client address. */
  rateLimits: ApiRateLimits;
  /** Prometheus metrics (docs/OPERATIONS.md "Metrics"). */
  metrics: MetricsSettings;
  /**
   * BILLWRIGHT_CORS_ORIGINS: comma-separated origins (`https://app.example.com`) whose browser
   * pages may call the API; `*` for any. Unset: none (no CORS headers).
   */
  corsOrigins: string[];
  /**
   * BILLWRIGHT_FRAME_ANCESTORS: the CSP frame-ancestors of the pages the API serves (hosted
   * invoices, approvals, /docs): space-separated sources, default 'none' (never framed).
   */
  frameAncestors: string;
  /**
   * BILLWRIGHT_PAYLOAD_KEYS, e.g. "k2:<base64>,k1:<base64>": the keys that encrypt Temporal
   * payloads, the first the current one. Unset: none (npm start creates one under the data dir;
   * the worker and the API refuse to start unless encryption is off).
   */
  payloadKeys: PayloadKey[] | undefined;
  /** BILLWRIGHT_PAYLOAD_ENCRYPTION=on|off: off stores payloads in the clear. Default on. */
  payloadEncryption: boolean;
  /**
   * BILLWRIGHT_CODEC_CORS_ORIGINS: the Temporal UI origins allowed to call the codec endpoint.
   * Default the dev server's UI on TEMPORAL_UI_PORT (8233).
   */
  codecCorsOrigins: string[];
  /** BILLWRIGHT_LATE_EVENTS=reject|carry_forward: usage events in an invoiced period (reject). */
  lateEvents: LateEventsPolicy;
  /** STRIPE_WEBHOOK_SECRET: verifies Stripe's payment webhooks. Unset: no Stripe endpoint. */
  stripeWebhookSecret: string | undefined;
  /** STRIPE_SECRET_KEY (and STRIPE_API_BASE): "Pay online" through Stripe Checkout. Unset: none. */
  stripeCheckout: StripeCheckoutOptions | undefined;
  /** RESEND_API_KEY and RESEND_BASE_URL: email through Resend. Unset: the development outbox. */
  resend: ResendSenderOptions | undefined;
  /** QUICKBOOKS_*: the accounting sync to QuickBooks Online (config/accounting.ts). Unset: none. */
  quickbooks: QuickBooksOptions | undefined;
  /**
   * The Temporal dev server `npm start` runs (TEMPORAL_DEV_PORT, TEMPORAL_UI_PORT); undefined
   * when TEMPORAL_ADDRESS names a cluster to use instead.
   */
  temporalDevServer: { port: number; uiPort: number } | undefined;
  /**
   * BILLWRIGHT_TEMPORAL_UI_URL: the Temporal UI the finance dashboard links customers to. Default
   * the dev server's (TEMPORAL_UI_PORT) when `npm start` runs one, else none.
   */
  temporalUiUrl: string | undefined;
  /**
   * The Chromium that prints PDFs: BILLWRIGHT_CHROMIUM_PATH, else CHROMIUM_PATH, else Debian's
   * /usr/bin/chromium.
   */
  chromiumPath: string;
}

export interface ApiRateLimits {
  /** BILLWRIGHT_RATE_LIMIT: requests per minute per API key (default 6000). */
  perKeyPerMinute: number;
  /** BILLWRIGHT_AUTH_FAILURE_LIMIT: failed authentications per minute per client address (default 10). */
  authFailuresPerMinute: number;
}

/** BILLWRIGHT_LATE_EVENTS=reject|carry_forward (default reject). */
export function lateEventsPolicyFromEnv(env: NodeJS.ProcessEnv): LateEventsPolicy {
  const value = env.BILLWRIGHT_LATE_EVENTS;
  if (value === undefined || value === '') return 'reject';
  if ((LATE_EVENT_POLICIES as readonly string[]).includes(value)) return value as LateEventsPolicy;
  throw new Error(
    `BILLWRIGHT_LATE_EVENTS must be one of ${LATE_EVENT_POLICIES.join(', ')}, got "${value}"`,
  );
}

/** The Chromium an operator chose: `BILLWRIGHT_CHROMIUM_PATH`, else `CHROMIUM_PATH`. */
export function chromiumOverride(env: NodeJS.ProcessEnv): string | undefined {
  return env.BILLWRIGHT_CHROMIUM_PATH || env.CHROMIUM_PATH || undefined;
}

/** Resend when RESEND_API_KEY is set, so development needs no email account. */
export function resendFromEnv(env: NodeJS.ProcessEnv): ResendSenderOptions | undefined {
  const apiKey = env.RESEND_API_KEY?.trim();
  if (!apiKey) return undefined;
  // Always passed: left unset, the SDK would read RESEND_BASE_URL from process.env itself.
  return { apiKey, baseUrl: env.RESEND_BASE_URL?.trim() || undefined };
}

function corsOriginsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const origins = (env.BILLWRIGHT_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of origins) {
    if (origin === '*') continue;
    if (URL.parse(origin)?.origin !== origin)
      throw new Error(
        `BILLWRIGHT_CORS_ORIGINS must list origins such as https://app.example.com (or *), got "${origin}"`,
      );
  }
  return origins;
}

function frameAncestorsFromEnv(env: NodeJS.ProcessEnv): string {
  const value = env.BILLWRIGHT_FRAME_ANCESTORS?.trim() || "'none'";
  if (!/^[^;,\s]+( [^;,\s]+)*$/.test(value))
    throw new Error(
      `BILLWRIGHT_FRAME_ANCESTORS must be CSP sources separated by spaces (e.g. 'self' https://app.example.com), got "${value}"`,
    );
  return value;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** "k2:<base64>,k1:<base64>" → keys, the first current; each 32 bytes, ids unique. */
export function parsePayloadKeys(value: string | undefined): PayloadKey[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const keys = value.split(',').map((entry) => {
    const at = entry.indexOf(':');
    const id = entry.slice(0, at).trim();
    const key = Buffer.from(entry.slice(at + 1).trim(), 'base64');
    if (at < 0 || !KEY_ID.test(id)) {
      throw new Error(
        'BILLWRIGHT_PAYLOAD_KEYS must be id:base64 pairs separated by commas (ids of letters, digits, _ . -)',
      );
    }
    if (key.length !== PAYLOAD_KEY_BYTES) {
      throw new Error(
        `BILLWRIGHT_PAYLOAD_KEYS: key "${id}" must be ${PAYLOAD_KEY_BYTES} bytes in base64 (openssl rand -base64 32)`,
      );
    }
    return { id, key: new Uint8Array(key) };
  });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new Error('BILLWRIGHT_PAYLOAD_KEYS names a key id twice');
  return keys;
}

function payloadEncryptionFromEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.BILLWRIGHT_PAYLOAD_ENCRYPTION;
  if (value === undefined || value === '') return true;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new Error(`BILLWRIGHT_PAYLOAD_ENCRYPTION must be on or off, got "${value}"`);
}

function codecCorsOriginsFromEnv(env: NodeJS.ProcessEnv): string[] {
  if (env.BILLWRIGHT_CODEC_CORS_ORIGINS) {
    return env.BILLWRIGHT_CODEC_CORS_ORIGINS.split(',')
      .map((origin) => origin.trim().replace(/\/+$/, ''))
      .filter(Boolean);
  }
  const uiPort = env.TEMPORAL_UI_PORT || '8233';
  return [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`];
}

/**
 * For `npm run worker` and `npm run api`: Temporal payloads are encrypted unless an operator
 * turned that off on purpose, so a missing key stops the process rather than leak silently.
 */
export function exitUnlessPayloadKeys(config: BillwrightConfig, command: string): void {
  if (config.payloadKeys || !config.payloadEncryption) return;
  console.error(
    `${command} needs BILLWRIGHT_PAYLOAD_KEYS (e.g. k1:$(openssl rand -base64 32)) to encrypt ` +
      'Temporal payloads, or BILLWRIGHT_PAYLOAD_ENCRYPTION=off to store them in the clear.',
  );
  process.exit(2);
}

function temporalUiUrlFromEnv(
  env: NodeJS.ProcessEnv,
  devServer: BillwrightConfig['temporalDevServer'],
): string | undefined {
  const value = env.BILLWRIGHT_TEMPORAL_UI_URL?.trim();
  if (!value) return devServer && `http://127.0.0.1:${devServer.uiPort}`;
  const url = URL.parse(value);
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash)
    throw new Error(
      `BILLWRIGHT_TEMPORAL_UI_URL must be the UI's http(s) address, e.g. https://temporal.example.com, got "${value}"`,
    );
  return value.replace(/\/+$/, '');
}

function emailPdfFromEnv(env: NodeJS.ProcessEnv): 'attach' | 'link' {
  const value = env.BILLWRIGHT_EMAIL_PDF;
  if (value === undefined || value === '') return 'attach';
  if (value === 'attach' || value === 'link') return value;
  throw new Error(`BILLWRIGHT_EMAIL_PDF must be attach or link, got "${value}"`);
}

function testClocksFromEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.BILLWRIGHT_TEST_CLOCKS;
  if (value === undefined || value === '') return env.NODE_ENV !== 'production';
  if (value === 'on' || value === 'off') return value === 'on';
  throw new Error(`BILLWRIGHT_TEST_CLOCKS must be on or off, got "${value}"`);
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}

/** For `npm run worker` and `npm run api`: separate processes need a shared PostgreSQL. */
export function exitUnlessDatabaseUrl(config: BillwrightConfig, command: string): void {
  if (config.databaseUrl) return;
  console.error(
    `${command} needs DATABASE_URL (PostgreSQL): the embedded database serves one process only.\n` +
      'For everything in one process on a laptop, use npm start.',
  );
  process.exit(2);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BillwrightConfig {
  const apiPort = positiveInt('PORT', env.PORT, 3000);
  const dataDir = resolve(env.BILLWRIGHT_DATA_DIR ?? join(process.cwd(), 'data'));
  const taxSeller = taxSellerFromEnv(env);

  const temporalDevServer = env.TEMPORAL_ADDRESS
    ? undefined
    : {
        port: positiveInt('TEMPORAL_DEV_PORT', env.TEMPORAL_DEV_PORT, 7233),
        uiPort: positiveInt('TEMPORAL_UI_PORT', env.TEMPORAL_UI_PORT, 8233),
      };
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    apiHost: env.HOST ?? '127.0.0.1',
    apiPort,
    publicBaseUrl: env.PUBLIC_BASE_URL ?? `http://localhost:${apiPort}`,
    signingSecret: signingSecretFromEnv(env),
    temporalTimeoutMs: positiveInt(
      'BILLWRIGHT_TEMPORAL_TIMEOUT_MS',
      env.BILLWRIGHT_TEMPORAL_TIMEOUT_MS,
      10_000,
    ),
    emailFrom: env.EMAIL_FROM ?? 'Billwright Demo <billing@billwright.test>',
    emailSendWindow: parseSendWindow(env.EMAIL_SEND_WINDOW),
    testClocks: testClocksFromEnv(env),
    webhooks: {
      allowPrivate: env.BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE === 'on',
      operatorEmail: env.BILLWRIGHT_OPERATOR_EMAIL || undefined,
    },
    emailPdf: emailPdfFromEnv(env),
    workerQueues: workerQueuesFromEnv(env),
    rateLimits: {
      perKeyPerMinute: positiveInt('BILLWRIGHT_RATE_LIMIT', env.BILLWRIGHT_RATE_LIMIT, 6000),
      authFailuresPerMinute: positiveInt(
        'BILLWRIGHT_AUTH_FAILURE_LIMIT',
        env.BILLWRIGHT_AUTH_FAILURE_LIMIT,
        10,
      ),
    },
    metrics: metricsFromEnv(env, positiveInt),
    corsOrigins: corsOriginsFromEnv(env),
    frameAncestors: frameAncestorsFromEnv(env),
    payloadKeys: parsePayloadKeys(env.BILLWRIGHT_PAYLOAD_KEYS),
    payloadEncryption: payloadEncryptionFromEnv(env),
    codecCorsOrigins: codecCorsOriginsFromEnv(env),
    lateEvents: lateEventsPolicyFromEnv(env),
    stripeWebhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
    stripeCheckout: stripeCheckoutFromEnv(env),
    resend: resendFromEnv(env),
    quickbooks: quickbooksFromEnv(env),
    chromiumPath: chromiumOverride(env) ?? DEBIAN_CHROMIUM,
    temporalDevServer,
    temporalUiUrl: temporalUiUrlFromEnv(env, temporalDevServer),
    templatesDir: env.BILLWRIGHT_TEMPLATES_DIR || undefined,
    seller: {
      legalName: env.SELLER_LEGAL_NAME ?? 'Billwright Demo Ltd',
      // The country is SELLER_COUNTRY's, written out in each document's language.
      addressLines: (env.SELLER_ADDRESS ?? '1 Example Street|Dublin D02 XY45').split('|'),
      country: taxSeller.country,
      taxId: env.SELLER_TAX_ID ?? 'IE1234567T',
      email: env.SELLER_EMAIL ?? 'billing@billwright.test',
      paymentInstructions:
        env.SELLER_PAYMENT_INSTRUCTIONS ??
        'Bank transfer to IBAN IE29 AIBK 9311 5212 3456 78 (BIC AIBKIE2D), quoting the invoice number.',
      eInvoice: eInvoiceSellerFromEnv(env, {
        addressLines: (env.SELLER_ADDRESS ?? '1 Example Street|Dublin D02 XY45').split('|'),
        email: env.SELLER_EMAIL ?? 'billing@billwright.test',
      }),
    },
    taxSeller,
    taxRounding: {
      level: env.TAX_ROUNDING === 'per_rate' ? 'per_rate' : 'per_line',
      mode: env.TAX_ROUNDING_MODE === 'half_even' ? 'half_even' : 'half_up',
    },
    invoiceNumbering: numberingFromEnv(env),
    collections: env.BILLWRIGHT_COLLECTIONS?.trim().toLowerCase() !== 'off',
    brand: {
      productName: env.BRAND_NAME ?? 'Billwright Demo',
      accentColor: env.BRAND_ACCENT_COLOR ?? '#4f46e5',
      ...(env.BRAND_LOGO_URL ? { logoUrl: env.BRAND_LOGO_URL } : {}),
      documentDesign: documentDesignFromEnv(env),
    },
  };
}

/** BILLWRIGHT_DOCUMENT_DESIGN: the brand's document design, unless a customer chose another. */
function documentDesignFromEnv(env: NodeJS.ProcessEnv): string {
  const design = env.BILLWRIGHT_DOCUMENT_DESIGN?.trim() || DEFAULT_DOCUMENT_DESIGN;
  assertDocumentDesign(design, 'BILLWRIGHT_DOCUMENT_DESIGN');
  return design;
}

/** Short secrets can be guessed offline from a single link: insist on some length. */
function signingSecretFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const secret = env.BILLWRIGHT_SIGNING_SECRET || undefined;
  if (secret !== undefined && secret.length < 32) {
    throw new Error(
      'BILLWRIGHT_SIGNING_SECRET must be at least 32 characters (e.g. openssl rand -base64 32)',
    );
  }
  return secret;
}
