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
    name: 'Usage',
    description:
      'Billable metrics and the usage events they aggregate (idempotent by transaction id).',
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
  { name: 'Health', description: 'Liveness and readiness.' },
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
