// The HTTP API as a Fastify application: infrastructure plugins (validation, problems, database,
// Temporal, OpenAPI), the application's settings (settings.ts), then the public routes, then /v1
// behind API keys and idempotency. buildApp builds without listening: the server listens, tests
// call app.inject. Settings a caller leaves out come from config/ (loadConfig), read once.
import type { Client } from '@temporalio/client';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyServerOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { loadConfig, type ApiRateLimits } from '../config/index.ts';
import type { Db } from '../db/connect.ts';
import type { LateEventsPolicy } from '../db/repositories/usage.ts';
import auth from './plugins/auth.ts';
import securityHeaders from './plugins/security-headers.ts';
import database from './plugins/database.ts';
import hostedLinks from './plugins/hosted-links.ts';
import invoicePdfs, { type ApiPdf } from './plugins/invoice-pdfs.ts';
import idempotency from './plugins/idempotency.ts';
import openapi from './plugins/openapi.ts';
import problems, { frameworkErrors } from './plugins/problems.ts';
import temporal from './plugins/temporal.ts';
import validation, { validatorCompiler } from './plugins/validation.ts';
import accounting from './routes/accounting.ts';
import apiKeys from './routes/api-keys.ts';
import auditEvents from './routes/audit-events.ts';
import billingRuns from './routes/billing-runs.ts';
import codec from './routes/codec.ts';
import collections from './routes/collections.ts';
import coupons from './routes/coupons.ts';
import creditNotes from './routes/credit-notes.ts';
import customers from './routes/customers.ts';
import documentDesigns from './routes/document-designs.ts';

import dashboard from './routes/dashboard.ts';
import estimates from './routes/estimates.ts';
import health from './routes/health.ts';
import hosted from './routes/hosted.ts';
import invoiceDocuments from './routes/invoice-documents.ts';
import eInvoices from './routes/e-invoices.ts';
import insights from './routes/insights.ts';
import invoices from './routes/invoices.ts';
import ledger from './routes/ledger.ts';
import manualInvoices from './routes/manual-invoices.ts';
import metrics from './routes/metrics.ts';
import onlinePayments from './routes/online-payments.ts';
import outbox from './routes/outbox.ts';
import paymentWebhooks from './routes/payment-webhooks.ts';
import plans from './routes/plans.ts';
import prometheus from './routes/prometheus.ts';
import planMigrations from './routes/plan-migrations.ts';
import projects from './routes/projects.ts';
import projectApprovals from './routes/project-approvals.ts';
import hostedQuotes from './routes/hosted-quotes.ts';
import quotes from './routes/quotes.ts';
import projectTimeEntries from './routes/project-time-entries.ts';
import receipts from './routes/receipts.ts';
import registers from './routes/registers.ts';
import revenueRecognition from './routes/revenue-recognition.ts';
import subscriptions from './routes/subscriptions.ts';
import thresholds from './routes/thresholds.ts';
import testClocks from './routes/test-clocks.ts';
import usage from './routes/usage.ts';
import webhookEndpoints from './routes/webhook-endpoints.ts';
import wallets from './routes/wallets.ts';
import walletTopUps from './routes/wallet-top-ups.ts';
import spendAlerts from './routes/spend-alerts.ts';
import balance from './routes/balance.ts';
import portalLinks from './routes/portal-links.ts';
import portal from './routes/portal.ts';
import portalDocuments from './routes/portal-documents.ts';
import portalSignIn from './routes/portal-sign-in.ts';
import { createEmailSender } from '../email/sender.ts';
import type { EmailSender } from '../email/port.ts';
import {
  documentsOf,
  invoicingOf,
  taxOf,
  type ApiDocuments,
  type ApiInvoicing,
  type ApiTax,
} from './settings.ts';
import { createPdfRenderer } from '../documents/pdf.ts';
import type { AccountingSystem } from '../accounting/port.ts';
import { createAccountingSystem } from '../accounting/system.ts';
import type { PaymentCheckout } from '../payments/provider.ts';
import { createStripeProvider } from '../payments/stripe.ts';
import { createStripeCheckout } from '../payments/stripe-checkout.ts';
import type { PayloadKeyring } from '../temporal/payload-codec.ts';

