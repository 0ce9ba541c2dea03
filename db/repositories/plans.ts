// Plans: a flat recurring price per billing interval, addressed by a unique code.
import { sql } from 'kysely';
import type { Interval } from '../../domain/periods.ts';
import type { Db } from '../connect.ts';
import type { Plan } from '../database.ts';
import { newId } from '../ids.ts';

export interface NewPlanInput {
  code: string;
  name: string;
  currency: string;
  interval: Interval;
  intervalCount: number;
  /** Integer minor units. */
  amount: number;
}

/**
 * Creates the plan, or returns undefined when the code is taken. The unique index on
 * `plans.code` decides (no read first), so two concurrent creates cannot both succeed.
 */
export async function createPlan(db: Db, input: NewPlanInput): Promise<Plan | undefined> {
  return db
    .insertInto('plans')
    .values({
      id: newId('plan'),
      code: input.code,
      name: input.name,
      currency: input.currency,
      interval: input.interval,
      interval_count: input.intervalCount,
      amount: input.amount,
    })
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function getPlanByCode(db: Db, code: string): Promise<Plan | undefined> {
  return db.selectFrom('plans').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Newest first; `startingAfter` is the code of the last plan of the previous page. */
export async function listPlans(
  db: Db,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: Plan[]; hasMore: boolean }> {
  let query = db.selectFrom('plans').selectAll();
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    query = query.where(
      sql<boolean>`(created_at, id) < (select p.created_at, p.id from plans p where p.code = ${cursor})`,
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return { items: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}
