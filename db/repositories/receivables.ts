// What finance's receivables insights read: invoices owed as of an instant (what each still
// asked for then), what a window invoiced, payments received, and invoices as collected
// (settled, falling due, reminders sent). Reads only; services/insights.ts uses them.
import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import { laterThan, toPage } from '../pagination.ts';

/** What an invoice still asked for at `asOf`: its total less payments and credit notes by then. */
function outstandingAt(asOf: Date) {
  return sql<number>`greatest(i.total
    - coalesce((select sum(pa.applied_amount) from payments pa
                where pa.invoice_id = i.id and pa.paid_at <= ${asOf}), 0)
    - coalesce((select sum(cn.total) from credit_notes cn
                where cn.invoice_id = i.id and cn.issued_at <= ${asOf}), 0), 0)::bigint`;
}

function receivables(db: Db, asOf: Date, currency: string | undefined) {
  let query = db
    .selectFrom('invoices as i')
    .innerJoin('customers as c', 'c.id', 'i.customer_id')
    .select([
      'i.id',
      'i.number',
      'i.customer_id',
      'c.name as customer_name',
      'i.currency',
      'i.due_at',
      'i.subscription_id',
    ])
    .select(outstandingAt(asOf).as('amount_due'))
    .where('i.status', '<>', 'draft')
    .where('i.issued_at', '<=', asOf)
    .where('i.due_at', 'is not', null)
    .where((eb) => eb.or([eb('i.voided_at', 'is', null), eb('i.voided_at', '>', asOf)]))
    .where((eb) =>
      eb.or([
        eb('i.marked_uncollectible_at', 'is', null),
        eb('i.marked_uncollectible_at', '>', asOf),
      ]),
    )
    .where((eb) => eb.or([eb('i.paid_at', 'is', null), eb('i.paid_at', '>', asOf)]))
    .where(outstandingAt(asOf), '>', 0);
  if (currency !== undefined) query = query.where('i.currency', '=', currency);
  return query;
}

type ReceivableRow = Awaited<ReturnType<ReturnType<typeof receivables>['execute']>>[number];

/** An invoice owed at an instant, and what it still asked for then. */
export type Receivable = ReturnType<typeof toReceivable>;

function toReceivable(row: ReceivableRow) {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    customerName: row.customer_name,
    currency: row.currency,
    dueAt: row.due_at!,
    amountDue: Number(row.amount_due),
    subscriptionId: row.subscription_id,
  };
}

/** Finalized invoices still owed at `asOf` (not paid, voided or written off by then). */
export async function receivablesAt(db: Db, asOf: Date, currency?: string): Promise<Receivable[]> {
  const rows = await receivables(db, asOf, currency).orderBy('i.due_at').orderBy('i.id').execute();
  return rows.map(toReceivable);
}

/** Receivables past due by a whole day or more at `asOf`, most overdue first, one page. */
export async function overdueReceivables(
  db: Db,
  options: {
    asOf: Date;
    currency?: string | undefined;
    limit: number;
    startingAfter?: string | undefined;
  },
): Promise<{ items: Receivable[]; hasMore: boolean }> {
  const dueBy = new Date(options.asOf.getTime() - 86_400_000);
  let query = receivables(db, options.asOf, options.currency).where('i.due_at', '<=', dueBy);
  if (options.startingAfter !== undefined)
    query = query.where(laterThan('invoices', 'i', 'due_at', options.startingAfter));
  const rows = await query
    .orderBy('i.due_at')
    .orderBy('i.id')
    .limit(options.limit + 1)
    .execute();
  return toPage(rows.map(toReceivable), options.limit);
}

/** What invoices finalized in [from, through] asked for in `currency` (void ones left out). */
export async function invoicedBetween(
  db: Db,
  currency: string,
  from: Date,
  through: Date,
): Promise<number> {
  const row = await db
    .selectFrom('invoices')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('total'), sql<number>`0`).as('total'))
    .where('currency', '=', currency)
    .where('status', 'not in', ['draft', 'void'])
    .where('issued_at', '>=', from)
    .where('issued_at', '<=', through)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export interface ReceivedPayment {
  paidAt: Date;
  amount: number;
}

/** Payments in `currency` received in [from, through]. */
export async function paymentsBetween(
  db: Db,
  currency: string,
  from: Date,
  through: Date,
): Promise<ReceivedPayment[]> {
  const rows = await db
    .selectFrom('payments')
    .select(['paid_at', 'amount'])
    .where('currency', '=', currency)
    .where('paid_at', '>=', from)
    .where('paid_at', '<=', through)
    .execute();
  return rows.map((r) => ({ paidAt: r.paid_at, amount: r.amount }));
}

/** An invoice as collected: its dates, what was paid and the reminders sent for it. */
export type CollectedInvoice = ReturnType<typeof toCollected>;

/**
 * Reminders are counted in the email ledger (one payment_reminder per dunning step, sent once);
 * the collection row's `reminders_sent` counts the same steps, carried across the collection's runs.
 */
function collectedInvoices(db: Db, currency: string) {
  return db
    .selectFrom('invoices as i')
    .select([
      'i.total',
      'i.amount_paid',
      'i.amount_due',
      'i.status',
      'i.issued_at',
      'i.due_at',
      'i.paid_at',
    ])
    .select((eb) =>
      eb
        .selectFrom('email_deliveries as e')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('e.invoice_id', '=', 'i.id')
        .where('e.kind', '=', 'payment_reminder')
        .where('e.status', '=', 'sent')
        .as('reminders_sent'),
    )
    .where('i.currency', '=', currency)
    .where('i.status', 'not in', ['draft', 'void'])
    .where('i.total', '>', 0)
    .where('i.due_at', 'is not', null);
}

function toCollected(
  row: Awaited<ReturnType<ReturnType<typeof collectedInvoices>['execute']>>[number],
) {
  return {
    total: row.total,
    amountPaid: row.amount_paid,
    amountDue: row.amount_due,
    status: row.status,
    issuedAt: row.issued_at!,
    dueAt: row.due_at!,
    paidAt: row.paid_at,
    /** The heads-up before the due date included. */
    remindersSent: Number(row.reminders_sent ?? 0),
  };
}

/** Invoices in `currency` settled (paid in full) in [from, through]. */
export async function invoicesPaidBetween(
  db: Db,
  currency: string,
  from: Date,
  through: Date,
): Promise<CollectedInvoice[]> {
  const rows = await collectedInvoices(db, currency)
    .where('i.status', '=', 'paid')
    .where('i.amount_paid', '>', 0)
    .where('i.paid_at', '>=', from)
    .where('i.paid_at', '<=', through)
    .execute();
  return rows.map(toCollected);
}

/** Invoices in `currency` falling due in [from, to): a dunning cohort. */
export async function invoicesDueBetween(
  db: Db,
  currency: string,
  from: Date,
  to: Date,
): Promise<CollectedInvoice[]> {
  const rows = await collectedInvoices(db, currency)
    .where('i.due_at', '>=', from)
    .where('i.due_at', '<', to)
    .execute();
  return rows.map(toCollected);
}
