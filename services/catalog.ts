// The plan catalog: plans and their immutable versions. Creating a plan or publishing a version
// checks the terms with the catalog rules and today's billable metrics, refusing each field at
// fault; subscriptions stay on the version they were pinned to until moved explicitly.
import { billingThresholdProblem } from '../domain/invoicing/threshold.ts';
import type { Db } from '../db/connect.ts';
import type { Plan } from '../db/database.ts';
import { getMetrics, listMetricCodes } from '../db/repositories/metrics.ts';
import * as plans from '../db/repositories/plans.ts';
import type { PlanTerms, PlanWithVersion, StoredPlanVersion } from '../db/repositories/plans.ts';
import type { Charge, TaxBehavior } from '../domain/catalog/types.ts';
import { validatePlanVersion, type Issue } from '../domain/catalog/validation.ts';
import { isCurrencyCode } from '../domain/core/currency.ts';
import type { Interval } from '../domain/core/periods.ts';
import type { PageRequest, ServiceDependencies } from './dependencies.ts';
import { Refused, refusedFor } from './refused.ts';

/** What a plan charges as sent: its charges, or the shorthand of one flat advance amount. */
export type SentCharges = { charges: readonly object[] } | { amount: number };

export interface NewPlanOrder {
  code: string;
  name: string;
  currency: string;
  interval: Interval;
  intervalCount: number;
  taxBehavior: TaxBehavior;
  charges: SentCharges;
  minimumCommitment?: string | undefined;
  createdBy: string;
  /** The billing threshold its subscriptions get by default (threshold billing). */
  billingThreshold?: number | undefined;
}

/** A new version's terms; what is left out is the current version's (charges never are). */
export interface NewVersionOrder {
  planCode: string;
  /** Must be the plan's if given: a plan's currency never changes. */
  currency?: string | undefined;
  interval?: Interval | undefined;
  intervalCount?: number | undefined;
  taxBehavior?: TaxBehavior | undefined;
  charges: SentCharges;
  minimumCommitment?: string | undefined;
  createdBy: string;
}

/** Terms as sent: charges of the right shape, not yet checked against the catalog rules. */
type SentTerms = Omit<PlanTerms, 'charges'> & { charges: readonly object[] };

/** The amount shorthand is one flat charge billed in advance, described as the plan is named. */
function chargesOf(sent: SentCharges, description: string): readonly object[] {
  if ('charges' in sent) return sent.charges;
  return [
    { key: 'base', description, type: 'flat', billing: 'advance', amount: String(sent.amount) },
  ];
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

/**
 * A percentage charge takes its rate of each event's amount (the metric's field): on a count or
 * unique_count metric there is none, and every invoice of the plan would fail to rate.
 */
async function percentageWithoutAmounts(db: Db, charges: readonly object[]): Promise<Issue[]> {
  const percentages = (charges as { pricing?: { model?: unknown }; metricCode?: unknown }[])
    .map((charge, i) => ({ charge, i }))
    .filter(
      ({ charge }) =>
        charge.pricing?.model === 'percentage' && typeof charge.metricCode === 'string',
    );
  if (percentages.length === 0) return [];
  const metrics = await getMetrics(
    db,
    percentages.map(({ charge }) => charge.metricCode as string),
  );
  return percentages.flatMap(({ charge, i }) => {
    const aggregation = metrics.get(charge.metricCode as string)?.aggregation;
    return aggregation === 'count' || aggregation === 'unique_count'
      ? [
          {
            field: `charges[${i}].metricCode`,
            message: `metric "${String(charge.metricCode)}" has no amount field to take a percentage of (use a sum metric)`,
          },
        ]
      : [];
  });
}

/**
 * Checks the terms with the catalog rules and today's billable metrics (refused naming each
 * field) and returns them as the catalog types them.
 */
async function checkedTerms(
  db: Db,
  planCode: string,
  terms: SentTerms,
  amountShorthand: boolean,
): Promise<PlanTerms> {
  const metricCodes = new Set(await listMetricCodes(db));
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
    ...(await percentageWithoutAmounts(db, terms.charges)),
  ].filter((issue, i, all) => all.findIndex((other) => other.field === issue.field) === i);
  // No issues: every charge is a well-formed catalog Charge.
  if (issues.length === 0) return { ...terms, charges: terms.charges as Charge[] };
  throw refusedFor(
    issues.map((issue) => ({ field: bodyField(issue, amountShorthand), message: issue.message })),
  );
}

