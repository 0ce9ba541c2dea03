// Plans: POST /v1/plans, GET /v1/plans, GET /v1/plans/:code, and their versions:
// POST /v1/plans/:code/versions, GET /v1/plans/:code/versions, GET /v1/plans/:code/versions/:version.
// What a plan charges lives in immutable versions; editing a plan adds one, and subscriptions
// stay on the version they were pinned to until moved explicitly.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { listMetricCodes } from '../../db/repositories/metrics.ts';
import {
  addPlanVersion,
  createPlan,
  flatAdvancePrice,
  getPlanByCode,
  getPlanVersion,
  getPlanWithCurrentVersion,
  listPlans,
  listPlanVersions,
  type PlanTerms,
  type PlanWithVersion,
  type StoredPlanVersion,
} from '../../db/repositories/plans.ts';
import type { Charge } from '../../domain/catalog/types.ts';
import { validatePlanVersion, type Issue } from '../../domain/catalog/validation.ts';
import { isCurrencyCode } from '../../domain/core/currency.ts';
import { INTERVALS } from '../../domain/core/periods.ts';
import { conflict, notFound, Problem, unprocessable } from '../problem.ts';
import { ChargeSchema, MinimumCommitment, TaxBehaviorSchema } from '../schemas/catalog.ts';
import {
  CodeParams,
  CurrencyCode,
  DEFAULT_LIMIT,
  described,
  iso,
  Limit,
  ListOf,
  Money,
  pageAfter,
  PageQuery,
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

const PriceSchema = Type.Union([Money, Type.Null()], {
  description:
    'The flat price per period when the plan is one flat charge billed in advance; null otherwise (see `charges`).',
});

const NullableMinimum = Type.Union([MinimumCommitment, Type.Null()], {
  description: 'Minimum spend per period in minor units; null when there is none.',
});

export const PlanSchema = Type.Object(
  {
    id: Type.String({ examples: ['plan_abcdefghijklmnopqrst'] }),
    code: PlanCode,
    name: Type.String(),
    currency: CurrencyCode,
    interval: IntervalSchema,
    intervalCount: Type.Integer({ minimum: 1 }),
    price: PriceSchema,
    version: Type.Integer({
      minimum: 1,
      description: 'The current version: the one new subscriptions are pinned to.',
    }),
    taxBehavior: TaxBehaviorSchema,
    charges: Type.Array(ChargeSchema, { description: 'What the current version charges.' }),
    minimumCommitment: NullableMinimum,
    createdAt: Timestamp,
  },
  { $id: 'Plan', title: 'Plan' },
);

export const PlanVersionSchema = Type.Object(
  {
    planCode: PlanCode,
    version: Type.Integer({ minimum: 1 }),
    current: Type.Boolean({ description: 'True for the version new subscriptions get.' }),
    currency: CurrencyCode,
    interval: IntervalSchema,
    intervalCount: Type.Integer({ minimum: 1 }),
    price: PriceSchema,
    taxBehavior: TaxBehaviorSchema,
    charges: Type.Array(ChargeSchema),
    minimumCommitment: NullableMinimum,
    createdAt: Timestamp,
    createdBy: Type.String({ description: 'The API key that created it, or "migration".' }),
  },
  {
    $id: 'PlanVersion',
    title: 'PlanVersion',
    description: 'One immutable version of a plan’s terms.',
  },
);

const IntervalCount = Type.Integer({
  minimum: 1,
  maximum: 366,
  description: 'Bill every N intervals, e.g. 2 with week for fortnightly.',
});

const FlatAmount = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description:
    'Shorthand for one flat charge billed in advance: the price per period in integer minor ' +
    'units (4900 = €49.00). Send either `amount` or `charges`.',
});

