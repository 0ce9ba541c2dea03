// What a project workflow answers: its state query; the milestone updates (complete, approve,
// reject) and change orders, each with a validator that refuses a conflict before it reaches
// history; and the budget warning signalled when billable hours near the budget.
import { setHandler } from '@temporalio/workflow';
import { applyChangeOrder, ProjectTermsError } from '../domain/projects/terms.ts';
import { daysAfter } from '../domain/projects/calendar.ts';
import { PROJECT_NAME } from '../workflow-contracts/names.ts';
import type { WorkflowClock } from './clock.ts';
import type { ProjectSteps } from './project-billing.ts';
import {
  approveMilestoneUpdate,
  budgetWarningSignal,
  changeOrderUpdate,
  completeMilestoneUpdate,
  initialMilestoneState,
  INVALID_CHANGE_ORDER,
  MILESTONE_CONFLICT,
  projectStateQuery,
  rejectMilestoneUpdate,
  type ChangeOrderRequest,
  type MilestoneRequest,
} from './project-messages.ts';
import {
  awaitingApproval,
  day,
  milestone,
  pricingBasis,
  refuse,
  requireActive,
  termsOf,
  type ProjectRun,
} from './project-state.ts';

export function registerProjectHandlers(
  run: ProjectRun,
  clock: WorkflowClock,
  { record, recordChangeOrder, notify }: ProjectSteps,
): void {
  const { state } = run;
  const { timezone } = run.input;

  setHandler(projectStateQuery, () => state);

  setHandler(
    completeMilestoneUpdate,
    async (request) => {
      const m = milestone(run, request.key);
      const now = clock.nowIso();
      m.completedAt = now;
      const terms = termsOf(run, m.key);
      const round = m.approvalRound + 1;
      if (terms.requiresApproval) {
        m.status = 'awaiting_approval';
        m.approvalRound = round;
        m.approvalRequestedAt = now;
        m.autoApproveAt =
          terms.autoApproveAfterDays !== undefined
            ? daysAfter(now, terms.autoApproveAfterDays, timezone)
            : null;
      } else {
        m.status = 'approved';
        m.approvedAt = now;
        m.approvedBy = request.actor;
      }
      run.changes++;
      await record('milestone_completed', `milestone/${m.key}/completed/${round}`, request, m);
      return state;
    },
    {
      validator: (request: MilestoneRequest) => {
        requireActive(run);
        const m = milestone(run, request.key);
        if (m.status !== 'pending') {
          throw refuse(MILESTONE_CONFLICT, `milestone ${m.key} is already completed (${m.status})`);
        }
        if (state.terms.sequential) {
          const index = state.milestones.indexOf(m);
          const earlier = state.milestones.slice(0, index).find((x) => x.status === 'pending');
          if (earlier) {
            throw refuse(
              MILESTONE_CONFLICT,
              `milestone ${earlier.key} must be completed before ${m.key} (milestones are sequential)`,
            );
          }
        }
      },
    },
  );

  setHandler(
    approveMilestoneUpdate,
    async (request) => {
      const m = milestone(run, request.key);
      m.status = 'approved';
      m.approvedAt = clock.nowIso();
      m.approvedBy = request.actor;
      run.changes++;
      await record(
        'milestone_approved',
        `milestone/${m.key}/approved/${m.approvalRound}`,
        request,
        m,
      );
      return state;
    },
    { validator: (request: MilestoneRequest) => void awaitingApproval(run, request) },
  );

  setHandler(
    rejectMilestoneUpdate,
    async (request) => {
      const m = milestone(run, request.key);
      const at = clock.nowIso();
      m.status = 'pending';
      m.rejections.push({ reason: request.reason!, actor: request.actor, at });
      m.completedAt = null;
      m.autoApproveAt = null;
      run.changes++;
      await record(
        'milestone_rejected',
        `milestone/${m.key}/rejected/${m.approvalRound}`,
        request,
        m,
      );
      await notify(
        `milestone/${m.key}/rejected/${m.approvalRound}`,
        `Milestone "${m.name}" was rejected (${PROJECT_NAME})`,
        [
          `${request.actor} rejected the milestone "${m.name}" of ${PROJECT_NAME} on ${day(run, at)}.`,
          `Reason: ${request.reason}`,
          'It is back to pending: complete it again once the reason is addressed.',
        ],
        `Tell the operator '${m.name}' was rejected`,
      );
      return state;
    },
    {
      validator: (request: MilestoneRequest) => {
        awaitingApproval(run, request);
        if (!request.reason?.trim()) {
          throw refuse(MILESTONE_CONFLICT, 'a rejection needs a reason', 'reason');
        }
      },
    },
  );

  setHandler(
    changeOrderUpdate,
    async (request) => {
      const { locked, frozen, terms } = pricingBasis(run);
      const { terms: next, priced } = applyChangeOrder(terms, request.change, locked, frozen);
      const before = state.terms.contractValue;
      state.terms = { ...next, ...(state.terms.deposit && { deposit: state.terms.deposit }) };
      state.version++;
      for (const [i, p] of priced.milestones.entries()) {
        const existing = state.milestones.find((m) => m.key === p.key);
        if (existing) existing.amount = p.amount;
        else state.milestones.push(initialMilestoneState(next.milestones[i]!, p.amount));
      }
      run.changes++;
      await recordChangeOrder(request, before);
      return state;
    },
    {
      validator: (request: ChangeOrderRequest) => {
        requireActive(run);
        const { locked, frozen, terms } = pricingBasis(run);
        try {
          applyChangeOrder(terms, request.change, locked, frozen);
        } catch (error) {
          if (error instanceof ProjectTermsError) {
            throw refuse(INVALID_CHANGE_ORDER, error.message, error.field);
          }
          throw error;
        }
      },
    },
  );

  setHandler(budgetWarningSignal, (warning) => {
    if (state.budgetWarned) return;
    run.budgetWarning = warning;
    run.changes++;
  });
}
