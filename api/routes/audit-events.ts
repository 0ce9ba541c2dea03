// The audit trail (admin scope): every successful change made through the API, with the key that
// made it and the operator it named (X-Operator), and every change Billwright made on its own
// (actor "system"), newest first.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAuditEvents } from '../../db/repositories/audit-events.ts';
import {
  DEFAULT_LIMIT,
  iso,
  Limit,
  ListOf,
  pageOf,
  StartingAfter,
  Timestamp,
} from '../schemas/common.ts';

const AuditEventSchema = Type.Object(
  {
    id: Type.String({ description: 'A sequence number (the cursor of this list).' }),
    actor: Type.Union([Type.Literal('api_key'), Type.Literal('system')], {
      description:
        'api_key: a request under `apiKeyId`. system: Billwright itself (a worker), e.g. a ' +
        'failing webhook endpoint paused after three days; it has no key, method, path or status.',
    }),
    apiKeyId: Type.Union([Type.String(), Type.Null()], {
      description: 'The key of the request; null for the system.',
    }),
    operator: Type.Union([Type.String(), Type.Null()], {
      description: 'The X-Operator header of the request, when sent.',
    }),
    action: Type.String({ examples: ['POST /v1/invoices/:id/void', 'webhook_endpoint.paused'] }),
    method: Type.Union([Type.String(), Type.Null()]),
    path: Type.Union([Type.String(), Type.Null()]),
    resourceId: Type.Union([Type.String(), Type.Null()], {
      description: 'The id (or code) in the path, or else the id of what was created.',
    }),
    status: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The answer’s HTTP status; null for the system.',
    }),
    changes: Type.Union(
      [
        Type.Array(
          Type.Object({
            field: Type.String({ examples: ['locale'] }),
            from: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
            to: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
          }),
        ),
        Type.Null(),
      ],
      {
        description:
          'The fields the change set, where the route records them (PATCH /v1/customers/:id): ' +
          'old and new values, or only the field’s name when it holds personal data.',
      },
    ),
    occurredAt: Timestamp,
  },
  { $id: 'AuditEvent', title: 'AuditEvent' },
);

const Query = Type.Object(
  {
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
    apiKeyId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

const plugin: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.addSchema(AuditEventSchema);
  app.get(
    '/audit-events',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['API keys'],
        summary: 'List audit events',
        description:
          'Who changed what: one event per successful change through the API, and one per ' +
          'change Billwright made on its own (`actor: system`), newest first. ' +
          'Filter by `apiKeyId` or `resourceId`.',
        querystring: Query,
        response: { 200: ListOf(Type.Ref('AuditEvent'), 'A page of events.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, ...filter } = request.query;
      const page = await listAuditEvents(app.db, { limit, ...filter });
      return pageOf(page, (e) => ({ ...e, occurredAt: iso(e.occurredAt) }));
    },
  );
  done();
};

export default plugin;