const Charges = Type.Array(ChargeSchema, {
  minItems: 1,
  maxItems: 50,
  description:
    'The charges, each with a unique `key`. Send either `charges` or `amount`. Fields a charge ' +
    'needs depend on its `type` (and a usage charge’s `pricing.model`); a missing or ' +
    'unacceptable one is a 422 naming it, e.g. `charges[1].pricing.tiers[0].upTo`.',
});

const CreatePlanBody = Type.Object(
  {
    code: PlanCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    currency: CurrencyCode,
    interval: IntervalSchema,
    intervalCount: Type.Optional({ ...IntervalCount, default: 1 }),
    amount: Type.Optional(FlatAmount),
    charges: Type.Optional(Charges),
    taxBehavior: Type.Optional({ ...TaxBehaviorSchema, default: 'exclusive' }),
    minimumCommitment: Type.Optional(MinimumCommitment),
  },
  { additionalProperties: false },
);

const CreateVersionBody = Type.Object(
  {
    currency: Type.Optional({
      ...CurrencyCode,
      description: 'Must be the plan’s currency if given: a plan’s currency never changes.',
    }),
    interval: Type.Optional({ ...IntervalSchema, description: 'Default: the current version’s.' }),
    intervalCount: Type.Optional({
      ...IntervalCount,
      description: 'Default: the current version’s.',
    }),
    amount: Type.Optional(FlatAmount),
    charges: Type.Optional(Charges),
    taxBehavior: Type.Optional({
      ...TaxBehaviorSchema,
      description: 'Default: the current version’s.',
    }),
    minimumCommitment: Type.Optional({
      ...MinimumCommitment,
      description: 'Minimum spend per period in minor units; omitted means none (not inherited).',
    }),
  },
  { additionalProperties: false },
);

const VersionParams = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 63 }),
    version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
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

function priceOf(version: StoredPlanVersion) {
  const amount = flatAdvancePrice(version.charges);
  return amount === undefined ? null : { amount, currency: version.currency };
}

export function toPlan({ plan, version }: PlanWithVersion) {
  return {
    id: plan.id,
    code: plan.code,
    name: plan.name,
    currency: version.currency,
    interval: version.billingCycle.interval,
    intervalCount: version.billingCycle.intervalCount,
    price: priceOf(version),
    version: version.version,
    taxBehavior: version.taxBehavior,
    charges: version.charges,
    minimumCommitment: version.minimumCommitment ?? null,
    createdAt: iso(plan.created_at),
  };
}

export function toPlanVersion(version: StoredPlanVersion, currentVersion: number) {
  return {
    planCode: version.planCode,
    version: version.version,
    current: version.version === currentVersion,
    currency: version.currency,
    interval: version.billingCycle.interval,
    intervalCount: version.billingCycle.intervalCount,
    price: priceOf(version),
    taxBehavior: version.taxBehavior,
    charges: version.charges,
    minimumCommitment: version.minimumCommitment ?? null,
    createdAt: iso(version.createdAt),
    createdBy: version.createdBy,
  };
}

/** Either `amount` (one flat advance charge) or `charges`: exactly one. A schema-level rule. */
function chargesOf(
  body: { amount?: number | undefined; charges?: readonly object[] | undefined },
  description: string,
): readonly object[] {
  if (body.amount !== undefined && body.charges !== undefined) {
    throw invalidRequest('amount', 'send either amount or charges, not both');
  }
  if (body.charges !== undefined) return body.charges;
  if (body.amount === undefined) throw invalidRequest('charges', 'send either charges or amount');
  return [
    { key: 'base', description, type: 'flat', billing: 'advance', amount: String(body.amount) },
  ];
}

function invalidRequest(field: string, message: string): Problem {
  return new Problem({
    status: 400,
    slug: 'validation-error',
    title: 'Invalid request',
    detail: `${field}: ${message}`,
    errors: [{ field, message }],
  });
}

