// Projects as stored: the project row and its milestones (a mirror of what the workflow decided,
// for lists and for finance), and the audit trail of events and change orders. Time entries are
// project-time-entries.ts's.
import type { Selectable, Transaction } from 'kysely';
import type { ChangeOrder, ProjectTerms } from '../../domain/projects/terms.ts';
import { projectEventOf } from '../../domain/webhooks/events.ts';
import type { Db } from '../connect.ts';
import type { Database, MilestoneStatus, ProjectsTable } from '../database.ts';
import { recordEvent } from './webhook-events.ts';

type Executor = Db | Transaction<Database>;
export type ProjectRow = Selectable<ProjectsTable>;

export class ProjectNotFoundError extends Error {
  constructor(id: string) {
    super(`Project ${id} does not exist.`);
    this.name = 'ProjectNotFoundError';
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

/**
 * A milestone's approval (by the operator, the customer's link or automatically) or rejection,
 * as the webhook `project.milestone_approved` / `_rejected`: written with the project event
 * that records it, so only its first recording (by its key) writes one.
 */
async function recordMilestoneAnswer(trx: Transaction<Database>, event: ProjectEvent) {
  const type = projectEventOf(event.kind);
  if (!type || !event.milestoneKey) return;
  const row = await trx
    .selectFrom('project_milestones as m')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .select(['p.customer_id', 'p.name as project_name', 'p.currency', 'm.name', 'm.amount'])
    .where('m.project_id', '=', event.projectId)
    .where('m.key', '=', event.milestoneKey)
    .executeTakeFirstOrThrow();
  const at = new Date(event.occurredAt).toISOString();
  await recordEvent(trx, type, {
    id: event.projectId,
    customerId: row.customer_id,
    projectName: row.project_name,
    currency: row.currency,
    milestoneKey: event.milestoneKey,
    milestoneName: row.name,
    amount: row.amount,
    actor: event.actor,
    reason: event.reason ?? null,
    ...(type === 'project.milestone_approved' ? { approvedAt: at } : { rejectedAt: at }),
  });
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
    await recordMilestoneAnswer(trx, event);
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
