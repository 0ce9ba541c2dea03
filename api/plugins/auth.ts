// Bearer API keys on every route of the scope this plugin is registered in (/v1): a missing,
// unknown or revoked key is a 401 problem with a WWW-Authenticate challenge. The OpenAPI
// document learns the security requirement and the 401 response from the same plugin.
import type { RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { findActiveApiKey, type ApiKeyIdentity } from '../../db/repositories/api-keys.ts';
import { unauthorized } from '../problem.ts';
import { problemResponse } from '../schemas/common.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's key. Set on every authenticated (/v1) route before any handler runs. */
    apiKey: ApiKeyIdentity;
  }
}

export const BEARER_SCHEME = 'bearerAuth';

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

function documentSecurity(route: RouteOptions): void {
  const schema = route.schema as Record<string, unknown> | undefined;
  if (!schema) return;
  schema.security ??= [{ [BEARER_SCHEME]: [] }];
  const response = (schema.response ??= {}) as Record<string, unknown>;
  response['401'] ??= problemResponse('Missing, unknown or revoked API key.');
}

export default fp(
  (app, _options, done) => {
    app.decorateRequest('apiKey', null as unknown as ApiKeyIdentity);
    app.addHook('onRoute', documentSecurity);
    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      if (!header) throw unauthorized('Send an API key: Authorization: Bearer <key>.');
      const match = BEARER.exec(header);
      if (!match?.[1])
        throw unauthorized('The Authorization header must be "Bearer <key>".', 'invalid_token');
      const key = await findActiveApiKey(app.db, match[1]);
      if (!key) throw unauthorized('The API key is unknown or revoked.', 'invalid_token');
      request.apiKey = key;
    });
    done();
  },
  { name: 'billwright-auth', fastify: '5.x', dependencies: ['billwright-database'] },
);