export interface ApiConfig {
  /** Where clients reach the API, e.g. http://localhost:3000 (the OpenAPI server URL). */
  publicBaseUrl: string;
  /** How long a request waits on Temporal before answering 503 (default 10 s). */
  temporalTimeoutMs?: number;
  /** Events in an invoiced usage period: reject or carry_forward (default: the config's). */
  lateEvents?: LateEventsPolicy | undefined;
  /** Signs hosted invoice links (default: the config's); unset: those routes answer 503. */
  signingSecret?: string | undefined;
  /** Whether /v1/test-clocks exists and customers may be put on a clock (default: the config's). */
  testClocks?: boolean | undefined;
  /** Verifies Stripe's payment webhooks (default: the config's); unset: no Stripe endpoint. */
  stripeWebhookSecret?: string | undefined;
  /** Requests per key and failed authentications per address (default: the config's). */
  rateLimits?: ApiRateLimits | undefined;
  /** Origins allowed to call the API from browsers (default BILLWRIGHT_CORS_ORIGINS: none). */
  corsOrigins?: readonly string[] | undefined;
  /** CSP frame-ancestors of served pages (default BILLWRIGHT_FRAME_ANCESTORS, else 'none'). */
  frameAncestors?: string | undefined;
  /** Asked of scrapes of /metrics (default BILLWRIGHT_METRICS_TOKEN; unset: open). */
  metricsToken?: string | undefined;

  /** The Temporal UI the finance dashboard links to (default BILLWRIGHT_TEMPORAL_UI_URL). */
  temporalUiUrl?: string | undefined;

  /** Webhooks to private addresses (default BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE: off). */
  webhooksAllowPrivate?: boolean | undefined;
}

export interface ApiDependencies {
  db: Db;
  /** Renderer, seller and brand for documents rendered on request; default: the config's. */
  documents?: ApiDocuments;
  /** Seller registrations, provider and rounding for tax; default: the config's. */
  tax?: ApiTax;
  /** How invoices and credit notes are numbered; default: the config's. */
  invoicing?: ApiInvoicing;
  temporal: Client;
  config: ApiConfig;
  /**
   * Prints invoice PDFs: a renderer the caller owns, or a factory called on the first print
   * whose renderer the app closes. Default: the config's Chromium, launched on the first print.
   */
  pdf?: ApiPdf;
  /**
   * The Temporal codec endpoint (/codec): the keys Temporal payloads are encrypted with, and the
   * Temporal UI origins that may call it. Without keys there is no endpoint.
   */
  codec?: { keyring: PayloadKeyring | undefined; corsOrigins: string[] };
  /** The accounting system syncs push to; default: the config's (QUICKBOOKS_*), else none. */
  accounting?: AccountingSystem | undefined;
  /** Online payment ("Pay online"); default: the config's (STRIPE_SECRET_KEY), else none. */
  paymentCheckout?: PaymentCheckout | undefined;
  /** Emails the API sends itself (portal links); default: the config's (Resend, else the outbox). */
  email?: { sender: EmailSender; from: string };
}

export interface BuildAppOptions {
  /** Fastify logger: false (default), true, or pino options. */
  logger?: boolean | object;
}

/** Everything behind /v1: authenticated, rate-limited, idempotent POSTs, one plugin per resource. */
const v1: FastifyPluginAsync<{ rateLimits: ApiRateLimits }> = async (app, options) => {
  await app.register(auth, { rateLimits: options.rateLimits });
  await app.register(idempotency);
  await app.register(apiKeys);
  await app.register(auditEvents);
  await app.register(billingRuns);
  await app.register(customers);
  await app.register(documentDesigns);
  await app.register(plans);
  await app.register(planMigrations);
  await app.register(subscriptions);
  await app.register(thresholds);
  await app.register(coupons);
  await app.register(invoices);
  await app.register(creditNotes);
  await app.register(ledger);
  await app.register(invoiceDocuments);
  await app.register(eInvoices);
  await app.register(outbox);
  await app.register(metrics);
  await app.register(usage);
  await app.register(estimates);
  await app.register(quotes);
  await app.register(manualInvoices);
  await app.register(projects);
  await app.register(projectTimeEntries);
  if (app.testClocks) await app.register(testClocks);
  await app.register(collections);
  await app.register(receipts);
  await app.register(registers);
  await app.register(revenueRecognition);

  await app.register(accounting);

  await app.register(insights);
  await app.register(webhookEndpoints);
  await app.register(wallets);
  await app.register(walletTopUps);
  await app.register(spendAlerts);
  await app.register(balance);
  await app.register(portalLinks);
};

