// Invoices: created once per (subscription, period), numbered without gaps in the same
// transaction that creates them.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { Database, Invoice, InvoiceLine } from '../database.ts';
import { newId } from '../ids.ts';

type Executor = Db | Transaction<Database>;

export interface NewInvoiceLine {
  description: string;
  quantity: number;
  unitAmount: number;
  amount: number;
  periodStart?: string;
  periodEnd?: string;
}

export interface NewSubscriptionInvoice {
  customerId: string;
  subscriptionId: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  issuedAt: string;
  dueAt: string;
  lines: NewInvoiceLine[];
}

/** Series key and printed number, e.g. INV-2026 and INV-2026-000123. */
function invoiceSeries(issuedAt: string): string {
  return `INV-${issuedAt.slice(0, 4)}`;
}

/**
 * Bumps the series counter and returns the new value. The upsert locks the counter row until
 * the surrounding transaction ends, so concurrent callers queue up and a rollback frees the
 * number again: no gaps, no duplicates.
 */
export async function nextNumberInSeries(
  trx: Transaction<Database>,
  series: string,
): Promise<number> {
  const row = await trx
    .insertInto('number_series')
    .values({ series, last_value: 1 })
    .onConflict((oc) =>
      oc.column('series').doUpdateSet({ last_value: sql`number_series.last_value + 1` }),
    )
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return row.last_value;
}

class AlreadyInvoiced extends Error {}

/**
 * Creates the invoice for a subscription period, or returns the one that exists: the unique
 * (subscription_id, period_start) index decides, so retries and replays never duplicate.
 */
export async function createSubscriptionInvoice(
  db: Db,
  input: NewSubscriptionInvoice,
): Promise<{ invoice: Invoice; created: boolean }> {
  const subtotal = input.lines.reduce((sum, line) => sum + line.amount, 0);
  try {
    const invoice = await db.transaction().execute(async (trx) => {
      const series = invoiceSeries(input.issuedAt);
      const sequence = await nextNumberInSeries(trx, series);
      const inserted = await trx
        .insertInto('invoices')
        .values({
          id: newId('inv'),
          number: `${series}-${String(sequence).padStart(6, '0')}`,
          customer_id: input.customerId,
          subscription_id: input.subscriptionId,
          status: 'open',
          currency: input.currency,
          period_start: input.periodStart,
          period_end: input.periodEnd,
          subtotal,
          tax: 0,
          total: subtotal,
          issued_at: input.issuedAt,
          due_at: input.dueAt,
        })
        .onConflict((oc) => oc.columns(['subscription_id', 'period_start']).doNothing())
        .returningAll()
        .executeTakeFirst();
      // Rolling back returns the number we just took to the series.
      if (!inserted) throw new AlreadyInvoiced();
      await trx
        .insertInto('invoice_lines')
        .values(
          input.lines.map((line, position) => ({
            invoice_id: inserted.id,
            position,
            description: line.description,
            quantity: line.quantity,
            unit_amount: line.unitAmount,
            amount: line.amount,
            period_start: line.periodStart ?? null,
            period_end: line.periodEnd ?? null,
          })),
        )
        .execute();
      return inserted;
    });
    return { invoice, created: true };
  } catch (error) {
    if (!(error instanceof AlreadyInvoiced)) throw error;
    const existing = await db
      .selectFrom('invoices')
      .selectAll()
      .where('subscription_id', '=', input.subscriptionId)
      .where('period_start', '=', new Date(input.periodStart))
      .executeTakeFirstOrThrow();
    return { invoice: existing, created: false };
  }
}

export async function getInvoice(db: Executor, id: string): Promise<Invoice | undefined> {
  return db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
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
  if (filter.startingAfter !== undefined) {
    // Keyset pagination in the list's own order (issued_at, number), both descending.
    query = query.where(
      sql<boolean>`(issued_at, number) < (select i.issued_at, i.number from invoices i where i.id = ${filter.startingAfter})`,
    );
  }
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
  return query.orderBy('issued_at', 'desc').orderBy('number', 'desc').limit(filter.limit).execute();
}

/** Stores a rendered document once; a second store keeps the first (what was sent stays). */
export async function storeInvoiceDocument(
  db: Executor,
  doc: { invoiceId: string; format: 'html'; content: string; contentHash: string },
): Promise<{ contentHash: string }> {
  await db
    .insertInto('invoice_documents')
    .values({
      invoice_id: doc.invoiceId,
      format: doc.format,
      content: doc.content,
      content_hash: doc.contentHash,
    })
    .onConflict((oc) => oc.columns(['invoice_id', 'format']).doNothing())
    .execute();
  const stored = await getInvoiceDocument(db, doc.invoiceId, doc.format);
  return { contentHash: stored!.contentHash };
}

export async function getInvoiceDocument(
  db: Executor,
  invoiceId: string,
  format: 'html',
): Promise<{ content: string; contentHash: string } | undefined> {
  const row = await db
    .selectFrom('invoice_documents')
    .select(['content', 'content_hash'])
    .where('invoice_id', '=', invoiceId)
    .where('format', '=', format)
    .executeTakeFirst();
  return row && { content: row.content, contentHash: row.content_hash };
}
