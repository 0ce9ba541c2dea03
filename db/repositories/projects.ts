// Projects as stored: the project row and its milestones (a mirror of what the workflow decided,
// for lists and for finance), the audit trail of events and change orders, and time entries,
// recorded against the budget under the project's row lock and invoiced exactly once.
import type { Transaction } from 'kysely';
import type { ChangeOrder, HoursTerms, ProjectTerms } from '../../domain/projects.ts';
import { checkBudget, hoursLines, type BillableEntry } from '../../domain/projects.ts';
import type { Db } from '../connect.ts';
import type { Database, MilestoneStatus, ProjectsTable, TimeEntriesTable } from '../database.ts';
import type { Selectable } from 'kysely';
import type { NewInvoiceLine } from './invoice-drafts.ts';

type Executor = Db | Transaction<Database>;
export type ProjectRow = Selectable<ProjectsTable>;
export type TimeEntryRow = Selectable<TimeEntriesTable>;

export class ProjectNotFoundError extends Error {
  constructor(id: string) {
    super(`Project ${id} does not exist.`);
    this.name = 'ProjectNotFoundError';
  }
}

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

export async function insertProject(
  trx: Executor,
  project: {
    id: string;
    customerId: string;
    name: string;
    terms: ProjectTerms;
    milestones: { key: string; name: string; amount: number }[];
  },
): Promise<ProjectRow> {
  const row = await trx
    .insertInto('projects')
    .values({
      id: project.id,
      customer_id: project.customerId,
      name: project.name,
      currency: project.terms.currency,
      contract_value: project.terms.contractValue,
      terms: JSON.stringify(project.terms),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('project_milestones')
    .values(
      project.milestones.map((m, position) => ({
        project_id: project.id,
        key: m.key,
        position,
        name: m.name,
        amount: m.amount,
      })),
    )
    .execute();
  return row;
}

export async function getProject(db: Executor, id: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function requireProject(db: Executor, id: string): Promise<ProjectRow> {
  const row = await getProject(db, id);
  if (!row) throw new ProjectNotFoundError(id);
  return row;
}

export async function listProjects(
  db: Executor,
  filter: { customerId?: string | undefined; limit: number; startingAfter?: string | undefined },
): Promise<ProjectRow[]> {
  let query = db.selectFrom('projects').selectAll();
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.startingAfter) query = query.where('id', '<', filter.startingAfter);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function listMilestones(db: Executor, projectId: string) {
  return db
    .selectFrom('project_milestones')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('position')
    .execute();
}

export async function listProjectEvents(db: Executor, projectId: string) {
  return db
    .selectFrom('project_events')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('id')
    .execute();
}

export async function listChangeOrders(db: Executor, projectId: string) {
  return db
    .selectFrom('project_change_orders')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('version')
    .execute();
}

export interface ProjectEvent {
  projectId: string;
  /** Business key: the same event recorded twice is stored once. */
  eventKey: string;
  milestoneKey?: string | undefined;
  kind: string;
  actor: string;
  reason?: string | undefined;
  occurredAt: string;
  /** The milestone's status after the event, mirrored on its row. */
  milestoneStatus?: MilestoneStatus | undefined;
  invoiceId?: string | undefined;
}

/** Records an event once (by key) and mirrors the milestone's new status, in one transaction. */
export async function recordProjectEvent(db: Db, event: ProjectEvent): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('project_events')
      .values({
        project_id: event.projectId,
        event_key: event.eventKey,
        milestone_key: event.milestoneKey ?? null,
        kind: event.kind,
        actor: event.actor,
        reason: event.reason ?? null,
        occurred_at: event.occurredAt,
      })
      .onConflict((oc) => oc.column('event_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return false;
    if (event.milestoneKey && event.milestoneStatus) {
      await trx
        .updateTable('project_milestones')
        .set({
          status: event.milestoneStatus,
          updated_at: event.occurredAt,
          ...(event.invoiceId && { invoice_id: event.invoiceId }),
        })
        .where('project_id', '=', event.projectId)
        .where('key', '=', event.milestoneKey)
        // Events of one milestone may be recorded out of order; invoiced is final.
        .where('status', '<>', 'invoiced')
        .execute();
    }
    if (event.kind === 'project_completed') {
      await trx
        .updateTable('projects')
        .set({ status: 'completed', completed_at: event.occurredAt })
        .where('id', '=', event.projectId)
        .execute();
    }
    return true;
  });
}

/**
 * A change order as applied by the workflow: the audit row (once per version), the project's
 * new version, contract value and terms, and every milestone's price.
 */
export async function recordChangeOrder(
  db: Db,
  order: {
    projectId: string;
    version: number;
    change: ChangeOrder;
    terms: ProjectTerms;
    milestones: { key: string; name: string; amount: number }[];
    contractValueBefore: number;
    actor: string;
    reason?: string | undefined;
    occurredAt: string;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('project_change_orders')
      .values({
        project_id: order.projectId,
        version: order.version,
        change: JSON.stringify(order.change),
        contract_value_before: order.contractValueBefore,
        contract_value_after: order.terms.contractValue,
        actor: order.actor,
        reason: order.reason ?? null,
        occurred_at: order.occurredAt,
      })
      .onConflict((oc) => oc.columns(['project_id', 'version']).doNothing())
      .returning('version')
      .executeTakeFirst();
    if (!inserted) return;
    await trx
      .updateTable('projects')
      .set({
        version: order.version,
        contract_value: order.terms.contractValue,
        terms: JSON.stringify(order.terms),
      })
      .where('id', '=', order.projectId)
      .execute();
    for (const [position, m] of order.milestones.entries()) {
      await trx
        .insertInto('project_milestones')
        .values({
          project_id: order.projectId,
          key: m.key,
          position,
          name: m.name,
          amount: m.amount,
        })
        .onConflict((oc) =>
          oc.columns(['project_id', 'key']).doUpdateSet({ amount: m.amount, name: m.name }),
        )
        .execute();
    }
  });
}

// ---- time entries ----

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
