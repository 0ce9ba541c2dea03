// The customer portal as stored: magic links (consumed once, atomically), the sessions they open
// (found by the hash of their token, touched on each request), and what one customer may see of
// their own records. Every read of records here is scoped by the customer's id.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type {
  CreditNote,
  Customer,
  Database,
  Invoice,
  Payment,
  PortalLink,
  PortalSession,
} from '../database.ts';

type Executor = Db | Transaction<Database>;

export async function insertPortalLink(
  db: Executor,
  link: { id: string; customerId: string; requestedBy: 'operator' | 'customer'; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('portal_links')
    .values({
      id: link.id,
      customer_id: link.customerId,
      requested_by: link.requestedBy,
      expires_at: link.expiresAt,
    })
    .execute();
}

/** The link, with the locale of its customer (its pages speak their language). */
export async function getPortalLink(
  db: Executor,
  id: string,
): Promise<(PortalLink & { locale: string }) | undefined> {
  return db
    .selectFrom('portal_links')
    .innerJoin('customers', 'customers.id', 'portal_links.customer_id')
    .selectAll('portal_links')
    .select('customers.locale')
    .where('portal_links.id', '=', id)
    .executeTakeFirst();
}

/** How many links the login form sent the customer since `since` (its limit per customer). */
export async function countRequestedLinksSince(
  db: Executor,
  customerId: string,
  since: Date,
): Promise<number> {
  const row = await db
    .selectFrom('portal_links')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('customer_id', '=', customerId)
    .where('requested_by', '=', 'customer')
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Marks the link used, in one statement, only if no one has before and it has not expired: of
 * two concurrent uses exactly one gets the customer's id back. Undefined: unknown, used or expired.
 */
export async function consumePortalLink(
  db: Executor,
  id: string,
  now: Date,
): Promise<{ customerId: string } | undefined> {
  const row = await db
    .updateTable('portal_links')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('customer_id')
    .executeTakeFirst();
  return row && { customerId: row.customer_id };
}

export async function insertPortalSession(
  db: Executor,
  session: {
    tokenHash: string;
    customerId: string;
    linkId: string;
    csrfToken: string;
    now: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('portal_sessions')
    .values({
      token_hash: session.tokenHash,
      customer_id: session.customerId,
      link_id: session.linkId,
      csrf_token: session.csrfToken,
      created_at: session.now,
      last_seen_at: session.now,
      expires_at: session.expiresAt,
    })
    .execute();
}

/**
 * The live session with this token hash, moved to `now`: not ended, before its absolute expiry
 * and seen since `idleSince`. One statement, so a session cannot be revived past either limit.
 */
export async function touchPortalSession(
  db: Executor,
  tokenHash: string,
  now: Date,
  idleSince: Date,
): Promise<PortalSession | undefined> {
  return db
    .updateTable('portal_sessions')
    .set({ last_seen_at: now })
    .where('token_hash', '=', tokenHash)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', idleSince)
    .returningAll()
    .executeTakeFirst();
}

export async function endPortalSession(db: Executor, tokenHash: string, now: Date): Promise<void> {
  await db
    .updateTable('portal_sessions')
    .set({ ended_at: now })
    .where('token_hash', '=', tokenHash)
    .where('ended_at', 'is', null)
    .execute();
}

/** The customers billed at this email address (compared without regard to case). */
export async function customersByBillingEmail(db: Executor, email: string): Promise<Customer[]> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .orderBy('created_at')
    .execute();
}

/** The customer's issued invoices (never drafts), newest first. */
export async function customerInvoices(
  db: Executor,
  customerId: string,
  limit: number,
): Promise<Invoice[]> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('status', '!=', 'draft')
    .orderBy('issued_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The customer's credit notes, newest first. */
export async function customerCreditNotes(
  db: Executor,
  customerId: string,
  limit: number,
): Promise<CreditNote[]> {
  return db
    .selectFrom('credit_notes')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('issued_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The customer's payments (each has a receipt), newest first, with their invoice's number. */
export async function customerPayments(
  db: Executor,
  customerId: string,
  limit: number,
): Promise<(Payment & { invoice_number: string | null })[]> {
  return db
    .selectFrom('payments')
    .innerJoin('invoices', 'invoices.id', 'payments.invoice_id')
    .selectAll('payments')
    .select('invoices.number as invoice_number')
    .where('payments.customer_id', '=', customerId)
    .orderBy('payments.paid_at', 'desc')
    .orderBy('payments.id', 'desc')
    .limit(limit)
    .execute();
}

/** Whether the customer owns the document: an issued invoice, a credit note, or a payment. */
export async function ownsDocument(
  db: Executor,
  customerId: string,
  kind: 'invoice' | 'credit_note' | 'receipt',
  id: string,
): Promise<boolean> {
  const row =
    kind === 'invoice'
      ? await db
          .selectFrom('invoices')
          .select('id')
          .where('id', '=', id)
          .where('customer_id', '=', customerId)
          .where('status', '!=', 'draft')
          .executeTakeFirst()
      : await db
          .selectFrom(kind === 'credit_note' ? 'credit_notes' : 'payments')
          .select('id')
          .where('id', '=', id)
          .where('customer_id', '=', customerId)
          .executeTakeFirst();
  return row !== undefined;
}

/** The names of plans by code, for the customer's subscriptions. */
export async function planNames(db: Executor, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('plans')
    .select(['code', 'name'])
    .where('code', 'in', codes)
    .execute();
  return new Map(rows.map((row) => [row.code, row.name]));
}