/** The application as a plugin (fastify/demo style), for servers that own the Fastify instance. */
export const billwrightApi = fp<ApiDependencies>(
  async (app, deps) => {
    let environment: ReturnType<typeof loadConfig> | undefined;
    const fromEnv = () => (environment ??= loadConfig());
    await app.register(validation);
    await app.register(problems);
    await app.register(securityHeaders, {
      frameAncestors: deps.config.frameAncestors ?? fromEnv().frameAncestors,
      corsOrigins: deps.config.corsOrigins ?? fromEnv().corsOrigins,
    });
    await app.register(database, { db: deps.db });
    app.decorate('documents', deps.documents ?? documentsOf(fromEnv()));
    app.decorate('tax', deps.tax ?? taxOf(fromEnv()));
    app.decorate('invoicing', deps.invoicing ?? invoicingOf(fromEnv()));
    app.decorate('lateEvents', deps.config.lateEvents ?? fromEnv().lateEvents);
    app.decorate('testClocks', deps.config.testClocks ?? fromEnv().testClocks);
    app.decorate('webhookPolicy', {
      allowPrivate: deps.config.webhooksAllowPrivate ?? fromEnv().webhooks.allowPrivate,
    });
    app.decorate(
      'accounting',
      'accounting' in deps ? deps.accounting : createAccountingSystem(fromEnv().quickbooks),
    );
    app.decorate(
      'email',
      deps.email ?? {
        sender: createEmailSender(fromEnv().resend, deps.db),
        from: fromEnv().emailFrom,
      },
    );
    app.decorate('portal', {
      publicBaseUrl: deps.config.publicBaseUrl,
      signingSecret: deps.config.signingSecret ?? fromEnv().signingSecret,
    });
    await app.register(temporal, {
      client: deps.temporal,
      timeoutMs: deps.config.temporalTimeoutMs,
    });
    await app.register(openapi, { publicBaseUrl: deps.config.publicBaseUrl });
    await app.register(health);
    await app.register(prometheus, {
      token: deps.config.metricsToken ?? fromEnv().metrics.token,
    });
    await app.register(invoicePdfs, {
      pdf: deps.pdf ?? (() => createPdfRenderer({ executablePath: fromEnv().chromiumPath })),
    });
    await app.register(hostedLinks, {
      baseUrl: deps.config.publicBaseUrl,
      secret: deps.config.signingSecret ?? fromEnv().signingSecret,
    });
    app.decorate(
      'paymentCheckout',
      'paymentCheckout' in deps ? deps.paymentCheckout : checkoutOf(fromEnv().stripeCheckout),
    );
    await app.register(hosted);
    await app.register(onlinePayments);
    await app.register(projectApprovals);
    await app.register(hostedQuotes);
    await app.register(dashboard, {
      signingSecret: deps.config.signingSecret ?? fromEnv().signingSecret,
      publicBaseUrl: deps.config.publicBaseUrl,
      temporalUiUrl: deps.config.temporalUiUrl ?? fromEnv().temporalUiUrl,
      rateLimits: deps.config.rateLimits ?? fromEnv().rateLimits,
    });
    await app.register(portalSignIn, {
      rateLimits: deps.config.rateLimits ?? fromEnv().rateLimits,
    });
    await app.register(portal);
    await app.register(portalDocuments);
    const stripeSecret = deps.config.stripeWebhookSecret ?? fromEnv().stripeWebhookSecret;
    await app.register(paymentWebhooks, {
      prefix: '/webhooks',
      providers: stripeSecret ? [createStripeProvider(stripeSecret)] : [],
    });
    if (deps.codec?.keyring) {
      await app.register(codec, {
        prefix: '/codec',
        keyring: deps.codec.keyring,
        corsOrigins: deps.codec.corsOrigins,
        rateLimits: deps.config.rateLimits ?? fromEnv().rateLimits,
      });
    }
    await app.register(v1, {
      prefix: '/v1',
      rateLimits: deps.config.rateLimits ?? fromEnv().rateLimits,
    });
  },
  { name: 'billwright-api', fastify: '5.x' },
);

function checkoutOf(options: ReturnType<typeof loadConfig>['stripeCheckout']) {
  return options ? createStripeCheckout(options) : undefined;
}

type ValidatorFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>['buildValidator'];
// Fastify types the factory after Ajv's compile; ours takes the route schema as every compiler does.
const buildValidator = (() => validatorCompiler) as unknown as ValidatorFactory;

export async function buildApp(
  deps: ApiDependencies,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Ids in paths are case-sensitive and trailing slashes are not a different resource.
    // A path parameter may be long enough for its schema to name it (400, `id` too long) rather
    // than the router refusing it (414).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    // Errors the router meets before any route (a bad URL, an overlong path parameter).
    frameworkErrors,
    // Our validator in every plugin context: a plugin that adds a shared schema gets a new
    // schema controller, which would otherwise fall back to Fastify's coercing default.
    schemaController: { compilersFactory: { buildValidator } },
  });
  await app.register(billwrightApi, deps);
  return app;
}
