// A project's time entries: recorded against the budget under the project's row lock, and
// invoiced exactly once (claimed in the invoice's transaction, final afterwards).
import type { Selectable, Transaction } from 'kysely';
import { type HoursTerms } from '../../domain/projects/terms.ts';
import { type BillableEntry } from '../../domain/projects/hours.ts';
import { hoursLines } from '../../domain/projects/hours.ts';
import { checkBudget } from '../../domain/projects/hours.ts';
import type { Db } from '../connect.ts';
import type { Database, TimeEntriesTable } from '../database.ts';
import type { NewInvoiceLine } from './invoice-drafts.ts';
import { ProjectNotFoundError } from './projects.ts';

type Executor = Db | Transaction<Database>;
export type TimeEntryRow = Selectable<TimeEntriesTable>;

/** A time entry that may no longer change (invoiced), or a budget that refuses it. */
export class TimeEntryRefusedError extends Error {
  readonly field: string;
  readonly status: 409 | 422;
  constructor(status: 409 | 422, field: string, message: string) {
    super(message);
    this.name = 'TimeEntryRefusedError';
    this.status = status;
    this.field = field;
  }
}

export interface NewTimeEntry {
  id: string;
  person: string;
  role: string | null;
  workDate: string;
  minutes: number;
  billedMinutes: number;
  hourlyRate: number;
  amount: number;
  description: string;
  billable: boolean;
}

/** Billable amount recorded so far (invoiced or not). */
async function billableUsed(trx: Executor, projectId: string): Promise<number> {
  const row = await trx
    .selectFrom('time_entries')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount'), eb.val('0')).as('used'))
    .where('project_id', '=', projectId)
    .where('billable', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.used);
}

/**
 * Records an entry under the project's row lock, so two entries never both slip under the
 * budget: refused (422 on `hours`) past a hard-stop budget; `crossesWarning` is true for the one
 * entry that crosses the warning threshold.
 */
export async function insertTimeEntry(
  db: Db,
  projectId: string,
  entry: NewTimeEntry,
  budget: HoursTerms['budget'],
): Promise<{ entry: TimeEntryRow; crossesWarning: boolean; used: number }> {
  return db.transaction().execute(async (trx) => {
    const project = await trx
      .selectFrom('projects')
      .select(['id', 'status'])
      .where('id', '=', projectId)
      .forUpdate()
      .executeTakeFirst();
    if (!project) throw new ProjectNotFoundError(projectId);
    if (project.status === 'completed') {
      throw new TimeEntryRefusedError(409, 'projectId', 'the project is completed');
    }
    const used = await billableUsed(trx, projectId);
    const check = checkBudget(budget, used, entry.billable ? entry.amount : 0);
    if (check.exceeds && budget?.hardStop) {
      throw new TimeEntryRefusedError(
        422,
        'hours',
        `the entry would take billable hours to ${check.usedAfter}, over the not-to-exceed budget of ${budget.amount}`,
      );
    }
    const row = await trx
      .insertInto('time_entries')
      .values({
        id: entry.id,
        project_id: projectId,
        person: entry.person,
        role: entry.role,
        work_date: entry.workDate,
        minutes: entry.minutes,
        billed_minutes: entry.billedMinutes,
        hourly_rate: entry.hourlyRate,
        amount: entry.amount,
        description: entry.description,
        billable: entry.billable,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { entry: row, crossesWarning: check.crossesWarning, used: check.usedAfter };
  });
}

export async function listTimeEntries(db: Executor, projectId: string): Promise<TimeEntryRow[]> {
  return db
    .selectFrom('time_entries')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('work_date')
    .orderBy('created_at')
    .execute();
}

/** Billable amount recorded so far on the project. */
export async function budgetUsed(db: Executor, projectId: string): Promise<number> {
  return billableUsed(db, projectId);
}

/** Deletes an entry not yet invoiced; an invoiced one is corrected by a credit note (409). */
export async function deleteTimeEntry(db: Db, projectId: string, entryId: string): Promise<void> {
  const deleted = await db
    .deleteFrom('time_entries')
    .where('id', '=', entryId)
    .where('project_id', '=', projectId)
    .where('invoice_id', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (deleted) return;
  const exists = await db
    .selectFrom('time_entries')
    .select('invoice_id')
    .where('id', '=', entryId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  if (!exists) throw new TimeEntryRefusedError(422, 'entryId', `no time entry ${entryId}`);
  throw new TimeEntryRefusedError(
    409,
    'entryId',
    `time entry ${entryId} is invoiced (${exists.invoice_id}); correct it with a credit note`,
  );
}

/**
 * Locks the billable entries not yet invoiced and worked before `beforeDay` (exclusive), and
 * returns them as invoice lines plus a claim that marks exactly those entries invoiced: both
 * run inside the invoice's transaction (see createProjectInvoice), so an entry is invoiced once.
 */
export function uninvoicedHours(
  projectId: string,
  beforeDay: string | null,
  mode: HoursTerms['lines'],
  formatRate: (amount: number) => string,
) {
  let ids: string[] = [];
  return {
    async attach(trx: Transaction<Database>): Promise<NewInvoiceLine[]> {
      let query = trx
        .selectFrom('time_entries')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('billable', '=', true)
        .where('invoice_id', 'is', null);
      if (beforeDay) query = query.where('work_date', '<', beforeDay);
      const rows = await query.orderBy('work_date').orderBy('created_at').forUpdate().execute();
      ids = rows.map((r) => r.id);
      const entries: BillableEntry[] = rows.map((r) => ({
        id: r.id,
        person: r.person,
        role: r.role,
        workDate: r.work_date,
        billedMinutes: r.billed_minutes,
        hourlyRate: r.hourly_rate,
        amount: r.amount,
        description: r.description,
      }));
      return hoursLines(entries, mode, formatRate).map((l) => ({ ...l, taxCategory: 'standard' }));
    },
    async claim(trx: Transaction<Database>, invoiceId: string): Promise<void> {
      if (ids.length === 0) return;
      const claimed = await trx
        .updateTable('time_entries')
        .set({ invoice_id: invoiceId })
        .where('id', 'in', ids)
        .where('invoice_id', 'is', null)
        .returning('id')
        .execute();
      // Locked above: anything else means a second invoice raced us; fail the whole transaction.
      if (claimed.length !== ids.length) throw new Error('time entries were invoiced concurrently');
    },
  };
}
