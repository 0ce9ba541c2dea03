// Plans and their versions. A plan is a code and a name; what it charges lives in immutable
// versions (plan_versions), and `plans.current_version` names the one new subscriptions get.
// `plans.currency`, `interval`, `interval_count` mirror the current version; `plans.amount` is
// kept for the flat-rate subscription workflow: the current version's price when it is a single
// flat advance charge, else 0 (read `charges` instead).
import { sql } from 'kysely';
import type { Charge, PlanVersion, TaxBehavior } from '../../domain/catalog/types.ts';
import { decimal, toDecimalString } from '../../domain/core/decimal.ts';
import type { Interval } from '../../domain/core/periods.ts';
import type { Db } from '../connect.ts';
import type { Plan, PlanVersionRow } from '../database.ts';
import { newId } from '../ids.ts';

/** A version's terms, as validated by domain/catalog/validation.ts. */
export interface PlanTerms {
  currency: string;
  interval: Interval;
  intervalCount: number;
  taxBehavior: TaxBehavior;
  charges: Charge[];
  /** Decimal string of minor units per period. */
  minimumCommitment?: string | undefined;
}

export interface NewPlanInput {
  code: string;
  name: string;
  terms: PlanTerms;
  /** Who created it (an API key id), for the version's audit columns. */
  createdBy: string;
  /** The billing threshold its subscriptions get by default (threshold billing). */
  billingThreshold?: number | undefined;
}

/** A stored version: the catalog's PlanVersion plus when and by whom it was created. */
export interface StoredPlanVersion extends PlanVersion {
  planId: string;
  createdAt: Date;
  createdBy: string;
}

export interface PlanWithVersion {
  plan: Plan;
  version: StoredPlanVersion;
}

/** The single flat advance charge's amount when that is all the version charges, else undefined. */
export function flatAdvancePrice(charges: readonly Charge[]): number | undefined {
  if (charges.length !== 1) return undefined;
  const [charge] = charges;
  if (!charge || charge.type !== 'flat' || charge.billing !== 'advance') return undefined;
  if (charge.minimum !== undefined || charge.maximum !== undefined) return undefined;
  const amount = Number(charge.amount);
  return Number.isSafeInteger(amount) && amount >= 0 && String(amount) === charge.amount
    ? amount
    : undefined;
}

function normalizedDecimal(value: string | null): string | undefined {
  return value === null ? undefined : toDecimalString(decimal(value));
}

