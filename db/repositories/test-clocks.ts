// Test clocks as stored, and the workflows billed on each: what an advance must walk.
import type { Db } from '../connect.ts';
import type { TestClock } from '../database.ts';
import { subscriptionWorkflowId } from '../../workflows/subscription-messages.ts';

export async function insertTestClock(
  db: Db,
  clock: { id: string; name: string | null; frozenTime: string },
): Promise<TestClock> {
  return db
    .insertInto('test_clocks')
    .values({ id: clock.id, name: clock.name, frozen_time: clock.frozenTime, status: 'ready' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getTestClock(db: Db, id: string): Promise<TestClock | undefined> {
  return db.selectFrom('test_clocks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listTestClocks(db: Db): Promise<TestClock[]> {
  return db.selectFrom('test_clocks').selectAll().orderBy('created_at', 'desc').execute();
}

/**
 * Marks the clock advancing to `to`, only if it is ready and `to` is later than its time:
 * two advances never run at once, and time never goes back. Undefined when refused.
 */
export async function beginAdvance(db: Db, id: string, to: string): Promise<TestClock | undefined> {
  return db
    .updateTable('test_clocks')
    .set({ status: 'advancing', advancing_to: to })
    .where('id', '=', id)
    .where('status', '=', 'ready')
    .where('frozen_time', '<', new Date(to))
    .returningAll()
    .executeTakeFirst();
}

/** The advance is done: the clock reads its target. Idempotent (a retry finds it done). */
export async function finishAdvance(db: Db, id: string, to: string): Promise<void> {
  await db
    .updateTable('test_clocks')
    .set({ status: 'ready', frozen_time: to, advancing_to: null })
    .where('id', '=', id)
    .where('status', '=', 'advancing')
    .where('advancing_to', '=', new Date(to))
    .execute();
}

/** Marks the clock deleting (no advance may start); undefined if it does not exist. */
export async function beginDelete(db: Db, id: string): Promise<TestClock | undefined> {
  return db
    .updateTable('test_clocks')
    .set({ status: 'deleting' })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * The workflows billed on the clock that may still have work to do, by workflow id. Workflows
 * that turn out to be closed are skipped by the advance.
 */
export async function clockWorkflowIds(db: Db, clockId: string): Promise<string[]> {
  const subscriptions = await db
    .selectFrom('subscriptions')
    .innerJoin('customers', 'customers.id', 'subscriptions.customer_id')
    .select('subscriptions.id')
    .where('customers.test_clock_id', '=', clockId)
    .where('subscriptions.status', '<>', 'ended')
    .orderBy('subscriptions.id')
    .execute();
  // Collections of the clock's invoices that still have steps ahead of them.
  const collections = await db
    .selectFrom('invoice_collections')
    .innerJoin('customers', 'customers.id', 'invoice_collections.customer_id')
    .select('invoice_collections.workflow_id')
    .where('customers.test_clock_id', '=', clockId)
    .where('invoice_collections.ended', '=', false)
    .orderBy('invoice_collections.invoice_id')
    .execute();
  return [
    ...subscriptions.map((s) => subscriptionWorkflowId(s.id)),
    ...collections.map((c) => c.workflow_id),
  ];
}

/** The clock's customers, for deletion. */
export async function clockCustomerIds(db: Db, clockId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where('test_clock_id', '=', clockId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
