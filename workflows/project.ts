// One durable workflow per project: the deposit invoiced at start; each milestone moved from
// pending → completed (by the operator) → awaiting approval (when required; approved or rejected
// through a signed link or by the operator, or approved automatically after N days) → invoiced
// (less retainage) through the one invoice pipeline; billable hours invoiced monthly in arrears
// or with the next milestone; change orders versioned; the operator reminded of overdue
// milestones; retainage released and the project closed once every milestone is invoiced.
// This is the main loop; the run's bookkeeping is in project-state.ts, what it answers in
// project-handlers.ts and its billing steps in project-billing.ts.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { nextMonthStart } from '../domain/projects/calendar.ts';
import { monthEndingAt } from '../domain/projects/calendar.ts';
import { dueInstant } from '../domain/projects/calendar.ts';
import { PROJECT_NAME } from '../workflow-contracts/names.ts';
import { workflowClock } from './clock.ts';
import { projectSteps } from './project-billing.ts';
import { registerProjectHandlers } from './project-handlers.ts';
import type { ProjectState, ProjectWorkflowInput } from './project-messages.ts';
import { day, nextWait, show, startProjectRun, SYSTEM, termsOf } from './project-state.ts';

/** History stays bounded: a run takes at most this many steps, then continues as new. */
const STEPS_PER_RUN = 60;

export async function projectWorkflow(input: ProjectWorkflowInput): Promise<ProjectState> {
  const { timezone } = input;
  const clock = workflowClock(input.testClock);
  const run = startProjectRun(input, clock.nowIso());
  const { state } = run;
  const steps = projectSteps(run, clock);
  const { record, issue, invoiceMilestone, requestApproval, notify, showStatus, complete } = steps;
  registerProjectHandlers(run, clock, steps);
  let stepsThisRun = 0;

  showStatus(state.status);
  while (state.status === 'active') {
    stepsThisRun++;
    if (stepsThisRun > STEPS_PER_RUN || workflowInfo().continueAsNewSuggested) break;
    if (state.deposit > 0 && !state.invoices.some((i) => i.billingKey === 'deposit')) {
      await issue(`Invoice the deposit of ${show(run, state.deposit)}`, {
        billingKey: 'deposit',
        lines: [
          {
            description: `Deposit for ${PROJECT_NAME}`,
            wording: { key: 'lines.deposit', values: { project: PROJECT_NAME } },
            quantity: '1',
            unitAmount: String(state.deposit),
            amount: state.deposit,
          },
        ],
      });
      await record('deposit_invoiced', 'deposit', { actor: SYSTEM });
      continue;
    }
    const approved = state.milestones.find((m) => m.status === 'approved');
    if (approved) {
      await invoiceMilestone(approved);
      continue;
    }
    const toAsk = state.milestones.find(
      (m) => m.status === 'awaiting_approval' && m.approvalEmailedRound < m.approvalRound,
    );
    if (toAsk) {
      await requestApproval(toAsk);
      continue;
    }
    if (run.budgetWarning) {
      const { used, budget } = run.budgetWarning;
      run.budgetWarning = null;
      state.budgetWarned = true;
      await notify(
        'budget-warning',
        `Budget warning: ${PROJECT_NAME}`,
        [
          `Billable hours on ${PROJECT_NAME} have reached ${show(run, used)} of the ${show(run, budget)} not-to-exceed budget.`,
        ],
        `Warn the operator: hours at ${show(run, used)} of ${show(run, budget)}`,
      );
      continue;
    }
    const now = clock.now();
    const autoDue = state.milestones.find(
      (m) =>
        m.status === 'awaiting_approval' && m.autoApproveAt && Date.parse(m.autoApproveAt) <= now,
    );
    if (autoDue) {
      const days = termsOf(run, autoDue.key).autoApproveAfterDays;
      autoDue.status = 'approved';
      autoDue.approvedAt = autoDue.autoApproveAt;
      autoDue.approvedBy = SYSTEM;
      await record(
        'milestone_approved',
        `milestone/${autoDue.key}/approved/${autoDue.approvalRound}`,
        { actor: SYSTEM, reason: `no answer within ${days} days: approved automatically` },
        autoDue,
      );
      continue;
    }
    const overdue = state.milestones.find((m) => {
      const due = termsOf(run, m.key).dueDate;
      return (
        m.status === 'pending' &&
        due &&
        !m.overdueReminded &&
        Date.parse(dueInstant(due, timezone)) <= now
      );
    });
    if (overdue) {
      overdue.overdueReminded = true;
      const due = termsOf(run, overdue.key).dueDate!;
      await notify(
        `milestone/${overdue.key}/overdue`,
        `Milestone "${overdue.name}" is overdue (${PROJECT_NAME})`,
        [
          `The milestone "${overdue.name}" of ${PROJECT_NAME} was due on ${due} and is not completed.`,
        ],
        `Remind the operator: '${overdue.name}' was due ${due}`,
      );
      continue;
    }
    if (state.nextHoursInvoiceAt && Date.parse(state.nextHoursInvoiceAt) <= now) {
      const month = monthEndingAt(state.nextHoursInvoiceAt, timezone);
      await issue(
        `Invoice ${month.label} hours`,
        {
          billingKey: `hours/${month.label}`,
          lines: [],
          hours: { beforeDay: month.endDay, lines: state.terms.hours!.lines },
        },
        state.nextHoursInvoiceAt,
      );
      state.nextHoursInvoiceAt = nextMonthStart(state.nextHoursInvoiceAt, timezone);
      continue;
    }
    if (state.milestones.every((m) => m.status === 'invoiced')) {
      await complete();
      break;
    }
    const wait = nextWait(run);
    const awaiting = state.milestones.some((m) => m.status === 'awaiting_approval');
    showStatus(awaiting ? 'awaiting_approval' : 'active');
    setCurrentDetails(
      wait.details.length > 0
        ? wait.details.join('\n\n')
        : 'Waiting for the operator to complete a milestone.',
    );
    const seen = run.changes;
    if (wait.at === null) await clock.waitFor(() => run.changes !== seen);
    else await clock.sleepUntil(wait.at, () => run.changes !== seen, wait.summary);
  }

  clock.end(state.status === 'completed' ? 'finished' : 'continuing');
  await condition(allHandlersFinished);
  if (state.status === 'completed') {
    setCurrentDetails(`Completed on ${day(run, state.completedAt!)}: every milestone invoiced.`);
    return state;
  }
  return continueAsNew<typeof projectWorkflow>({
    ...input,
    ...(clock.testClockId && { testClock: clock.carry() }),
    carried: state,
  });
}