export function toStoredVersion(row: PlanVersionRow, planCode: string): StoredPlanVersion {
  const minimum = normalizedDecimal(row.minimum_commitment);
  return {
    planId: row.plan_id,
    planCode,
    version: row.version,
    currency: row.currency,
    billingCycle: { interval: row.interval as Interval, intervalCount: row.interval_count },
    taxBehavior: row.tax_behavior as TaxBehavior,
    charges: row.charges as Charge[],
    ...(minimum !== undefined && { minimumCommitment: minimum }),
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/** The catalog's view of a stored version: what a workflow carries (no audit columns). */
export function toCatalogVersion(version: StoredPlanVersion): PlanVersion {
  return {
    planCode: version.planCode,
    version: version.version,
    currency: version.currency,
    billingCycle: version.billingCycle,
    taxBehavior: version.taxBehavior,
    charges: version.charges,
    ...(version.minimumCommitment !== undefined && {
      minimumCommitment: version.minimumCommitment,
    }),
  };
}

function versionValues(planId: string, version: number, terms: PlanTerms, createdBy: string) {
  return {
    plan_id: planId,
    version,
    currency: terms.currency,
    interval: terms.interval,
    interval_count: terms.intervalCount,
    tax_behavior: terms.taxBehavior,
    charges: JSON.stringify(terms.charges),
    minimum_commitment: terms.minimumCommitment ?? null,
    created_by: createdBy,
  };
}

/**
 * Creates the plan with its version 1, or returns undefined when the code is taken. The unique
 * index on `plans.code` decides (no read first), so two concurrent creates cannot both succeed.
 */
export async function createPlan(
  db: Db,
  input: NewPlanInput,
): Promise<PlanWithVersion | undefined> {
  const { terms } = input;
  return db.transaction().execute(async (trx) => {
    const plan = await trx
      .insertInto('plans')
      .values({
        id: newId('plan'),
        code: input.code,
        name: input.name,
        currency: terms.currency,
        interval: terms.interval,
        interval_count: terms.intervalCount,
        amount: flatAdvancePrice(terms.charges) ?? 0,
        current_version: 1,
        billing_threshold: input.billingThreshold ?? null,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!plan) return undefined;
    const row = await trx
      .insertInto('plan_versions')
      .values(versionValues(plan.id, 1, terms, input.createdBy))
      .returningAll()
      .executeTakeFirstOrThrow();
    return { plan, version: toStoredVersion(row, plan.code) };
  });
}

/**
 * Adds the next version of a plan and makes it current. The plan row is locked, so concurrent
 * edits get consecutive numbers. Undefined when the plan does not exist.
 */
export async function addPlanVersion(
  db: Db,
  input: { planCode: string; terms: PlanTerms; createdBy: string },
): Promise<PlanWithVersion | undefined> {
  const { terms } = input;
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('plans')
      .selectAll()
      .where('code', '=', input.planCode)
      .forUpdate()
      .executeTakeFirst();
    if (!current) return undefined;
    const version = current.current_version + 1;
    const row = await trx
      .insertInto('plan_versions')
      .values(versionValues(current.id, version, terms, input.createdBy))
      .returningAll()
      .executeTakeFirstOrThrow();
    const plan = await trx
      .updateTable('plans')
      .set({
        current_version: version,
        currency: terms.currency,
        interval: terms.interval,
        interval_count: terms.intervalCount,
        amount: flatAdvancePrice(terms.charges) ?? 0,
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { plan, version: toStoredVersion(row, plan.code) };
  });
}

export async function getPlanByCode(db: Db, code: string): Promise<Plan | undefined> {
  return db.selectFrom('plans').selectAll().where('code', '=', code).executeTakeFirst();
}

/** The plan with its current version; undefined when no plan has the code. */
export async function getPlanWithCurrentVersion(
  db: Db,
  code: string,
): Promise<PlanWithVersion | undefined> {
  const plan = await getPlanByCode(db, code);
  if (!plan) return undefined;
  const version = await getPlanVersion(db, plan, plan.current_version);
  if (!version) throw new Error(`plan ${code} has no version ${plan.current_version}`);
  return { plan, version };
}

export async function getPlanVersion(
  db: Db,
  plan: Pick<Plan, 'id' | 'code'>,
  version: number,
): Promise<StoredPlanVersion | undefined> {
  const row = await db
    .selectFrom('plan_versions')
    .selectAll()
    .where('plan_id', '=', plan.id)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && toStoredVersion(row, plan.code);
}

/** Every version of the plan, newest first. */
export async function listPlanVersions(
  db: Db,
  plan: Pick<Plan, 'id' | 'code'>,
): Promise<StoredPlanVersion[]> {
  const rows = await db
    .selectFrom('plan_versions')
    .selectAll()
    .where('plan_id', '=', plan.id)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => toStoredVersion(row, plan.code));
}

/** Newest first, each with its current version; `startingAfter` is the code of the last plan of the previous page. */
export async function listPlans(
  db: Db,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: PlanWithVersion[]; hasMore: boolean }> {
  let query = db
    .selectFrom('plans')
    .innerJoin('plan_versions as v', (join) =>
      join.onRef('v.plan_id', '=', 'plans.id').onRef('v.version', '=', 'plans.current_version'),
    )
    .selectAll('plans')
    .select([
      'v.plan_id as v_plan_id',
      'v.version as v_version',
      'v.currency as v_currency',
      'v.interval as v_interval',
      'v.interval_count as v_interval_count',
      'v.tax_behavior as v_tax_behavior',
      'v.charges as v_charges',
      'v.minimum_commitment as v_minimum_commitment',
      'v.created_at as v_created_at',
      'v.created_by as v_created_by',
    ]);
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    query = query.where(
      sql<boolean>`(plans.created_at, plans.id) < (select p.created_at, p.id from plans p where p.code = ${cursor})`,
    );
  }
  const rows = await query
    .orderBy('plans.created_at', 'desc')
    .orderBy('plans.id', 'desc')
    .limit(options.limit + 1)
    .execute();
  const items = rows.slice(0, options.limit).map((row) => {
    const {
      v_plan_id,
      v_version,
      v_currency,
      v_interval,
      v_interval_count,
      v_tax_behavior,
      v_charges,
      v_minimum_commitment,
      v_created_at,
      v_created_by,
      ...plan
    } = row;
    const version = toStoredVersion(
      {
        plan_id: v_plan_id,
        version: v_version,
        currency: v_currency,
        interval: v_interval,
        interval_count: v_interval_count,
        tax_behavior: v_tax_behavior,
        charges: v_charges,
        minimum_commitment: v_minimum_commitment,
        created_at: v_created_at,
        created_by: v_created_by,
      },
      plan.code,
    );
    return { plan, version };
  });
  return { items, hasMore: rows.length > options.limit };
}
