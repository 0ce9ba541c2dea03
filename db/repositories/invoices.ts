// Invoices as stored: read, listed, and locked for a change. An invoice is created as a draft
// (invoice-drafts.ts) or at once for its business key (invoice-issuing.ts), finalized
// (invoice-finalization.ts, taxed by invoice-tax.ts), then paid, voided or written off
// (invoice-lifecycle.ts).
import { sql, type Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { Database, Invoice, InvoiceLine } from '../database.ts';
import { InvoiceNotFoundError } from './invoice-errors.ts';

type Executor = Db | Transaction<Database>;

export async function getInvoice(db: Executor, id: string): Promise<Invoice | undefined> {
  return db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The invoice, or InvoiceNotFoundError. */
export async function requireInvoice(db: Executor, id: string): Promise<Invoice> {
  const invoice = await getInvoice(db, id);
  if (!invoice) throw new InvoiceNotFoundError(id);
  return invoice;
}

/** The invoice, locked until the transaction ends: every change to an invoice starts here. */
export async function lockInvoice(trx: Transaction<Database>, id: string): Promise<Invoice> {
  const invoice = await trx
    .selectFrom('invoices')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!invoice) throw new InvoiceNotFoundError(id);
  return invoice;
}

export async function getInvoiceLines(db: Executor, invoiceId: string): Promise<InvoiceLine[]> {
  return db
    .selectFrom('invoice_lines')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .orderBy('position')
    .execute();
}

export async function listInvoices(
  db: Executor,
  filter: {
    customerId?: string | undefined;
    subscriptionId?: string | undefined;
    limit: number;
    /** Id of the last invoice of the previous page. */
    startingAfter?: string | undefined;
  },
): Promise<Invoice[]> {
  let query = db.selectFrom('invoices').selectAll();
  // Issued first by issue date; drafts (not issued yet) by creation date.
  const issued = sql`coalesce(issued_at, created_at)`;
  if (filter.startingAfter !== undefined) {
    // Keyset pagination in the list's own order (date, number, id), all descending.
    query = query.where(
      sql<boolean>`(${issued}, coalesce(number, ''), id) < (select coalesce(i.issued_at, i.created_at), coalesce(i.number, ''), i.id from invoices i where i.id = ${filter.startingAfter})`,
    );
  }
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
  return query
    .orderBy(issued, 'desc')
    .orderBy(sql`coalesce(number, '')`, 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .execute();
}
