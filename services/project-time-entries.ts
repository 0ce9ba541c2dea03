// Time entries: rows recorded against a project's budget and invoiced by its workflow. An entry
// is rounded up to the project's increment and priced at the rate given or the role's rate card
// rate; past a hard-stop budget it is refused, and the one that crosses the warning threshold
// has the workflow warn the operator.
import type { Db } from '../db/connect.ts';
import { newId } from '../db/ids.ts';
import { type ProjectRow } from '../db/repositories/projects.ts';
import { type TimeEntryRow } from '../db/repositories/project-time-entries.ts';
import { TimeEntryRefusedError } from '../db/repositories/project-time-entries.ts';
import { listTimeEntries } from '../db/repositories/project-time-entries.ts';
import { insertTimeEntry } from '../db/repositories/project-time-entries.ts';
import { deleteTimeEntry } from '../db/repositories/project-time-entries.ts';
import { hoursAmount, minutesOf, roundMinutes } from '../domain/projects/hours.ts';
import type { HoursTerms, ProjectTerms } from '../domain/projects/terms.ts';
import { budgetWarningSignal } from '../workflows/project-messages.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { loadProject, projectHandle } from './projects.ts';
import { Refused } from './refused.ts';

export interface TimeEntryOrder {
  projectId: string;
  person: string;
  date: string;
  hours: number | string;
  rate?: number | undefined;
  role?: string | undefined;
  description: string;
  billable?: boolean | undefined;
}

export interface RecordedTimeEntry {
  project: ProjectRow;
  entry: TimeEntryRow;
  /** Billable hours recorded so far, this entry included. */
  used: number;
  budget: HoursTerms['budget'];
}

function entryRefusal(error: unknown): unknown {
  if (error instanceof TimeEntryRefusedError) {
    return error.status === 409
      ? new Refused('conflict', error.message)
      : new Refused('unprocessable', error.message, { field: error.field });
  }
  return error;
}

/**
 * Records an entry. A budget warning the workflow could not be told of is handed to
 * `undelivered` and does not fail the entry.
 */
export async function recordTimeEntry(
  deps: ServiceDependencies,
  order: TimeEntryOrder,
  undelivered: (error: unknown) => void,
): Promise<RecordedTimeEntry> {
  const row = await loadProject(deps.db, order.projectId);
  const hoursTerms = (row.terms as ProjectTerms).hours;
  if (!hoursTerms) {
    throw new Refused('unprocessable', 'this project does not bill hours (no hours terms)', {
      field: 'hours',
    });
  }
  let minutes: number;
  try {
    minutes = minutesOf(order.hours);
  } catch (error) {
    throw new Refused('unprocessable', (error as Error).message, { field: 'hours' });
  }
  const rate =
    order.rate ?? (order.role !== undefined ? hoursTerms.rateCard[order.role] : undefined);
  if (rate === undefined) {
    throw new Refused(
      'unprocessable',
      order.role !== undefined
        ? `role ${order.role} is not on the rate card`
        : 'give a rate or a role of the rate card',
      { field: order.role !== undefined ? 'role' : 'rate' },
    );
  }
  const billedMinutes = roundMinutes(minutes, hoursTerms.roundingMinutes);
  const billable = order.billable ?? true;
  let recorded;
  try {
    recorded = await insertTimeEntry(
      deps.db,
      row.id,
      {
        id: newId('te'),
        person: order.person,
        role: order.role ?? null,
        workDate: order.date,
        minutes,
        billedMinutes,
        hourlyRate: rate,
        amount: billable ? hoursAmount(billedMinutes, rate) : 0,
        description: order.description,
        billable,
      },
      hoursTerms.budget,
    );
  } catch (error) {
    throw entryRefusal(error);
  }
  const budget = hoursTerms.budget;
  if (recorded.crossesWarning && budget) {
    // The workflow emails the operator once; the answer says so whatever happens to the signal.
    await temporalCall(deps, () =>
      projectHandle(deps, row.id).signal(budgetWarningSignal, {
        used: recorded.used,
        budget: budget.amount,
      }),
    ).catch(undelivered);
  }
  return { project: row, entry: recorded.entry, used: recorded.used, budget };
}

export async function projectTimeEntries(db: Db, projectId: string) {
  const row = await loadProject(db, projectId);
  return { row, entries: await listTimeEntries(db, row.id) };
}

/** Deletes an entry not yet invoiced; an invoiced one is refused (conflict). */
export async function removeTimeEntry(db: Db, projectId: string, entryId: string): Promise<void> {
  await loadProject(db, projectId);
  try {
    await deleteTimeEntry(db, projectId, entryId);
  } catch (error) {
    throw entryRefusal(error);
  }
}
