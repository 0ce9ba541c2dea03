// API keys through the API (admin scope): create one with its scopes (the secret is shown once),
// list them (never a secret), revoke one at once, or rotate its secret with an overlap window
// in which the old secret still works, so clients can be redeployed without an outage. The use
// cases are in services/api-keys.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { API_SCOPES, type ApiKeyRecord } from '../../db/repositories/api-keys.ts';
import {
  createApiKey,
  DEFAULT_ROTATION_OVERLAP_HOURS,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
} from '../../services/api-keys.ts';
import {
  DEFAULT_LIMIT,
  described,
  IdParams,
  iso,
  ListOf,
  NullableTimestamp,
  PageQuery,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const Scope = Type.Enum([...API_SCOPES], {
  description:
    'read: GET requests. write: other changes. admin: keys, audit, test clocks, deletes.',
});

const ApiKeySchema = Type.Object(
  {
    id: Type.String({ examples: ['key_abcdefghijklmnopqrst'] }),
    name: Type.String(),
    scopes: Type.Array(Scope),
    createdBy: Type.Union([Type.String(), Type.Null()], {
      description: 'The key that created it.',
    }),
    createdAt: Timestamp,
    rotatedAt: NullableTimestamp,
    previousSecretExpiresAt: described(
      NullableTimestamp,
      'Until when the secret before the last rotation still works.',
    ),
    revokedAt: NullableTimestamp,
  },
  { $id: 'ApiKey', title: 'ApiKey' },
);

const ApiKeyWithSecret = Type.Object(
  {
    key: Type.String({ description: 'The secret: shown this once, never again.' }),
    apiKey: Type.Ref('ApiKey'),
  },
  { description: 'The key and its secret.' },
);

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: 3, uniqueItems: true }),
  },
  { additionalProperties: false },
);

const RotateBody = Type.Object(
  {
    overlapHours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 720,
        default: DEFAULT_ROTATION_OVERLAP_HOURS,
        description: 'How long the old secret keeps working, 0–720 hours (0: it stops at once).',
      }),
    ),
  },
  { additionalProperties: false },
);

function toApiKey(record: ApiKeyRecord) {
  return {
    id: record.id,
    name: record.name,
    scopes: record.scopes,
    createdBy: record.createdBy,
    createdAt: iso(record.createdAt),
    rotatedAt: iso(record.rotatedAt),
    previousSecretExpiresAt: iso(record.previousSecretExpiresAt),
    revokedAt: iso(record.revokedAt),
  };
}

const admin = { scope: 'admin' } as const;

const plugin: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.addSchema(ApiKeySchema);

  app.post(
    '/api-keys',
    {
      config: admin,
      schema: {
        tags: ['API keys'],
        summary: 'Create an API key',
        description: 'A new key with its scopes; the answer carries the secret, shown only once.',
        body: CreateBody,
        response: { 201: ApiKeyWithSecret },
      },
    },
    async (request, reply) => {
      const { key, record } = await createApiKey(serviceDependencies(app), {
        ...request.body,
        createdBy: request.apiKey.id,
      });
      return reply.code(201).send({ key, apiKey: toApiKey(record) });
    },
  );

  app.get(
    '/api-keys',
    {
      config: admin,
      schema: {
        tags: ['API keys'],
        summary: 'List API keys',
        description: 'Every key, newest first, revoked ones included; never a secret.',
        querystring: PageQuery,
        response: { 200: ListOf(Type.Ref('ApiKey'), 'A page of keys.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listApiKeys(serviceDependencies(app), { limit, startingAfter });
      return { data: page.items.map(toApiKey), hasMore: page.hasMore };
    },
  );

  app.post(
    '/api-keys/:id/revoke',
    {
      config: admin,
      schema: {
        tags: ['API keys'],
        summary: 'Revoke an API key',
        description: 'The key stops working at once (within 30 s on other API processes).',
        params: IdParams,
        response: {
          200: described(Type.Ref('ApiKey'), 'The key, revoked.'),
          404: problemResponse('No key has this id.'),
          409: problemResponse('The key is already revoked.'),
        },
      },
    },
    async (request) =>
      toApiKey(
        await answeringRefusals(() => revokeApiKey(serviceDependencies(app), request.params.id)),
      ),
  );

  app.post(
    '/api-keys/:id/rotate',
    {
      config: admin,
      schema: {
        tags: ['API keys'],
        summary: 'Rotate an API key',
        description:
          'A new secret for the same key (same id and scopes); the old secret keeps working for ' +
          '`overlapHours` (default 24), then stops. A secret older than that stops at once.',
        params: IdParams,
        body: RotateBody,
        response: {
          200: ApiKeyWithSecret,
          404: problemResponse('No key has this id.'),
          409: problemResponse('The key is revoked.'),
        },
      },
    },
    async (request) => {
      const { key, record } = await answeringRefusals(() =>
        rotateApiKey(serviceDependencies(app), request.params.id, request.body?.overlapHours),
      );
      return { key, apiKey: toApiKey(record) };
    },
  );

  done();
};

export default plugin;
