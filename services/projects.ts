// Projects: a row and a durable workflow each (project-<id>). Creating one inserts the row and
// starts the workflow in one transaction; completing, approving and rejecting milestones and
// change orders are workflow updates whose validators refuse what the project's state does not
// allow: their refusals are thrown as Refused, Temporal's own failures as Temporal reports them.
import type { WorkflowHandle } from '@temporalio/client';
import {
  ApplicationFailure,
  QueryNotRegisteredError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { Db } from '../db/connect.ts';
import { newId } from '../db/ids.ts';
import { toPage } from '../db/pagination.ts';
import { getCustomer, taxCustomerOf } from '../db/repositories/customers.ts';
import {
  insertProject,
  listChangeOrders,
  listMilestones,
  listProjectEvents,
  listProjects,
  ProjectNotFoundError,
  requireProject,
  type ProjectRow,
} from '../db/repositories/projects.ts';
import { budgetUsed } from '../db/repositories/project-time-entries.ts';
import { testClockRefOf } from '../db/repositories/test-clocks.ts';
import { priceProject, type ChangeOrder } from '../domain/projects/terms.ts';
import type { TaxSeller } from '../domain/tax/types.ts';
import { validateTaxCustomer } from '../domain/tax/validation.ts';
import { projectStartOptions } from '../temporal/project-start.ts';
import { projectWorkflowId } from '../workflow-contracts/ids.ts';
import type { projectWorkflow } from '../workflows/project.ts';
import {
  approveMilestoneUpdate,
  changeOrderUpdate,
  completeMilestoneUpdate,
  INVALID_CHANGE_ORDER,
  initialProjectState,
  MILESTONE_CONFLICT,
  projectStateQuery,
  rejectMilestoneUpdate,
  type ProjectState,
  type ProjectWorkflowInput,
  UNKNOWN_MILESTONE,
} from '../workflows/project-messages.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import {
  milestoneTerms,
  priceOf,
  projectTerms,
  termsRefusal,
  type MilestoneInput,
  type PriceInput,
  type ProjectTermsInput,
} from './project-terms.ts';
import { Refused } from './refused.ts';

/** A project as stored, with its workflow's state while it runs. */
export interface ProjectSnapshot {
  row: ProjectRow;
  /** Undefined once the workflow is gone. */
  state: ProjectState | undefined;
  /** Billable hours recorded so far, in minor units. */
  used: number;
  milestones: Awaited<ReturnType<typeof listMilestones>>;
}

/** The project, refused as not found when it does not exist. */
export async function loadProject(db: Db, id: string): Promise<ProjectRow> {
  try {
    return await requireProject(db, id);
  } catch (error) {
    if (error instanceof ProjectNotFoundError) throw new Refused('not_found', error.message);
    throw error;
  }
}

export function projectHandle(
  deps: ServiceDependencies,
  id: string,
): WorkflowHandle<typeof projectWorkflow> {
  return deps.temporal.workflow.getHandle<typeof projectWorkflow>(projectWorkflowId(id));
}

/** The project as the workflow sees it, or as stored once the workflow is gone. */
export async function projectSnapshot(
  deps: ServiceDependencies,
  row: ProjectRow,
  live?: ProjectState,
): Promise<ProjectSnapshot> {
  let state = live;
  if (!state) {
    try {
      state = await temporalCall(deps, () => projectHandle(deps, row.id).query(projectStateQuery));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError || error instanceof QueryNotRegisteredError)) {
        throw error;
      }
    }
  }
  const used = await budgetUsed(deps.db, row.id);
  const milestones = await listMilestones(deps.db, row.id);
  return { row, state, used, milestones };
}

export async function getProject(deps: ServiceDependencies, id: string): Promise<ProjectSnapshot> {
  return projectSnapshot(deps, await loadProject(deps.db, id));
}

export interface CreateProjectOrder extends ProjectTermsInput {
  customerId: string;
  name: string;
  /** Chosen by the caller (an accepted quote) so a retry finds the same project. */
  id?: string | undefined;
}

/**
 * The project order checked as POST /v1/projects checks it (customer, currency, taxability,
 * terms), with its terms priced: shared by creating a project and quoting one.
 */
