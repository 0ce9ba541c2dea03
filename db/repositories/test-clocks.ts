// Test clocks as stored, and the workflows billed on each: what an advance must walk.
import { sql, type Kysely } from 'kysely';
import { olderThan, toPage } from '../pagination.ts';
import type { Db } from '../connect.ts';
import type { Customer, Database, TestClock } from '../database.ts';
import { testClockSeries } from './number-series.ts';
import {
  subscriptionWorkflowId,
  projectWorkflowId,
  manualInvoiceWorkflowId,
  walletGrantExpiryWorkflowId,
  walletTopUpWorkflowId,
  quoteWorkflowId,
} from '../../workflow-contracts/ids.ts';
import type { TestClockRef } from '../../workflow-contracts/test-clock.ts';

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

/** What a workflow started for a customer on a clock carries: the clock and its time now. */
export async function testClockRefOf(
  db: Kysely<Database>,
  clockId: string | null,
): Promise<TestClockRef | undefined> {
  if (!clockId) return undefined;
  const clock = await db
    .selectFrom('test_clocks')
    .select(['id', 'frozen_time'])
    .where('id', '=', clockId)
    .executeTakeFirstOrThrow();
  return { id: clock.id, now: clock.frozen_time.toISOString() };
}

/** Newest first; `startingAfter` is the id of the previous page's last clock. */
export async function listTestClocks(
  db: Db,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: TestClock[]; hasMore: boolean }> {
  let query = db
    .selectFrom('test_clocks')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.startingAfter !== undefined)
    query = query.where(olderThan('test_clocks', options.startingAfter));
  return toPage(await query.execute(), options.limit);
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

/**
 * The walk of an advance reached `at`: the clock reads it while the step is billed, so what its
 * customers' workflows do then (an email held for business hours, a reminder) and what an
 * operator does meanwhile is dated at the step, not where the advance began. Never back, never
 * past the target; nothing once the advance is over.
 */
export async function reachAdvanceStep(db: Db, id: string, at: string): Promise<void> {
  await db
    .updateTable('test_clocks')
    .set({ frozen_time: at })
    .where('id', '=', id)
    .where('status', '=', 'advancing')
    .where('frozen_time', '<', new Date(at))
    .where('advancing_to', '>=', new Date(at))
    .execute();
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
  const projects = await db
    .selectFrom('projects')
    .innerJoin('customers', 'customers.id', 'projects.customer_id')
    .select('projects.id')
    .where('customers.test_clock_id', '=', clockId)
    .where('projects.status', '=', 'active')
    .orderBy('projects.id')
    .execute();
  // Manual invoices finalized but not yet emailed (their email may wait for business hours).
  const manualInvoices = await db
    .selectFrom('invoices')
    .innerJoin('customers', 'customers.id', 'invoices.customer_id')
    .select('invoices.id')
    .where('customers.test_clock_id', '=', clockId)
    .where('invoices.origin', '=', 'manual')
    .where('invoices.status', '<>', 'draft')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('email_deliveries')
            .select('email_deliveries.idempotency_key')
            .whereRef('email_deliveries.invoice_id', '=', 'invoices.id')
            .where('email_deliveries.kind', '=', 'invoice_issued')
            .where('email_deliveries.status', '=', 'sent'),
        ),
      ),
    )
    .orderBy('invoices.id')
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
  // Wallet grants whose expiry timer has not fired yet.
  const grants = await db
    .selectFrom('wallet_grants')
    .innerJoin('customers', 'customers.id', 'wallet_grants.customer_id')
    .select('wallet_grants.id')
    .where('customers.test_clock_id', '=', clockId)
    .where('wallet_grants.expires_at', 'is not', null)
    .where('wallet_grants.status', 'in', ['pending', 'active'])
    .orderBy('wallet_grants.id')
    .execute();
  // Wallets with a recurring top-up, or that had one (its timer ends at its next period).
  const topUps = await db
    .selectFrom('wallets')
    .innerJoin('customers', 'customers.id', 'wallets.customer_id')
    .select('wallets.id')
    .where('customers.test_clock_id', '=', clockId)
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('wallet_top_ups')
            .select('wallet_top_ups.wallet_id')
            .whereRef('wallet_top_ups.wallet_id', '=', 'wallets.id')
            .where('wallet_top_ups.kind', '=', 'recurring'),
        ),
        eb.exists(
          eb
            .selectFrom('wallet_top_up_purchases')
            .select('wallet_top_up_purchases.wallet_id')
            .whereRef('wallet_top_up_purchases.wallet_id', '=', 'wallets.id')
            .where('wallet_top_up_purchases.kind', '=', 'recurring'),
        ),
      ]),
    )
    .orderBy('wallets.id')
    .execute();
  // Quotes still open: their validity ends on the clock.
  const quotes = await db
    .selectFrom('quotes')
    .innerJoin('customers', 'customers.id', 'quotes.customer_id')
    .select('quotes.id')
    .where('customers.test_clock_id', '=', clockId)
    .where('quotes.status', '=', 'open')
    .orderBy('quotes.id')
    .execute();
  return [
    ...subscriptions.map((s) => subscriptionWorkflowId(s.id)),
    ...grants.map((g) => walletGrantExpiryWorkflowId(g.id)),
    ...topUps.map((w) => walletTopUpWorkflowId(w.id)),
    ...projects.map((p) => projectWorkflowId(p.id)),
    ...manualInvoices.map((i) => manualInvoiceWorkflowId(i.id)),
    ...collections.map((c) => c.workflow_id),
    ...quotes.map((q) => quoteWorkflowId(q.id)),
  ];
}

