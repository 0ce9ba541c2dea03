// The plan migration routes' request and response shapes, and how a migration is shown.
import { Type } from 'typebox';
import type { PlanMigrationView } from '../../services/plan-migrations.ts';
import { planMigrationWorkflowId } from '../../workflow-contracts/ids.ts';
import { CodeParams, IdParams, iso, NullableTimestamp, Timestamp } from './common.ts';

const Version = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const ApplyAt = Type.Enum(['now', 'period_end']);

export const MigrationParams = Type.Object(
  { ...CodeParams.properties, ...IdParams.properties },
  { additionalProperties: false },
);

export const CreateMigrationBody = Type.Object(
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

export const PlanMigrationSchema = Type.Object(
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

export function toPlanMigration(view: PlanMigrationView) {
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