export async function checkProjectOrder(
  deps: ServiceDependencies & { seller: TaxSeller },
  order: CreateProjectOrder,
) {
  const { db } = deps;
  const customer = await getCustomer(db, order.customerId);
  if (!customer) {
    throw new Refused('unprocessable', `customer ${order.customerId} does not exist`, {
      field: 'customerId',
    });
  }
  if (customer.currency !== order.currency) {
    throw new Refused(
      'unprocessable',
      `customer ${customer.id} is billed in ${customer.currency}`,
      {
        field: 'currency',
      },
    );
  }
  // Every invoice of the project is taxed for this customer: clean data now, not at the deposit.
  const taxIssues = validateTaxCustomer(taxCustomerOf(customer), deps.seller);
  if (taxIssues.length > 0) {
    throw new Refused(
      'unprocessable',
      `customer ${customer.id} cannot be taxed: ${taxIssues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      { field: 'customerId' },
    );
  }
  const terms = projectTerms(order);
  let priced;
  try {
    priced = priceProject(terms);
  } catch (error) {
    throw termsRefusal(error);
  }
  return { customer, terms, priced };
}

/**
 * Creates the project and starts its workflow in one transaction: refused for an unknown
 * customer, another currency, a customer that cannot be taxed or terms that exceed the contract;
 * unavailable (nothing created) when the workflow cannot be started.
 */
export async function createProject(
  deps: ServiceDependencies & { seller: TaxSeller },
  order: CreateProjectOrder,
): Promise<ProjectSnapshot> {
  const { db } = deps;
  const { customer, terms, priced } = await checkProjectOrder(deps, order);
  const id = order.id ?? newId('prj');
  const testClock = await testClockRefOf(db, customer.test_clock_id);
  const input: ProjectWorkflowInput = {
    projectId: id,
    customerId: customer.id,
    timezone: customer.timezone,
    terms,
    ...(testClock && { testClock }),
  };
  const row = await db.transaction().execute(async (trx) => {
    const inserted = await insertProject(trx, {
      id,
      customerId: customer.id,
      name: order.name,
      terms,
      milestones: terms.milestones.map((m, i) => ({
        key: m.key,
        name: m.name,
        amount: priced.milestones[i]!.amount,
      })),
    });
    try {
      await temporalCall(deps, () =>
        deps.temporal.workflow.start<typeof projectWorkflow>(
          'projectWorkflow',
          projectStartOptions(input),
        ),
      );
    } catch (error) {
      throw new Refused(
        'unavailable',
        'Could not start the project’s workflow; nothing was created. Retry later.',
        { cause: error },
      );
    }
    return inserted;
  });
  // The workflow starts at the clock's time on a clocked customer, so does its state.
  const state = initialProjectState(input, input.testClock?.now ?? new Date().toISOString());
  return projectSnapshot(deps, row, state);
}

/** A page of projects, newest first, optionally of one customer (as stored). */
export async function findProjects(
  db: Db,
  filter: { customerId?: string | undefined; limit: number; startingAfter?: string | undefined },
): Promise<{ items: ProjectRow[]; hasMore: boolean }> {
  // One more than the page tells whether there are more.
  return toPage(await listProjects(db, { ...filter, limit: filter.limit + 1 }), filter.limit);
}

export async function projectEvents(db: Db, id: string) {
  await loadProject(db, id);
  return listProjectEvents(db, id);
}

export async function projectChangeOrders(db: Db, id: string) {
  const row = await loadProject(db, id);
  return { row, changeOrders: await listChangeOrders(db, row.id) };
}

/** The project workflow's refusal of an update as Refused; any other failure as it is. */
function updateRefusal(error: unknown): unknown {
  if (!(error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)) {
    return error;
  }
  const { type, message } = error.cause;
  const field = typeof error.cause.details?.[0] === 'string' ? error.cause.details[0] : undefined;
  if (type === UNKNOWN_MILESTONE) return new Refused('not_found', message, { cause: error });
  if (type === MILESTONE_CONFLICT) {
    return field
      ? new Refused('unprocessable', message, { field, cause: error })
      : new Refused('conflict', message, { cause: error });
  }
  if (type === INVALID_CHANGE_ORDER) {
    return new Refused('unprocessable', message.replace(/^[^:]*: /, ''), {
      field: field ?? 'change',
      cause: error,
    });
  }
  return error;
}

/** Sends an update to the project's workflow; the workflow's refusal is thrown as Refused. */
async function update(
  deps: ServiceDependencies,
  id: string,
  send: (h: WorkflowHandle<typeof projectWorkflow>) => Promise<ProjectState>,
): Promise<ProjectSnapshot> {
  const row = await loadProject(deps.db, id);
  let state;
  try {
    state = await temporalCall(deps, () => send(projectHandle(deps, id)));
  } catch (error) {
    throw updateRefusal(error);
  }
  return projectSnapshot(deps, row, state);
}

export interface MilestoneAction {
  projectId: string;
  key: string;
  actor: string;
  reason?: string | undefined;
  /** For the customer's approval link: the approval round it was sent for. */
  round?: number | undefined;
}

const milestoneArgs = (a: MilestoneAction) => ({
  key: a.key,
  actor: a.actor,
  ...(a.reason && { reason: a.reason }),
  ...(a.round !== undefined && { round: a.round }),
});

export function completeMilestone(deps: ServiceDependencies, action: MilestoneAction) {
  return update(deps, action.projectId, (h) =>
    h.executeUpdate(completeMilestoneUpdate, { args: [milestoneArgs(action)] }),
  );
}

export function approveMilestone(deps: ServiceDependencies, action: MilestoneAction) {
  return update(deps, action.projectId, (h) =>
    h.executeUpdate(approveMilestoneUpdate, { args: [milestoneArgs(action)] }),
  );
}

export function rejectMilestone(
  deps: ServiceDependencies,
  action: MilestoneAction & { reason: string },
) {
  return update(deps, action.projectId, (h) =>
    h.executeUpdate(rejectMilestoneUpdate, { args: [milestoneArgs(action)] }),
  );
}

export interface ChangeOrderInput {
  projectId: string;
  actor: string;
  contractValue?: number | undefined;
  addMilestone?: MilestoneInput | undefined;
  reprice?: (PriceInput & { key: string }) | undefined;
  reason?: string | undefined;
}

export async function applyChangeOrder(deps: ServiceDependencies, order: ChangeOrderInput) {
  const change: ChangeOrder = {
    ...(order.contractValue !== undefined && { contractValue: order.contractValue }),
    ...(order.addMilestone && {
      addMilestone: milestoneTerms(order.addMilestone, 'addMilestone'),
    }),
    ...(order.reprice && {
      reprice: { key: order.reprice.key, price: priceOf(order.reprice, 'reprice') },
    }),
  };
  return update(deps, order.projectId, (h) =>
    h.executeUpdate(changeOrderUpdate, {
      args: [{ change, actor: order.actor, ...(order.reason && { reason: order.reason }) }],
    }),
  );
}
