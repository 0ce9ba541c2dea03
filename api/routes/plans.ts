// Plans: POST /v1/plans, GET /v1/plans, GET /v1/plans/:code, and their versions:
// POST /v1/plans/:code/versions, GET /v1/plans/:code/versions, GET /v1/plans/:code/versions/:version.
// What a plan charges lives in immutable versions; editing a plan adds one, and subscriptions
// stay on the version they were pinned to until moved explicitly. The use cases are in
// services/catalog.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  createPlan,
  getPlan,
  getPlanVersion,
  listPlans,
  listPlanVersions,
  publishPlanVersion,
} from '../../services/catalog.ts';
import {
  CreatePlanBody,
  CreateVersionBody,
  ListPlansQuery,
  PlanSchema,
  PlanVersionSchema,
  sentCharges,
  toPlan,
  toPlanVersion,
  VersionParams,
} from '../schemas/catalog.ts';
import {
  pageAfter,
  pageOf,
  PageQuery,
  CodeParams,
  DEFAULT_LIMIT,
  described,
  ListOf,
  problemResponse,
} from '../schemas/common.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const versionResponses = {
  404: problemResponse('No plan has this code.'),
};

const plans: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/plans',
    {
      schema: {
        tags: ['Plans'],
        summary: 'Create a plan',
        description:
          'Creates a plan and its version 1, billed every `intervalCount` × `interval`. Either `amount` ' +
          '(one flat charge billed in advance, the simple case) or `charges`: flat, per-seat and ' +
          'usage charges with per-unit, graduated, volume, package, percentage or graduated percentage pricing, plus an ' +
          'optional plan-level `minimumCommitment`. Codes are unique.',
        body: CreatePlanBody,
        response: {
          201: described(PlanSchema, 'The created plan, showing version 1.'),
          409: problemResponse('A plan with this code exists (or the Idempotency-Key conflicts).'),
          422: problemResponse(
            'A value we cannot accept, named in `errors[].field`: an unknown currency, an unknown ' +
              'billable metric (`charges[0].metricCode`), tiers out of order, a negative price, a ' +
              'field the charge’s type needs, a duplicate charge key.',
          ),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const charges = sentCharges(body);
      const created = await answeringRefusals(() =>
        createPlan(serviceDependencies(app), {
          code: body.code,
          name: body.name,
          currency: body.currency,
          interval: body.interval,
          intervalCount: body.intervalCount ?? 1,
          taxBehavior: body.taxBehavior ?? 'exclusive',
          charges,
          minimumCommitment: body.minimumCommitment,
          createdBy: request.apiKey.id,
          billingThreshold: body.billingThreshold,
        }),
      );
      return reply.code(201).send(toPlan(created));
    },
  );

  app.get(
    '/plans',
    {
      schema: {
        tags: ['Plans'],
        summary: 'List plans',
        description: 'Plans, newest first, each showing its current version.',
        querystring: ListPlansQuery,
        response: { 200: ListOf(PlanSchema, 'A page of plans.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listPlans(serviceDependencies(app), { limit, startingAfter });
      return pageOf(page, toPlan);
    },
  );

  app.get(
    '/plans/:code',
    {
      schema: {
        tags: ['Plans'],
        summary: 'Get a plan',
        description: 'One plan by its code, showing its current version.',
        params: CodeParams,
        response: {
          200: described(PlanSchema, 'The plan.'),
          404: problemResponse('No plan has this code.'),
        },
      },
    },
    async (request) =>
      toPlan(await answeringRefusals(() => getPlan(serviceDependencies(app), request.params.code))),
  );

  app.post(
    '/plans/:code/versions',
    {
      schema: {
        tags: ['Plans'],
        summary: 'Edit a plan: publish a new version',
        description:
          'Adds the next version of the plan and makes it current: new subscriptions are pinned to it. ' +
          'Versions are immutable, and running subscriptions stay on the version they were pinned to ' +
          'until moved with POST /v1/subscriptions/{id}/plan-version. The new version states its ' +
          '`charges` (or `amount`) and `minimumCommitment` in full; `interval`, `intervalCount` and ' +
          '`taxBehavior` default to the current version’s. The currency cannot change. Same ' +
          'validation as creating a plan.',
        params: CodeParams,
        body: CreateVersionBody,
        response: {
          201: described(PlanSchema, 'The plan, showing the new current version.'),
          ...versionResponses,
          422: problemResponse(
            'A value we cannot accept, named in `errors[].field` (as when creating a plan), or a different `currency`.',
          ),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const charges = sentCharges(body);
      const updated = await answeringRefusals(() =>
        publishPlanVersion(serviceDependencies(app), {
          planCode: request.params.code,
          currency: body.currency,
          interval: body.interval,
          intervalCount: body.intervalCount,
          taxBehavior: body.taxBehavior,
          charges,
          minimumCommitment: body.minimumCommitment,
          createdBy: request.apiKey.id,
        }),
      );
      return reply.code(201).send(toPlan(updated));
    },
  );

  app.get(
    '/plans/:code/versions',
    {
      schema: {
        tags: ['Plans'],
        summary: 'List a plan’s versions',
        description:
          'Every version of the plan, newest first; `current` marks the one new subscriptions get.',
        params: CodeParams,
        querystring: PageQuery,
        response: {
          200: ListOf(
            PlanVersionSchema,
            'A page of the plan’s versions (cursor: a version number).',
          ),
          ...versionResponses,
        },
      },
    },
    async (request) => {
      const { versions, currentVersion } = await answeringRefusals(() =>
        listPlanVersions(serviceDependencies(app), request.params.code),
      );
      return pageAfter(
        versions,
        request.query,
        (v) => String(v.version),
        (v) => toPlanVersion(v, currentVersion),
      );
    },
  );

  app.get(
    '/plans/:code/versions/:version',
    {
      schema: {
        tags: ['Plans'],
        summary: 'Get one version of a plan',
        description:
          'The terms of one version, current or not: what subscriptions pinned to it are billed.',
        params: VersionParams,
        response: {
          200: described(PlanVersionSchema, 'The version.'),
          404: problemResponse('No plan has this code, or it has no such version.'),
        },
      },
    },
    async (request) => {
      const { code, version } = request.params;
      const found = await answeringRefusals(() =>
        getPlanVersion(serviceDependencies(app), code, version),
      );
      return toPlanVersion(found.version, found.currentVersion);
    },
  );

  done();
};

export default plans;
