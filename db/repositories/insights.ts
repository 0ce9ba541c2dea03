// What finance's insights read: subscriptions with their whole history (transitions, changes
// of terms) and the plan versions they were billed on; receivables as of an instant; payments,
// settled invoices and dunning by month; renewals in a window. Reads only.
import { sql } from 'kysely';
import type { PlanVersion } from '../../domain/catalog/types.ts';
import type { SubscriptionHistory } from '../../domain/insights/timeline.ts';
import type { Db } from '../connect.ts';
import { toPage } from '../pagination.ts';
import { toCatalogVersion, toStoredVersion } from './plans.ts';

/** A plan version's key in the map subscriptionHistories answers. */
export function versionKey(planId: string, version: number): string {
  return `${planId}/${version}`;
}

/** Every subscription on a plan priced in `currency`, with its history, and those plans' versions. */
export async function subscriptionHistories(
  db: Db,
  currency: string,
): Promise<{ histories: SubscriptionHistory[]; versions: Map<string, PlanVersion> }> {
  const subscriptions = await db
    .selectFrom('subscriptions as s')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select([
      's.id',
      's.customer_id',
      's.status',
      's.plan_id',
      's.plan_version',
      's.quantity',
      's.started_at',
    ])
    .where('p.currency', '=', currency)
    .orderBy('s.id')
    .execute();
  const transitions = await db
    .selectFrom('subscription_transitions as t')
    .innerJoin('subscriptions as s', 's.id', 't.subscription_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select(['t.subscription_id', 't.from_status', 't.to_status', 't.occurred_at'])
    .where('p.currency', '=', currency)
    .orderBy('t.occurred_at')
    .orderBy('t.id')
    .execute();
  const changes = await db
    .selectFrom('subscription_plan_version_changes as c')
    .innerJoin('subscriptions as s', 's.id', 'c.subscription_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select([
      'c.subscription_id',
      's.plan_id',
      'c.from_plan_id',
      'c.to_plan_id',
      'c.from_version',
      'c.to_version',
      'c.from_quantity',
      'c.to_quantity',
      'c.occurred_at',
    ])
    .where('p.currency', '=', currency)
    .orderBy('c.occurred_at')
    .orderBy('c.id')
    .execute();
  const versionRows = await db
    .selectFrom('plan_versions as v')
    .innerJoin('plans as p', 'p.id', 'v.plan_id')
    .selectAll('v')
    .select('p.code')
    .where('p.currency', '=', currency)
    .execute();

  const byId = new Map<string, SubscriptionHistory>();
  const histories = subscriptions.map((s) => {
    const history: SubscriptionHistory = {
      id: s.id,
      customerId: s.customer_id,
      startedAt: s.started_at,
      status: s.status,
      terms: { planId: s.plan_id, version: s.plan_version, quantity: s.quantity },
      transitions: [],
      changes: [],
    };
    byId.set(s.id, history);
    return history;
  });
  for (const t of transitions) {
    byId.get(t.subscription_id)?.transitions.push({
      from: t.from_status,
      to: t.to_status,
      at: t.occurred_at,
    });
  }
  for (const c of changes) {
    const history = byId.get(c.subscription_id);
    if (!history) continue;
    history.changes.push({
      from: {
        planId: c.from_plan_id ?? c.plan_id,
        version: c.from_version,
        quantity: c.from_quantity ?? history.terms.quantity,
      },
      to: {
        planId: c.to_plan_id ?? c.plan_id,
        version: c.to_version,
        quantity: c.to_quantity ?? history.terms.quantity,
      },
      at: c.occurred_at,
    });
  }
  const versions = new Map<string, PlanVersion>();
  for (const row of versionRows) {
    versions.set(
      versionKey(row.plan_id, row.version),
      toCatalogVersion(toStoredVersion(row, row.code)),
    );
  }
  return { histories, versions };
}

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
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    query = query.where(
      sql<boolean>`(i.due_at, i.id) > (select o.due_at, o.id from invoices o where o.id = ${cursor})`,
    );
  }
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
 * Reminders are counted in the email ledger (one payment_reminder per dunning step, sent once):
 * the collection row's count starts again when a payment wakes a collection that had ended.
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

export interface Renewal {
  subscriptionId: string;
  customerId: string;
  customerName: string;
  planCode: string;
  renewsAt: Date;
  plan: PlanVersion;
  quantity: number;
}

/** Billed subscriptions whose current period ends in [from, to), soonest first, one page. */
export async function renewalsBetween(
  db: Db,
  options: {
    from: Date;
    to: Date;
    currency?: string | undefined;
    limit: number;
    startingAfter?: string | undefined;
  },
): Promise<{ items: Renewal[]; hasMore: boolean }> {
  let query = db
    .selectFrom('subscriptions as s')
    .innerJoin('customers as c', 'c.id', 's.customer_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .innerJoin('plan_versions as v', (join) =>
      join.onRef('v.plan_id', '=', 's.plan_id').onRef('v.version', '=', 's.plan_version'),
    )
    .selectAll('v')
    .select([
      's.id as subscription_id',
      's.customer_id',
      'c.name as customer_name',
      'p.code as plan_code',
      's.current_period_end',
      's.quantity',
    ])
    .where('s.status', 'in', ['active', 'past_due'])
    .where('s.current_period_end', '>=', options.from)
    .where('s.current_period_end', '<', options.to);
  if (options.currency !== undefined) query = query.where('p.currency', '=', options.currency);
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    query = query.where(
      sql<boolean>`(s.current_period_end, s.id) > (select r.current_period_end, r.id from subscriptions r where r.id = ${cursor})`,
    );
  }
  const rows = await query
    .orderBy('s.current_period_end')
    .orderBy('s.id')
    .limit(options.limit + 1)
    .execute();
  return toPage(
    rows.map((row) => ({
      subscriptionId: row.subscription_id,
      customerId: row.customer_id,
      customerName: row.customer_name,
      planCode: row.plan_code,
      renewsAt: row.current_period_end!,
      plan: toCatalogVersion(toStoredVersion(row, row.plan_code)),
      quantity: row.quantity,
    })),
    options.limit,
  );
}
