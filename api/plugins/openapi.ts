// The OpenAPI 3.1 document, generated from the route schemas (the same TypeBox schemas that
// validate and serialize), served as JSON at /docs/json and browsable at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import pkg from '../../package.json' with { type: 'json' };
import { PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { BEARER_SCHEME } from './auth.ts';

export const TAGS = [
  { name: 'Customers', description: 'Who is billed: currency, country, time zone and locale.' },
  {
    name: 'Plans',
    description:
      'What is sold: versioned charges (flat, per seat, usage) per billing interval. Editing a plan ' +
      'publishes a new version; subscriptions stay on theirs until moved.',
  },
  {
    name: 'Coupons',
    description:
      'Discounts: a percentage or an amount off, for one, N or every period, applied to a customer or a subscription.',
  },
  {
    name: 'Wallets',
    description:
      'Prepaid and promotional credit: wallets per customer, grants (bought through an invoice, or free) with optional expiry, and every movement of their credit.',
  },
  {
    name: 'Subscriptions',
    description:
      'A customer on a plan. Each subscription is a durable Temporal workflow that bills every period; ' +
      'pause, resume and cancel are sent to that workflow.',
  },
  {
    name: 'Invoices',
    description:
      'Invoices and their lifecycle (finalize, void, uncollectible), lines, tax and documents.',
  },
  {
    name: 'Credit notes',
    description:
      'What is taken back from a finalized invoice (a void, a refund, a correction), numbered in its own series.',
  },
  {
    name: 'Ledger',
    description:
      'The double-entry journal every financial event posts to: the chart of accounts and its mappings, the trial balance, account statements and the journal export (JSON, CSV).',
  },
  {
    name: 'Usage',
    description:
      'Billable metrics and the usage events they aggregate (idempotent by transaction id).',
  },
  {
    name: 'Document designs',
    description: 'How documents look: the designs, previewed with sample data.',
  },
  {
    name: 'Estimates',
    description: 'Prices a plan for one period with the arithmetic shown; changes nothing else.',
  },
  {
    name: 'Projects',
    description:
      'Project billing: a deposit, milestones (approved by the customer when required), retainage, ' +
      'change orders and billable hours, each project a durable Temporal workflow.',
  },
  {
    name: 'Hosted pages',
    description:
      'What customers open from a signed, expiring link (no API key): an invoice page and its PDF, a milestone approval.',
  },
  {
    name: 'Customer portal',
    description:
      'A hosted site per customer (/portal), entered by a signed, single-use magic link sent by email: what is due, subscriptions, invoices, credit notes, receipts and billing details.',
  },
  {
    name: 'Finance',
    description:
      'Registers of invoices, credit notes and payments as CSV, and the deferred-revenue waterfall.',
  },
  {
    name: 'Finance dashboard',
    description:
      'A browser page of charts and tables from the insights, behind a sign-in with a read API key (a session cookie, no Authorization header).',
  },
  { name: 'Outbox', description: 'The development email provider: messages the platform sent.' },
  {
    name: 'API keys',
    description:
      'Keys and their scopes (read, write, admin), rotation with an overlap, revocation, and the audit trail of changes.',
  },
  {
    name: 'Test clocks',
    description:
      'Virtual time: customers on a clock are billed by the production workflows as it advances.',
  },
  {
    name: 'Accounting',
    description:
      'Sync to QuickBooks Online (customers, finalized invoices, payments, credit notes) and reconcile a period against it.',
  },
  {
    name: 'Insights',
    description:
      'Finance metrics computed from the data: MRR and its movements, receivables aging, payment trends, dunning, renewals.',
  },
  { name: 'Health', description: 'Liveness and readiness.' },
  {
    name: 'Billing runs',
    description: 'Renewals due in a window: issued, failing, late or scheduled, and their lag.',
  },
  {
    name: 'Prometheus',
    description: 'Metrics of the process for Prometheus (not billable metrics).',
  },
];

const DESCRIPTION = `Billing automation on Temporal.

**Conventions**
- JSON with camelCase fields; timestamps are ISO 8601 instants in UTC (\`Z\`).
- Money is \`{ "amount": <integer minor units>, "currency": "EUR" }\`, never a float.
- Lists answer \`{ "data": [...], "hasMore": bool }\`, newest first; \`limit\` is 1–100 (default 20).
- Authenticate with \`Authorization: Bearer <api key>\`.
- Every POST accepts an \`Idempotency-Key\` header: the first response for a key is replayed for
  the same request (\`Idempotent-Replayed: true\`); a different request with the key is a 409.
- Errors are RFC 9457 \`${PROBLEM_CONTENT_TYPE}\`: \`{ type, title, status, detail, instance, errors }\`.
  \`errors[].field\` is a dotted path into the body (\`email\`, \`lines[0].amount\`) or the name of the
  query parameter, path parameter or header at fault. Schema violations (missing or unknown
  fields, wrong types, bad formats) are 400; well-formed values we cannot accept (unknown
  currency or time zone, a plan in another currency) are 422; unknown resources 404; conflicts
  409; Temporal unreachable 503.`;

type Method = 'get' | 'post' | 'patch' | 'delete';
type LinkTarget = [path: string, method: Method];

/**
 * OpenAPI links: what a client (and a stateful test) may do next with what a response returns.
 * From a created resource to reading and acting on it, along the paths' own parameter (`id` or
 * `code`). Written here, beside the document, because @fastify/swagger has no place for them in
 * a route's schema; a link whose source or target is not routed (test clocks off) is left out.
 */
const LINKS: [from: string, method: Method, status: string, targets: Record<string, LinkTarget>][] =
  [
    [
      '/v1/customers',
      'post',
      '201',
      {
        GetCustomer: ['/v1/customers/{id}', 'get'],
        CorrectCustomer: ['/v1/customers/{id}', 'patch'],
        ListCustomerCoupons: ['/v1/customers/{id}/coupons', 'get'],
        GetCreditBalance: ['/v1/customers/{id}/credit-balance', 'get'],
      },
    ],
    [
      '/v1/plans',
      'post',
      '201',
      {
        GetPlan: ['/v1/plans/{code}', 'get'],
        ListPlanVersions: ['/v1/plans/{code}/versions', 'get'],
        PublishPlanVersion: ['/v1/plans/{code}/versions', 'post'],
      },
    ],
    ['/v1/coupons', 'post', '201', { GetCoupon: ['/v1/coupons/{code}', 'get'] }],
    ['/v1/metrics', 'post', '201', { GetMetric: ['/v1/metrics/{code}', 'get'] }],
    [
      '/v1/invoices',
      'post',
      '201',
      {
        GetInvoice: ['/v1/invoices/{id}', 'get'],
        EditDraftInvoice: ['/v1/invoices/{id}', 'patch'],
        FinalizeInvoice: ['/v1/invoices/{id}/finalize', 'post'],
        VoidInvoice: ['/v1/invoices/{id}/void', 'post'],
      },
    ],
    [
      '/v1/invoices/{id}/finalize',
      'post',
      '200',
      {
        GetInvoice: ['/v1/invoices/{id}', 'get'],
        RecordPayment: ['/v1/invoices/{id}/payments', 'post'],
        ListPayments: ['/v1/invoices/{id}/payments', 'get'],
        CreateCreditNote: ['/v1/invoices/{id}/credit-notes', 'post'],
        ListCreditNotes: ['/v1/invoices/{id}/credit-notes', 'get'],
        MarkUncollectible: ['/v1/invoices/{id}/mark-uncollectible', 'post'],
        GetCollection: ['/v1/invoices/{id}/collection', 'get'],
      },
    ],
    [
      '/v1/subscriptions',
      'post',
      '201',
      {
        GetSubscription: ['/v1/subscriptions/{id}', 'get'],
        PauseSubscription: ['/v1/subscriptions/{id}/pause', 'post'],
        CancelSubscription: ['/v1/subscriptions/{id}/cancel', 'post'],
        GetUpcomingInvoice: ['/v1/subscriptions/{id}/upcoming-invoice', 'get'],
      },
    ],
    [
      '/v1/projects',
      'post',
      '201',
      {
        GetProject: ['/v1/projects/{id}', 'get'],
        ListProjectEvents: ['/v1/projects/{id}/events', 'get'],
        ListTimeEntries: ['/v1/projects/{id}/time-entries', 'get'],
      },
    ],
    [
      '/v1/dunning-policies',
      'post',
      '201',
      {
        GetDunningPolicy: ['/v1/dunning-policies/{id}', 'get'],
        DeleteDunningPolicy: ['/v1/dunning-policies/{id}', 'delete'],
      },
    ],
    ['/v1/test-clocks', 'post', '201', { GetTestClock: ['/v1/test-clocks/{id}', 'get'] }],
  ];

interface OpenApiDocument {
  paths?: Record<string, Partial<Record<Method, { responses?: Record<string, object> }>>>;
}

/** JSON Pointer to an operation: `#/paths/~1v1~1customers~1{id}/get`. */
function operationRef([path, method]: LinkTarget): string {
  return `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}`;
}

export function addLinks<T extends object>(openapiObject: T): T {
  const document = openapiObject as OpenApiDocument;
  for (const [from, method, status, targets] of LINKS) {
    const response = document.paths?.[from]?.[method]?.responses?.[status] as
      { links?: Record<string, unknown> } | undefined;
    if (!response) continue;
    for (const [name, target] of Object.entries(targets)) {
      if (!document.paths?.[target[0]]?.[target[1]]) continue;
      const parameter = /\{(\w+)\}/.exec(target[0])?.[1] ?? 'id';
      const key = parameter === 'code' ? 'code' : 'id';
      response.links = {
        ...response.links,
        [name]: {
          operationRef: operationRef(target),
          parameters: { [parameter]: `$response.body#/${key}` },
        },
      };
    }
  }
  return openapiObject;
}

export default fp<{ publicBaseUrl: string }>(
  async (app, options) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'Billwright API', version: pkg.version, description: DESCRIPTION },
        servers: [{ url: options.publicBaseUrl }],
        tags: TAGS,
        components: {
          securitySchemes: {
            [BEARER_SCHEME]: {
              type: 'http',
              scheme: 'bearer',
              description: 'An API key, e.g. bw_live_…',
            },
          },
        },
      },
      transformObject: (documentObject) =>
        'openapiObject' in documentObject
          ? addLinks(documentObject.openapiObject)
          : documentObject.swaggerObject,
      // Shared schemas keep their $id as their component name (#/components/schemas/Problem).
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) =>
          typeof json.$id === 'string' ? json.$id : `def-${i}`,
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'billwright-openapi', fastify: '5.x' },
);
