// The Temporal codec server protocol, so the Temporal UI (and `temporal --codec-endpoint`) shows
// finance decrypted payloads: POST /codec/decode and /codec/encode take and answer
// { payloads: [{ metadata: { key: base64 }, data: base64 }] }. Behind an API key, because
// decoding reveals what the encryption hides; CORS for the Temporal UI's origins only.
//
// A browser UI that cannot send an Authorization header (the dev server's) is given
// /codec/key/<api key> as its endpoint instead; those requests are not logged.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { createEncryptionCodec, type PayloadKeyring } from '../../temporal/payload-codec.ts';
import { badRequest } from '../problem.ts';
import auth from '../plugins/auth.ts';
import { problemResponse } from '../schemas/common.ts';
import type { ApiRateLimits } from '../../config/index.ts';

export interface CodecOptions {
  keyring: PayloadKeyring;
  /** Origins of the Temporal UI, e.g. http://localhost:8233. */
  corsOrigins: string[];
  /** The API's limits on failed authentications apply to the codec's keys too. */
  rateLimits: ApiRateLimits;
}

const JsonPayload = Type.Object({
  metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
  data: Type.Optional(Type.String()),
});
const Payloads = Type.Object({ payloads: Type.Array(JsonPayload, { maxItems: 10_000 }) });

/** Payloads as the codec server protocol writes them: every byte string in base64. */
interface JsonPayloadShape {
  metadata?: Record<string, string> | undefined;
  data?: string | undefined;
}

function fromJson(payload: JsonPayloadShape): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    ),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): JsonPayloadShape {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

const BODY_LIMIT = 8 * 1024 * 1024;

function codecRoutes(codec: PayloadCodec, hide: boolean): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    for (const direction of ['decode', 'encode'] as const) {
      app.post(
        `/${direction}`,
        {
          bodyLimit: BODY_LIMIT,
          schema: {
            hide,
            tags: ['Temporal codec'],
            summary: `${direction === 'decode' ? 'Decrypt' : 'Encrypt'} Temporal payloads`,
            description:
              'The Temporal codec server protocol, for the Temporal UI and CLI (`--codec-endpoint`). ' +
              (direction === 'decode'
                ? 'Payloads not encrypted by Billwright come back unchanged.'
                : 'Encrypts under the current key.'),
            body: Payloads,
            response: {
              200: Payloads,
              400: problemResponse('A payload is not valid, or does not decrypt.'),
            },
          },
        },
        async (request) => {
          const payloads = request.body.payloads.map(fromJson);
          let result: Payload[];
          try {
            result = await codec[direction](payloads);
          } catch (error) {
            throw badRequest(`The payloads do not ${direction}: ${(error as Error).message}`);
          }
          return { payloads: result.map(toJson) };
        },
      );
    }
    done();
  };
}

const codec: FastifyPluginAsync<CodecOptions> = async (app, options) => {
  const payloadCodec = createEncryptionCodec(options.keyring);
  const origins = new Set(options.corsOrigins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !origins.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    reply.header('vary', 'Origin');
  });
  app.options('/*', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    reply.header('access-control-allow-methods', 'POST, OPTIONS');
    reply.header('access-control-allow-headers', 'authorization, content-type, x-namespace');
    reply.header('access-control-max-age', '600');
    return reply.code(204).send();
  });
  // Authorization: Bearer <key>, as API clients and a proxy in front of the Temporal UI send.
  await app.register(async (scope) => {
    await scope.register(auth, { rateLimits: options.rateLimits });
    await scope.register(codecRoutes(payloadCodec, false));
  });
  // The key in the path, for a UI that sends no header; never logged.
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', (request, _reply, next) => {
        const { apiKey } = request.params as { apiKey?: string };
        request.headers.authorization = `Bearer ${apiKey ?? ''}`;
        next();
      });
      await scope.register(auth, { rateLimits: options.rateLimits });
      await scope.register(codecRoutes(payloadCodec, true));
    },
    { prefix: '/key/:apiKey', logLevel: 'silent' },
  );
};

export default codec;
