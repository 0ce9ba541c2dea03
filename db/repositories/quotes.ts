// Stored quotes: issued under a number in the issuing transaction, answered (accepted or
// declined) or expired once, each change with its webhook event in the same transaction, so an
// event exists if and only if its change committed.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { Database, QuoteRow } from '../database.ts';
import { newId } from '../ids.ts';
import type { QuoteAnswer, QuoteStatus } from '../../domain/quotes/terms.ts';
import { recordEvent } from './webhook-events.ts';
import { customerNow } from './test-clocks.ts';

export interface QuoteAnchoring {
  type: 'anniversary' | 'calendar' | 'billing_day';
  day?: number | undefined;
}

export interface NewQuote {
  number: string;
  estimateId: string;
  customerId: string;
  validUntil: Date;
  terms: string | null;
  /** Null for a project quote. */
  planCode: string | null;
  planVersion: number | null;
  quantity: number;
  trialDays: number | null;
  anchoring: QuoteAnchoring | null;
  couponCodes: string[];
  issuedAt: Date;
  /** A project quote: the POST /v1/projects order acceptance starts; null for a subscription. */
  project?: QuotedProject | null;
}

/** What a project quote describes: the order POST /v1/projects takes (terms, name). */
export type QuotedProject = Record<string, unknown> & { name: string; currency: string };

export interface QuoteRecord extends Omit<NewQuote, 'anchoring' | 'couponCodes' | 'project'> {
  id: string;
  project: QuotedProject | null;
  projectId: string | null;
  status: QuoteStatus;
  anchoring: QuoteAnchoring | null;
  couponCodes: string[];
  accepted: { at: Date; name: string; title: string | null; ip: string | null } | null;
  subscriptionId: string | null;
  declined: { at: Date; reason: string } | null;
  expiredAt: Date | null;
  createdAt: Date;
}

function toRecord(row: QuoteRow): QuoteRecord {
  return {
    id: row.id,
    number: row.number,
    estimateId: row.estimate_id,
    customerId: row.customer_id,
    status: row.status,
    validUntil: row.valid_until,
    terms: row.terms,
    planCode: row.plan_code,
    planVersion: row.plan_version,
    quantity: row.quantity,
    trialDays: row.trial_days,
    anchoring: (row.anchoring as QuoteAnchoring | null) ?? null,
    couponCodes: row.coupon_codes as string[],
    issuedAt: row.issued_at,
    accepted: row.accepted_at
      ? {
          at: row.accepted_at,
          name: row.accepted_by_name!,
          title: row.accepted_by_title,
          ip: row.accepted_from_ip,
        }
      : null,
    subscriptionId: row.subscription_id,
    project: (row.project as QuotedProject | null) ?? null,
    projectId: row.project_id,
    declined: row.declined_at ? { at: row.declined_at, reason: row.decline_reason! } : null,
    expiredAt: row.expired_at,
    createdAt: row.created_at,
  };
}

/** Inserts the quote in the caller's (issuing) transaction. */
export async function insertQuote(
  trx: Transaction<Database>,
  quote: NewQuote,
): Promise<QuoteRecord> {
  const row = await trx
    .insertInto('quotes')
    .values({
      id: newId('quo'),
      number: quote.number,
      estimate_id: quote.estimateId,
      customer_id: quote.customerId,
      valid_until: quote.validUntil,
      terms: quote.terms,
      plan_code: quote.planCode,
      plan_version: quote.planVersion,
      quantity: quote.quantity,
      trial_days: quote.trialDays,
      anchoring: quote.anchoring ? JSON.stringify(quote.anchoring) : null,
      coupon_codes: JSON.stringify(quote.couponCodes),
      issued_at: quote.issuedAt,
      project: quote.project ? JSON.stringify(quote.project) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

export async function getQuote(db: Db, id: string): Promise<QuoteRecord | undefined> {
  const row = await db.selectFrom('quotes').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

/** Newest first; `startingAfter` is the id of the previous page's last quote. */
export async function listQuotes(
  db: Db,
  options: {
    customerId?: string | undefined;
    status?: QuoteStatus | undefined;
    limit: number;
    startingAfter?: string | undefined;
  },
): Promise<{ items: QuoteRecord[]; hasMore: boolean }> {
  let query = db.selectFrom('quotes as q').selectAll('q');
  if (options.customerId !== undefined)
    query = query.where('q.customer_id', '=', options.customerId);
  if (options.status !== undefined) query = query.where('q.status', '=', options.status);
  if (options.startingAfter !== undefined) {
    const cursor = options.startingAfter;
    query = query.where(
      sql<boolean>`(q.created_at, q.id) < (select c.created_at, c.id from quotes c where c.id = ${cursor})`,
    );
  }
  const rows = await query
    .orderBy('q.created_at', 'desc')
    .orderBy('q.id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return {
    items: rows.slice(0, options.limit).map(toRecord),
    hasMore: rows.length > options.limit,
  };
}

/**
 * What recording an answer (or the expiry) did: changed the open quote, found the same change
 * already made (a retried activity), or found the quote closed otherwise (nothing changed).
 */
export type QuoteChange =
  | { outcome: 'changed' | 'already'; quote: QuoteRecord }
  | { outcome: 'closed'; quote: QuoteRecord };

async function lockedQuote(trx: Transaction<Database>, id: string): Promise<QuoteRow> {
  const row = await trx
    .selectFrom('quotes')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new Error(`quote ${id} does not exist`);
  return row;
}

/**
 * Records the answer once, dated on the customer's time, with its webhook event (quote.accepted
 * or quote.declined) in the same transaction. An acceptance names the subscription or project it
 * starts (`startedId`, `sub_…` or `prj_…`, stored here once), so starting it again can only find it.
 */
export async function recordQuoteAnswer(
  db: Db,
  id: string,
  answer: QuoteAnswer,
  startedId: string,
): Promise<QuoteChange> {
  return db.transaction().execute(async (trx) => {
    const row = await lockedQuote(trx, id);
    const wanted: QuoteStatus = answer.decision === 'accept' ? 'accepted' : 'declined';
    if (row.status === wanted) return { outcome: 'already', quote: toRecord(row) };
    if (row.status !== 'open') return { outcome: 'closed', quote: toRecord(row) };
    const at = await customerNow(trx, row.customer_id);
    const updated = await trx
      .updateTable('quotes')
      .set(
        answer.decision === 'accept'
          ? {
              status: 'accepted',
              accepted_at: at,
              accepted_by_name: answer.name,
              accepted_by_title: answer.title,
              accepted_from_ip: answer.ip,
              ...(row.project === null
                ? { subscription_id: startedId }
                : { project_id: startedId }),
            }
          : { status: 'declined', declined_at: at, decline_reason: answer.reason },
      )
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, wanted === 'accepted' ? 'quote.accepted' : 'quote.declined', updated);
    return { outcome: 'changed', quote: toRecord(updated) };
  });
}

/** Marks an open quote expired (on the customer's time), with its quote.expired event. */
export async function expireQuote(db: Db, id: string): Promise<QuoteChange> {
  return db.transaction().execute(async (trx) => {
    const row = await lockedQuote(trx, id);
    if (row.status === 'expired') return { outcome: 'already', quote: toRecord(row) };
    if (row.status !== 'open') return { outcome: 'closed', quote: toRecord(row) };
    const updated = await trx
      .updateTable('quotes')
      .set({ status: 'expired', expired_at: await customerNow(trx, row.customer_id) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, 'quote.expired', updated);
    return { outcome: 'changed', quote: toRecord(updated) };
  });
}
