// Plan migrations over HTTP: move a plan's running subscriptions to one version (202: a durable
// workflow walks them in batches), and read how far it has come.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { getPlanMigration, startPlanMigration } from '../../services/plan-migrations.ts';
import { CodeParams, described, problemResponse } from '../schemas/common.ts';
import {
  CreateMigrationBody,
  MigrationParams,
  PlanMigrationSchema,
  toPlanMigration,
} from '../schemas/plan-migrations.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const planMigrations: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/plans/:code/migrations',
    {
      schema: {
        tags: ['Plans'],
        summary: 'Move a plan’s running subscriptions to a version',
        description:
          'Starts a durable workflow (`plan-migration-<id>`) that walks the plan’s running subscriptions ' +
          '(not canceled or ended), 100 at a time, and moves each to `toVersion` with its quantity, as ' +
          'POST /v1/subscriptions/{id}/plan-version does. A subscription already on the version, or ' +
          'already moving to it, is skipped; one its workflow refuses (paused, another interval) fails ' +
          'with the reason. Answers 202 at once; GET the migration for its progress.',
        params: CodeParams,
        body: CreateMigrationBody,
        response: {
          202: described(PlanMigrationSchema, 'The migration, started.'),
          404: problemResponse('No plan has this code.'),
          422: problemResponse('The plan has no such version (`toVersion`, `fromVersions[i]`).'),
          503: problemResponse('Temporal is unavailable; nothing was stored.'),
        },
      },
    },
    async (request, reply) => {
      const { toVersion, fromVersions, applyAt = 'period_end', reason } = request.body;
      const started = await answeringRefusals(() =>
        startPlanMigration(serviceDependencies(app), {
          planCode: request.params.code,
          toVersion,
          fromVersions,
          applyAt,
          reason,
          actor: request.apiKey.id,
        }),
      );
      return reply.code(202).send(toPlanMigration(started));
    },
  );

  app.get(
    '/plans/:code/migrations/:id',
    {
      schema: {
        tags: ['Plans'],
        summary: 'Get a plan migration',
        description:
          'Where the migration stands: running or completed, how many subscriptions it moved, skipped ' +
          'and failed, and why for those it did not move.',
        params: MigrationParams,
        response: {
          200: described(PlanMigrationSchema, 'The migration.'),
          404: problemResponse('The plan has no migration with this id.'),
        },
      },
    },
    async (request) => {
      const { code, id } = request.params;
      return toPlanMigration(
        await answeringRefusals(() => getPlanMigration(serviceDependencies(app), code, id)),
      );
    },
  );

  done();
};

export default planMigrations;