/** The clock's customers, for deletion. */
export async function clockCustomerIds(db: Kysely<Database>, clockId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where('test_clock_id', '=', clockId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * "Now" for a customer: its test clock's time, or the real time. Every date a customer sees that
 * the caller does not name comes from here (finalizing a draft, a payment, a void, a credit note,
 * a write-off, a dispute, an estimate, an email), so a clocked customer lives wholly on its clock.
 * Pass the transaction that does the work, so the answer is read with it.
 */
export async function customerNow(
  db: Kysely<Database>,
  customer: string | Pick<Customer, 'test_clock_id'>,
): Promise<Date> {
  return (await customerClockTime(db, customer)) ?? new Date();
}

/** The customer's test clock's time; undefined for a customer billed in real time. */
export async function customerClockTime(
  db: Kysely<Database>,
  customer: string | Pick<Customer, 'test_clock_id'>,
): Promise<Date | undefined> {
  const clockId =
    typeof customer === 'string'
      ? (
          await db
            .selectFrom('customers')
            .select('test_clock_id')
            .where('id', '=', customer)
            .executeTakeFirst()
        )?.test_clock_id
      : customer.test_clock_id;
  if (!clockId) return undefined;
  const clock = await db
    .selectFrom('test_clocks')
    .select('frozen_time')
    .where('id', '=', clockId)
    .executeTakeFirstOrThrow();
  return clock.frozen_time;
}

interface ForeignKey {
  child: string;
  childColumn: string;
  parent: string;
  parentColumn: string;
}

/**
 * Deletes the clock, its customers and everything billed to them (subscriptions, invoices,
 * lines, documents, emails, usage…) and its number series, in one transaction. The tables are
 * found from the schema's foreign keys (and every `customer_id` column), so billing data added
 * by later migrations goes too without a list to keep up to date.
 */
export async function deleteTestClockData(db: Db, clockId: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const customers = await clockCustomerIds(trx, clockId);
    const keys = (
      await sql<ForeignKey>`
        select c.conrelid::regclass::text as child, a.attname as "childColumn",
               c.confrelid::regclass::text as parent, p.attname as "parentColumn"
        from pg_constraint c
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
        join pg_attribute p on p.attrelid = c.confrelid and p.attnum = c.confkey[1]
        where c.contype = 'f' and array_length(c.conkey, 1) = 1`.execute(trx)
    ).rows;
    const customerColumns = (
      await sql<{ table: string }>`
        select table_name as "table" from information_schema.columns
        where column_name = 'customer_id' and table_schema = current_schema()`.execute(trx)
    ).rows;

    /** Deletes the rows of `table` whose `column` is in `values`, children first. */
    async function remove(table: string, column: string, values: unknown[], depth = 0) {
      if (values.length === 0) return;
      if (depth > 12) throw new Error(`foreign keys nest too deep at ${table}`);
      for (const key of keys.filter((k) => k.parent === table && k.child !== table)) {
        const referenced = await sql<{ v: unknown }>`
          select ${sql.ref(key.parentColumn)} as v from ${sql.table(table)}
          where ${sql.ref(column)} = any(${values})`.execute(trx);
        await remove(
          key.child,
          key.childColumn,
          referenced.rows.map((r) => r.v),
          depth + 1,
        );
      }
      await sql`delete from ${sql.table(table)} where ${sql.ref(column)} = any(${values})`.execute(
        trx,
      );
    }

    for (const { table } of customerColumns) await remove(table, 'customer_id', customers);
    await remove('customers', 'id', customers);
    await trx
      .deleteFrom('number_series')
      .where('series', 'like', testClockSeries(clockId, '%'))
      .execute();
    await trx.deleteFrom('test_clocks').where('id', '=', clockId).execute();
    return customers.length;
  });
}
