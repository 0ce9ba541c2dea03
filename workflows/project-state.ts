// A project run's bookkeeping, with no Temporal API but its failure type: the state the
// workflow changes, the rules a message must pass before it is accepted, the terms a change
// order is priced against, and what the workflow waits for next. The main loop (project.ts),
// the message handlers (project-handlers.ts) and the billing steps (project-billing.ts) share
// one run.
import { ApplicationFailure } from '@temporalio/workflow';
import { formatMoney, money } from '../domain/core/money.ts';
import { localDate } from '../domain/core/periods.ts';
import { type MilestoneTerms, type ProjectTerms } from '../domain/projects/terms.ts';
import { monthEndingAt } from '../domain/projects/calendar.ts';
import { dueInstant } from '../domain/projects/calendar.ts';
import {
  initialProjectState,
  MILESTONE_CONFLICT,
  UNKNOWN_MILESTONE,
  type MilestoneRequest,
  type MilestoneState,
  type ProjectState,
  type ProjectWorkflowInput,
} from './project-messages.ts';

export const SYSTEM = 'system';

export interface ProjectRun {
  readonly input: ProjectWorkflowInput;
  readonly state: ProjectState;
  /** The contract's currency, as the run started. */
  readonly currency: string;
  /** Bumped by every message, so the loop wakes and looks again. */
  changes: number;
  budgetWarning: { used: number; budget: number } | null;
  /** Set while the project closes: nothing may change it any more. */
  closing: boolean;
}

export function startProjectRun(input: ProjectWorkflowInput, now: string): ProjectRun {
  const state = input.carried ?? initialProjectState(input, now);
  const currency = state.terms.currency;
  return { input, state, currency, changes: 0, budgetWarning: null, closing: false };
}

export function refuse(type: string, message: string, field?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    ...(field !== undefined && { details: [field] }),
  });
}

export function termsOf(run: ProjectRun, key: string): MilestoneTerms {
  return run.state.terms.milestones.find((m) => m.key === key)!;
}

/** An amount in the project's currency, as the operator and the Temporal UI read it. */
export function show(run: ProjectRun, amount: number): string {
  return formatMoney(money(amount, run.currency), 'en-GB');
}

/** The local day of an instant in the project's time zone. */
export function day(run: ProjectRun, instant: string): string {
  return localDate(instant, run.input.timezone);
}

export function milestone(run: ProjectRun, key: string): MilestoneState {
  const m = run.state.milestones.find((x) => x.key === key);
  if (!m) throw refuse(UNKNOWN_MILESTONE, `project ${run.input.projectId} has no milestone ${key}`);
  return m;
}

export function requireActive(run: ProjectRun): void {
  if (run.state.status === 'completed' || run.closing) {
    throw refuse(MILESTONE_CONFLICT, `project ${run.input.projectId} is completed`);
  }
}

export function awaitingApproval(run: ProjectRun, request: MilestoneRequest): MilestoneState {
  requireActive(run);
  const m = milestone(run, request.key);
  if (m.status !== 'awaiting_approval') {
    throw refuse(MILESTONE_CONFLICT, `milestone ${m.key} is not awaiting approval (${m.status})`);
  }
  if (request.round !== undefined && request.round !== m.approvalRound) {
    throw refuse(
      MILESTONE_CONFLICT,
      `this approval link was for an earlier request of milestone ${m.key}`,
    );
  }
  return m;
}

/** The terms a change order is priced against: the deposit as invoiced, locked milestones as they stand. */
export function pricingBasis({ state }: ProjectRun) {
  const locked = new Set(state.milestones.filter((m) => m.status !== 'pending').map((m) => m.key));
  const frozen = new Map(
    state.milestones.filter((m) => locked.has(m.key)).map((m) => [m.key, m.amount]),
  );
  const terms: ProjectTerms = {
    ...state.terms,
    ...(state.deposit > 0 ? { deposit: { amount: state.deposit } } : {}),
  };
  return { locked, frozen, terms };
}

/** What the workflow waits for next: the instant and what it is, for the timer's summary. */
export function nextWait(run: ProjectRun): {
  at: number | null;
  summary: string;
  details: string[];
} {
  const { state } = run;
  const { timezone } = run.input;
  const waits: { at: number; summary: string }[] = [];
  const details: string[] = [];
  for (const m of state.milestones) {
    if (m.status === 'awaiting_approval') {
      const since = day(run, m.approvalRequestedAt!);
      const line = `Awaiting approval of '${m.name}' from client since ${since}`;
      if (m.autoApproveAt) {
        const summary = `${line}; auto-approval on ${day(run, m.autoApproveAt)}`;
        details.push(summary);
        waits.push({ at: Date.parse(m.autoApproveAt), summary });
      } else details.push(line);
    } else if (m.status === 'pending') {
      const due = termsOf(run, m.key).dueDate;
      if (due && !m.overdueReminded) {
        const summary = `Wait for '${m.name}' to be completed by ${due}`;
        details.push(summary);
        waits.push({ at: Date.parse(dueInstant(due, timezone)), summary });
      }
    }
  }
  if (state.nextHoursInvoiceAt) {
    const month = monthEndingAt(state.nextHoursInvoiceAt, timezone).label;
    const summary = `Invoice ${month} hours on ${day(run, state.nextHoursInvoiceAt)}`;
    details.push(summary);
    waits.push({ at: Date.parse(state.nextHoursInvoiceAt), summary });
  }
  waits.sort((a, b) => a.at - b.at);
  const first = waits[0];
  return first
    ? { at: first.at, summary: first.summary, details }
    : { at: null, summary: '', details };
}
