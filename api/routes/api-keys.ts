// API keys through the API (admin scope): create one with its scopes (the secret is shown once),
// list them (never a secret), revoke one at once, or rotate its secret with an overlap window
// in which the old secret still works, so clients can be redeployed without an outage. The use
// cases are in services/api-keys.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../../services/api-keys.ts';
import {
  ApiKeySchema,
  ApiKeyWithSecret,
  CreateApiKeyBody,
  RotateApiKeyBody,
  toApiKey,
} from '../schemas/api-keys.ts';
import {
  pageOf,
  PageQuery,
  DEFAULT_LIMIT,
  described,
  IdParams,
  ListOf,
  problemResponse,
} from '../schemas/common.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

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
        body: CreateApiKeyBody,
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
      return pageOf(page, toApiKey);
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
        body: RotateApiKeyBody,
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