/** The catalog's field names are the body's, except the billing cycle's (flat in the body). */
function bodyField(issue: Issue, amountShorthand: boolean): string {
  if (issue.field.startsWith('billingCycle.')) return issue.field.slice('billingCycle.'.length);
  if (issue.field === 'planCode') return 'code';
  if (amountShorthand && issue.field.startsWith('charges[0]')) return 'amount';
  return issue.field;
}

// Fields each charge type and pricing model takes, beyond the common ones: a field of another
// type is a mistake to report, never data to store and ignore.
const CHARGE_FIELDS: Record<string, readonly string[]> = {
  flat: ['amount'],
  per_seat: ['unitAmount'],
  usage: ['metricCode', 'pricing'],
};
const COMMON_CHARGE_FIELDS = [
  'key',
  'description',
  'type',
  'billing',
  'freeUnits',
  'minimum',
  'maximum',
];
const PRICING_FIELDS: Record<string, readonly string[]> = {
  per_unit: ['unitPrice', 'blockSize'],
  graduated: ['tiers', 'blockSize'],
  volume: ['tiers', 'blockSize'],
  package: ['packageSize', 'packagePrice', 'freeUnits'],
  percentage: [
    'rate',
    'fixedFeePerTransaction',
    'minPerTransaction',
    'maxPerTransaction',
    'freeTransactions',
    'freeAmount',
  ],
  graduated_percentage: ['tiers'],
};

function strayChargeFields(charges: readonly object[]): Issue[] {
  const issues: Issue[] = [];
  charges.forEach((charge, i) => {
    const { type, pricing } = charge as { type?: string; pricing?: { model?: string } };
    const own = type === undefined ? undefined : CHARGE_FIELDS[type];
    if (!own) return;
    for (const field of Object.keys(charge)) {
      if (!COMMON_CHARGE_FIELDS.includes(field) && !own.includes(field))
        issues.push({ field: `charges[${i}].${field}`, message: `not a field of ${type} charges` });
    }
    const model = pricing?.model;
    const modelFields = model === undefined ? undefined : PRICING_FIELDS[model];
    if (!pricing || !modelFields) return;
    for (const field of Object.keys(pricing)) {
      if (field !== 'model' && !modelFields.includes(field))
        issues.push({
          field: `charges[${i}].pricing.${field}`,
          message: `not a field of ${model} pricing`,
        });
    }
  });
  return issues;
}

/** Terms as sent: charges of the right shape, not yet checked against the catalog rules. */
type SentTerms = Omit<PlanTerms, 'charges'> & { charges: readonly object[] };

/**
 * A percentage charge takes its rate of each event's amount (the metric's field): on a count or
 * unique_count metric there is none, and every invoice of the plan would fail to rate.
 */
async function percentageWithoutAmounts(
  app: FastifyInstance,
  charges: SentTerms['charges'],
): Promise<Issue[]> {
  const rows = await app.db
    .selectFrom('billable_metrics')
    .select(['code', 'aggregation'])
    .where('aggregation', 'in', ['count', 'unique_count'])
    .execute();
  const noAmount = new Set(rows.map((row) => row.code));
  return (charges as { pricing?: { model?: unknown }; metricCode?: unknown }[]).flatMap(
    (charge, i) =>
      charge.pricing?.model === 'percentage' &&
      typeof charge.metricCode === 'string' &&
      noAmount.has(charge.metricCode)
        ? [
            {
              field: `charges[${i}].metricCode`,
              message: `metric "${charge.metricCode}" has no amount field to take a percentage of (use a sum metric)`,
            },
          ]
        : [],
  );
}

/**
 * Checks the terms with the catalog rules and today's billable metrics (422 naming each field)
 * and returns them as the catalog types them.
 */
