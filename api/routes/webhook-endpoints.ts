// Outgoing webhook endpoints (admin scope): register one (its signing secret is shown once),
// list, read, change, delete, rotate its secret, list its delivery attempts and replay an event.
// The use cases are in services/webhook-endpoints.ts; docs/WEBHOOKS.md says what is sent.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import * as webhooks from '../../services/webhook-endpoints.ts';
import type { WebhookNetworkPolicy } from '../../webhooks/sender.ts';
import {
  DEFAULT_LIMIT,
  described,
  IdParams,
  ListOf,
  pageOf,
  PageQuery,
  problemResponse,
} from '../schemas/common.ts';
import {
  AttemptsQuery,
  CreateWebhookEndpointBody,
  EventParams,
  ReplayResult,
  toReplayResult,
  toWebhookAttempt,
  toWebhookEndpoint,
  UpdateWebhookEndpointBody,
  WebhookAttemptSchema,
  WebhookEndpointSchema,
  WebhookEndpointWithSecret,
} from '../schemas/webhook-endpoints.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Which addresses webhooks may reach (BILLWRIGHT_WEBHOOKS_ALLOW_PRIVATE). */
    webhookPolicy: WebhookNetworkPolicy;
  }
}

const admin = { scope: 'admin' } as const;
const tags = ['Webhooks'];
const notFound = problemResponse('No webhook endpoint has this id.');
const badUrl = problemResponse('The URL is not https or reaches a non-public address (`url`).');

const plugin: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.addSchema(WebhookEndpointSchema);
  app.addSchema(WebhookAttemptSchema);
  const deps = () => serviceDependencies(app);
  const Endpoint = Type.Ref('WebhookEndpoint');

  app.post(
    '/webhook-endpoints',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Register a webhook endpoint',
        description:
          'Events of the chosen types are POSTed to it, signed; the answer carries the secret, shown once.',
        body: CreateWebhookEndpointBody,
        response: { 201: WebhookEndpointWithSecret, 422: badUrl },
      },
    },
    async (request, reply) => {
      const { secret, endpoint } = await answeringRefusals(() =>
        webhooks.createWebhookEndpoint(deps(), app.webhookPolicy, request.body),
      );
      return reply.code(201).send({ secret, endpoint: toWebhookEndpoint(endpoint) });
    },
  );

  app.get(
    '/webhook-endpoints',
    {
      config: admin,
      schema: {
        tags,
        summary: 'List webhook endpoints',
        description: 'Newest first; never a secret.',
        querystring: PageQuery,
        response: { 200: ListOf(Endpoint, 'A page of endpoints.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await webhooks.listWebhookEndpoints(deps(), { limit, startingAfter });
      return pageOf(page, toWebhookEndpoint);
    },
  );

  app.get(
    '/webhook-endpoints/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Get a webhook endpoint',
        description: 'Its URL, event types and status (never its secret).',
        params: IdParams,
        response: { 200: described(Endpoint, 'The endpoint.'), 404: notFound },
      },
    },
    async (request) =>
      toWebhookEndpoint(
        await answeringRefusals(() => webhooks.webhookEndpoint(deps(), request.params.id)),
      ),
  );

  app.patch(
    '/webhook-endpoints/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change a webhook endpoint',
        description: 'URL, event types, description, enabled (true also resumes a paused one).',
        params: IdParams,
        body: UpdateWebhookEndpointBody,
        response: { 200: described(Endpoint, 'The endpoint.'), 404: notFound, 422: badUrl },
      },
    },
    async (request) =>
      toWebhookEndpoint(
        await answeringRefusals(() =>
          webhooks.updateWebhookEndpoint(
            deps(),
            app.webhookPolicy,
            request.params.id,
            request.body,
          ),
        ),
      ),
  );

  app.delete(
    '/webhook-endpoints/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete a webhook endpoint',
        description: 'Nothing more is sent to it; its attempts are deleted with it.',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted.' }), 404: notFound },
      },
    },
    async (request, reply) => {
      await answeringRefusals(() => webhooks.deleteWebhookEndpoint(deps(), request.params.id));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/webhook-endpoints/:id/rotate-secret',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Rotate a webhook endpoint’s secret',
        description: 'A new secret, shown once; deliveries from now on are signed with it.',
        params: IdParams,
        response: { 200: WebhookEndpointWithSecret, 404: notFound },
      },
    },
    async (request) => {
      const { secret, endpoint } = await answeringRefusals(() =>
        webhooks.rotateWebhookEndpointSecret(deps(), request.params.id),
      );
      return { secret, endpoint: toWebhookEndpoint(endpoint) };
    },
  );

  app.get(
    '/webhook-endpoints/:id/attempts',
    {
      config: admin,
      schema: {
        tags,
        summary: 'List a webhook endpoint’s delivery attempts',
        description:
          'Newest first, optionally for one event: status code, duration, answer, error.',
        params: IdParams,
        querystring: AttemptsQuery,
        response: {
          200: Type.Object(
            { data: Type.Array(Type.Ref('WebhookAttempt')) },
            { description: 'The attempts.' },
          ),
          404: notFound,
        },
      },
    },
    async (request) => {
      const { eventId, limit = DEFAULT_LIMIT } = request.query;
      const rows = await answeringRefusals(() =>
        webhooks.listWebhookAttempts(deps(), request.params.id, { eventId, limit }),
      );
      return { data: rows.map(toWebhookAttempt) };
    },
  );

  app.post(
    '/webhook-endpoints/:id/events/:eventId/replay',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Replay an event to a webhook endpoint',
        description:
          'Sends the event again now, with the same webhook-id, whatever the endpoint’s status.',
        params: EventParams,
        response: { 200: ReplayResult, 404: problemResponse('No such endpoint or event.') },
      },
    },
    async (request) =>
      toReplayResult(
        await answeringRefusals(() =>
          webhooks.replayWebhookEvent(
            deps(),
            app.webhookPolicy,
            request.params.id,
            request.params.eventId,
          ),
        ),
      ),
  );

  done();
};

export default plugin;
