// Plan migrations over HTTP: move a plan's running subscriptions to one version (202: a durable
// workflow walks them in batches), and read how far it has come.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Refused } from '../../services/refused.ts';
import {
  planMigrationView,
  startPlanMigration,
  type PlanMigrationView,
} from '../../services/plan-migrations.ts';
import { notFound, refusalProblem } from '../problem.ts';
import {
  CodeParams,
  described,
  IdParams,
  iso,
  NullableTimestamp,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';
import { planMigrationWorkflowId } from '../../workflow-contracts/ids.ts';
import { serviceDependencies } from '../services.ts';

const Version = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const ApplyAt = Type.Enum(['now', 'period_end']);

const MigrationParams = Type.Object(
  { ...CodeParams.properties, ...IdParams.properties },
  { additionalProperties: false },
);

const CreateMigrationBody = Type.Object(
  {
    toVersion: { ...Version, description: 'The version to bill the subscriptions on.' },
    fromVersions: Type.Optional(
      Type.Array(Version, {
        minItems: 1,
        maxItems: 100,
        uniqueItems: true,
        description: 'Only subscriptions on these versions (default: every version).',
      }),
    ),
    applyAt: Type.Optional({
      ...ApplyAt,
      default: 'period_end',
      description:
        'period_end (default): each subscription is billed the new version from its next boundary. ' +
        'now: the unused part of its current advance charges is credited and the new version invoiced ' +
        'for the rest of the period.',
    }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

const PlanMigrationSchema = Type.Object(
  {
    id: Type.String({ examples: ['pmig_abcdefghijklmnopqrst'] }),
    workflowId: Type.String({ examples: ['plan-migration-pmig_abcdefghijklmnopqrst'] }),
    planCode: Type.String(),
    fromVersions: Type.Union([Type.Array(Version), Type.Null()]),
    toVersion: Version,
    applyAt: ApplyAt,
    reason: Type.Union([Type.String(), Type.Null()]),
    requestedBy: Type.String(),
    status: Type.Enum(['running', 'completed']),
    total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'Running subscriptions of the plan when the walk began; null until then.',
    }),
    moved: Type.Integer({ minimum: 0 }),
    skipped: Type.Integer({ minimum: 0, description: 'Already on (or moving to) the version.' }),
    failed: Type.Integer({ minimum: 0 }),
    exceptions: Type.Array(
      Type.Object({
        subscriptionId: Type.String(),
        outcome: Type.Enum(['skipped', 'failed']),
        reason: Type.Union([Type.String(), Type.Null()]),
      }),
      { description: 'The subscriptions skipped or failed, and why (the first 100).' },
    ),
    createdAt: Timestamp,
    completedAt: NullableTimestamp,
  },
  { $id: 'PlanMigration', title: 'PlanMigration' },
);

function toPlanMigration(view: PlanMigrationView) {
  return {
    id: view.id,
    workflowId: planMigrationWorkflowId(view.id),
    planCode: view.planCode,
    fromVersions: view.fromVersions,
    toVersion: view.toVersion,
    applyAt: view.applyAt,
    reason: view.reason,
    requestedBy: view.actor,
    status: view.status,
    total: view.total,
    moved: view.moved,
    skipped: view.skipped,
    failed: view.failed,
    exceptions: view.exceptions.map((e) => ({
      subscriptionId: e.subscriptionId,
      outcome: e.outcome,
      reason: e.detail,
    })),
    createdAt: iso(view.createdAt),
    completedAt: view.completedAt && iso(view.completedAt),
  };
}

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
      try {
        const started = await startPlanMigration(serviceDependencies(app), {
          planCode: request.params.code,
          toVersion,
          fromVersions,
          applyAt,
          reason,
          actor: request.apiKey.id,
        });
        return reply.code(202).send(toPlanMigration(started));
      } catch (error) {
        throw error instanceof Refused ? refusalProblem(error) : error;
      }
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
      const view = await planMigrationView(app.db, code, id);
      if (!view) throw notFound(`Plan ${code} has no migration ${id}.`);
      return toPlanMigration(view);
    },
  );

  done();
};

export default planMigrations;
