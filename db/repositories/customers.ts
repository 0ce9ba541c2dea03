// Customers: who is billed, in which currency, and in which calendar (time zone) and language.
import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { Customer } from '../database.ts';
import { newId } from '../ids.ts';

export interface NewCustomerInput {
  name: string;
  email: string;
  /** ISO 4217, already validated. */
  currency: string;
  /** ISO 3166-1 alpha-2, already validated. */
  country: string;
  /** IANA time zone, already validated. */
  timezone: string;
  /** Canonical BCP 47 tag. */
  locale: string;
}

export async function createCustomer(db: Db, input: NewCustomerInput): Promise<Customer> {
  return db
    .insertInto('customers')
    .values({ id: newId('cus'), ...input })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getCustomer(db: Db, id: string): Promise<Customer | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest first; `startingAfter` is the id of the last customer of the previous page. */
export async function listCustomers(
  db: Db,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ items: Customer[]; hasMore: boolean }> {
  let query = db.selectFrom('customers').selectAll();
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    // Keyset pagination: strictly older than the cursor row, ties broken by id.
    query = query.where(
      sql<boolean>`(created_at, id) < (select c.created_at, c.id from customers c where c.id = ${cursor})`,
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return { items: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}
