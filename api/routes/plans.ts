// Plans: POST /v1/plans, GET /v1/plans, GET /v1/plans/:code.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Plan as PlanRow } from '../../db/database.ts';
import { createPlan, getPlanByCode, listPlans } from '../../db/repositories/plans.ts';
import { isCurrencyCode } from '../../domain/currency.ts';
import { INTERVALS, type Interval } from '../../domain/periods.ts';
import { conflict, notFound, unprocessable } from '../problem.ts';
import {
  CurrencyCode,
  DEFAULT_LIMIT,
  described,
  iso,
  Limit,
  ListOf,
  Money,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';

const PLAN_CODE_PATTERN = '^[a-z0-9][a-z0-9_-]{1,62}$';

const PlanCode = Type.String({
  pattern: PLAN_CODE_PATTERN,
  description: 'Unique slug: lower-case letters, digits, `-` and `_`, 2–63 characters.',
  examples: ['pro-monthly'],
});

const IntervalSchema = Type.Enum([...INTERVALS], {
  description: 'The calendar unit of a billing period.',
});

export const PlanSchema = Type.Object(
  {
    id: Type.String({ examples: ['plan_abcdefghijklmnopqrst'] }),
    code: PlanCode,
    name: Type.String(),
    currency: CurrencyCode,
    interval: IntervalSchema,
    intervalCount: Type.Integer({ minimum: 1 }),
    price: Money,
    createdAt: Timestamp,
  },
  { $id: 'Plan', title: 'Plan' },
);

const CreatePlanBody = Type.Object(
  {
    code: PlanCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    currency: CurrencyCode,
    interval: IntervalSchema,
    intervalCount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 366,
        default: 1,
        description: 'Bill every N intervals, e.g. 2 with week for fortnightly (default 1).',
      }),
    ),
    amount: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Price per period in integer minor units (4900 = €49.00), billed in advance.',
    }),
  },
  { additionalProperties: false },
);

const ListPlansQuery = Type.Object(
  {
    limit: Limit,
    startingAfter: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Cursor: the code of the last plan of the previous page.',
      }),
    ),
  },
  { additionalProperties: false },
);

export function toPlan(row: PlanRow) {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    currency: row.currency,
    interval: row.interval as Interval,
    intervalCount: row.interval_count,
    price: { amount: row.amount, currency: row.currency },
    createdAt: iso(row.created_at),
  };
}

const plans: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/plans',
    {
      schema: {
        tags: ['Plans'],
        summary: 'Create a plan',
        description:
          'Creates a plan: a flat price billed in advance every `intervalCount` × `interval`. Codes are unique.',
        body: CreatePlanBody,
        response: {
          201: described(PlanSchema, 'The created plan.'),
          409: problemResponse('A plan with this code exists (or the Idempotency-Key conflicts).'),
          422: problemResponse('The currency is not one we bill in.'),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      if (!isCurrencyCode(body.currency))
        throw unprocessable('currency', `${body.currency} is not an ISO 4217 currency we bill in`);
      const row = await createPlan(app.db, { ...body, intervalCount: body.intervalCount ?? 1 });
      if (!row) throw conflict(`A plan with code "${body.code}" already exists.`);
      return reply.code(201).send(toPlan(row));
    },
  );

  app.get(
    '/plans',
    {
      schema: {
        tags: ['Plans'],
        summary: 'List plans',
        description: 'Plans, newest first.',
        querystring: ListPlansQuery,
        response: { 200: ListOf(PlanSchema, 'A page of plans.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listPlans(app.db, { limit, startingAfter });
      return { data: page.items.map(toPlan), hasMore: page.hasMore };
    },
  );

  app.get(
    '/plans/:code',
    {
      schema: {
        tags: ['Plans'],
        summary: 'Get a plan',
        description: 'One plan by its code.',
        params: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 63 }) },
          { additionalProperties: false },
        ),
        response: {
          200: described(PlanSchema, 'The plan.'),
          404: problemResponse('No plan has this code.'),
        },
      },
    },
    async (request) => {
      const row = await getPlanByCode(app.db, request.params.code);
      if (!row) throw notFound(`Plan ${request.params.code} does not exist.`);
      return toPlan(row);
    },
  );

  done();
};

export default plans;