/** Creates the plan and its version 1; refused for invalid terms or a code already taken. */
export async function createPlan(
  deps: ServiceDependencies,
  order: NewPlanOrder,
): Promise<PlanWithVersion> {
  if (!isCurrencyCode(order.currency)) {
    throw new Refused('unprocessable', `${order.currency} is not an ISO 4217 currency we bill in`, {
      field: 'currency',
    });
  }
  const sent: SentTerms = {
    currency: order.currency,
    interval: order.interval,
    intervalCount: order.intervalCount,
    taxBehavior: order.taxBehavior,
    charges: chargesOf(order.charges, order.name),
    minimumCommitment: order.minimumCommitment,
  };
  const thresholdProblem = billingThresholdProblem(order.billingThreshold);
  if (thresholdProblem)
    throw new Refused('unprocessable', thresholdProblem, { field: 'billingThreshold' });
  const terms = await checkedTerms(deps.db, order.code, sent, 'amount' in order.charges);
  const created = await plans.createPlan(deps.db, {
    code: order.code,
    name: order.name,
    terms,
    createdBy: order.createdBy,
    billingThreshold: order.billingThreshold,
  });
  if (!created) throw new Refused('conflict', `A plan with code "${order.code}" already exists.`);
  return created;
}

/** Publishes the plan's next version and makes it current; refused as creating a plan is. */
export async function publishPlanVersion(
  deps: ServiceDependencies,
  order: NewVersionOrder,
): Promise<PlanWithVersion> {
  const code = order.planCode;
  const current = await plans.getPlanWithCurrentVersion(deps.db, code);
  if (!current) throw new Refused('not_found', `Plan ${code} does not exist.`);
  const { version } = current;
  if (order.currency !== undefined && order.currency !== version.currency) {
    throw new Refused(
      'unprocessable',
      `plan ${code} is priced in ${version.currency}; a plan’s currency cannot change (create a new plan instead)`,
      { field: 'currency' },
    );
  }
  const sent: SentTerms = {
    currency: version.currency,
    interval: order.interval ?? version.billingCycle.interval,
    intervalCount: order.intervalCount ?? version.billingCycle.intervalCount,
    taxBehavior: order.taxBehavior ?? version.taxBehavior,
    charges: chargesOf(order.charges, current.plan.name),
    minimumCommitment: order.minimumCommitment,
  };
  const terms = await checkedTerms(deps.db, code, sent, 'amount' in order.charges);
  const updated = await plans.addPlanVersion(deps.db, {
    planCode: code,
    terms,
    createdBy: order.createdBy,
  });
  if (!updated) throw new Refused('not_found', `Plan ${code} does not exist.`);
  return updated;
}

export function listPlans(deps: ServiceDependencies, page: PageRequest) {
  return plans.listPlans(deps.db, page);
}

/** The plan with its current version; refused as not found for an unknown code. */
export async function getPlan(deps: ServiceDependencies, code: string): Promise<PlanWithVersion> {
  const found = await plans.getPlanWithCurrentVersion(deps.db, code);
  if (!found) throw new Refused('not_found', `Plan ${code} does not exist.`);
  return found;
}

async function requirePlan(db: Db, code: string): Promise<Plan> {
  const plan = await plans.getPlanByCode(db, code);
  if (!plan) throw new Refused('not_found', `Plan ${code} does not exist.`);
  return plan;
}

/** Every version of the plan, newest first, with the number of the current one. */
export async function listPlanVersions(
  deps: ServiceDependencies,
  code: string,
): Promise<{ versions: StoredPlanVersion[]; currentVersion: number }> {
  const plan = await requirePlan(deps.db, code);
  return {
    versions: await plans.listPlanVersions(deps.db, plan),
    currentVersion: plan.current_version,
  };
}

/** One version of the plan, with the number of the current one. */
export async function getPlanVersion(
  deps: ServiceDependencies,
  code: string,
  number: number,
): Promise<{ version: StoredPlanVersion; currentVersion: number }> {
  const plan = await requirePlan(deps.db, code);
  const version = await plans.getPlanVersion(deps.db, plan, number);
  if (!version) throw new Refused('not_found', `Plan ${code} has no version ${number}.`);
  return { version, currentVersion: plan.current_version };
}