async function checkedTerms(
  app: FastifyInstance,
  planCode: string,
  terms: SentTerms,
  amountShorthand: boolean,
): Promise<PlanTerms> {
  const metricCodes = new Set(await listMetricCodes(app.db));
  // One issue per field: the catalog rules and the stray-field check may both name one.
  const issues = [
    ...validatePlanVersion(
      {
        planCode,
        version: 1,
        currency: terms.currency,
        billingCycle: { interval: terms.interval, intervalCount: terms.intervalCount },
        taxBehavior: terms.taxBehavior,
        charges: terms.charges,
        ...(terms.minimumCommitment !== undefined && {
          minimumCommitment: terms.minimumCommitment,
        }),
      },
      metricCodes,
    ),
    ...strayChargeFields(terms.charges),
    ...(await percentageWithoutAmounts(app, terms.charges)),
  ].filter((issue, i, all) => all.findIndex((other) => other.field === issue.field) === i);
  // No issues: every charge is a well-formed catalog Charge.
  if (issues.length === 0) return { ...terms, charges: terms.charges as Charge[] };
  const errors = issues.map((issue) => ({
    field: bodyField(issue, amountShorthand),
    message: issue.message,
  }));
  throw new Problem({
    status: 422,
    slug: 'unprocessable',
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}

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
      if (!isCurrencyCode(body.currency))
        throw unprocessable('currency', `${body.currency} is not an ISO 4217 currency we bill in`);
      const sent: SentTerms = {
        currency: body.currency,
        interval: body.interval,
        intervalCount: body.intervalCount ?? 1,
        taxBehavior: body.taxBehavior ?? 'exclusive',
        charges: chargesOf(body, body.name),
        minimumCommitment: body.minimumCommitment,
      };
      const terms = await checkedTerms(app, body.code, sent, body.amount !== undefined);
      const created = await createPlan(app.db, {
        code: body.code,
        name: body.name,
        terms,
        createdBy: request.apiKey.id,
      });
      if (!created) throw conflict(`A plan with code "${body.code}" already exists.`);
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
        description: 'One plan by its code, showing its current version.',
        params: CodeParams,
        response: {
          200: described(PlanSchema, 'The plan.'),
          404: problemResponse('No plan has this code.'),
        },
      },
    },
    async (request) => {
      const found = await getPlanWithCurrentVersion(app.db, request.params.code);
      if (!found) throw notFound(`Plan ${request.params.code} does not exist.`);
      return toPlan(found);
    },
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
      const { code } = request.params;
      const current = await getPlanWithCurrentVersion(app.db, code);
      if (!current) throw notFound(`Plan ${code} does not exist.`);
      const { version } = current;
      if (body.currency !== undefined && body.currency !== version.currency) {
        throw unprocessable(
          'currency',
          `plan ${code} is priced in ${version.currency}; a plan’s currency cannot change (create a new plan instead)`,
        );
      }
      const sent: SentTerms = {
        currency: version.currency,
        interval: body.interval ?? version.billingCycle.interval,
        intervalCount: body.intervalCount ?? version.billingCycle.intervalCount,
        taxBehavior: body.taxBehavior ?? version.taxBehavior,
        charges: chargesOf(body, current.plan.name),
        minimumCommitment: body.minimumCommitment,
      };
      const terms = await checkedTerms(app, code, sent, body.amount !== undefined);
      const updated = await addPlanVersion(app.db, {
        planCode: code,
        terms,
        createdBy: request.apiKey.id,
      });
      if (!updated) throw notFound(`Plan ${code} does not exist.`);
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
      const plan = await getPlanByCode(app.db, request.params.code);
      if (!plan) throw notFound(`Plan ${request.params.code} does not exist.`);
      const versions = await listPlanVersions(app.db, plan);
      return pageAfter(
        versions,
        request.query,
        (v) => String(v.version),
        (v) => toPlanVersion(v, plan.current_version),
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
      const plan = await getPlanByCode(app.db, code);
      if (!plan) throw notFound(`Plan ${code} does not exist.`);
      const found = await getPlanVersion(app.db, plan, version);
      if (!found) throw notFound(`Plan ${code} has no version ${version}.`);
      return toPlanVersion(found, plan.current_version);
    },
  );

  done();
};

export default plans;
