// What the outside world may say to a project workflow, shared by the workflow and the API.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { nextMonthStart } from '../domain/projects/calendar.ts';
import {
  priceProject,
  type ChangeOrder,
  type MilestoneTerms,
  type ProjectTerms,
} from '../domain/projects/terms.ts';
import type { TestClockRef } from '../workflow-contracts/test-clock.ts';

export type MilestoneStatus = 'pending' | 'awaiting_approval' | 'approved' | 'invoiced';

export interface Rejection {
  reason: string;
  actor: string;
  at: string;
}

export interface MilestoneState {
  key: string;
  name: string;
  /** As priced now (what is invoiced, before retainage). */
  amount: number;
  status: MilestoneStatus;
  completedAt: string | null;
  /** Round of the current approval request: 1, then 2 after a rejection and re-completion. */
  approvalRound: number;
  approvalRequestedAt: string | null;
  /** The round whose approval request was emailed. */
  approvalEmailedRound: number;
  /** When it is approved automatically, if nobody answers. */
  autoApproveAt: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  rejections: Rejection[];
  /** Held back from its invoice until the project completes. */
  retained: number;
  invoiceId: string | null;
  invoiceNumber: string | null;
  /** The operator was reminded that its due date passed. */
  overdueReminded: boolean;
}

export interface ProjectInvoiceRef {
  billingKey: string;
  invoiceId: string;
  number: string;
  total: number;
}

export interface ProjectState {
  projectId: string;
  status: 'active' | 'completed';
  version: number;
  terms: ProjectTerms;
  deposit: number;
  milestones: MilestoneState[];
  retainageHeld: number;
  retainageReleased: boolean;
  invoices: ProjectInvoiceRef[];
  /** The next monthly hours invoice (null unless hours are invoiced monthly). */
  nextHoursInvoiceAt: string | null;
  budgetWarned: boolean;
  completedAt: string | null;
}

export interface ProjectWorkflowInput {
  projectId: string;
  customerId: string;
  /** The customer's zone: due dates, auto-approval days and months are read in it. */
  timezone: string;
  terms: ProjectTerms;
  testClock?: TestClockRef;
  /** Set only by continue-as-new. */
  carried?: ProjectState;
}

export interface ProjectAction {
  /** Who (an API key id, "customer (approval link)", "system"), for the audit trail. */
  actor: string;
  reason?: string;
}

export interface MilestoneRequest extends ProjectAction {
  key: string;
  /** For an approval link: the round it was sent for (a stale link is refused). */
  round?: number;
}

export interface ChangeOrderRequest extends ProjectAction {
  change: ChangeOrder;
}

export const completeMilestoneUpdate = defineUpdate<ProjectState, [MilestoneRequest]>(
  'completeMilestone',
);
export const approveMilestoneUpdate = defineUpdate<ProjectState, [MilestoneRequest]>(
  'approveMilestone',
);
export const rejectMilestoneUpdate = defineUpdate<ProjectState, [MilestoneRequest]>(
  'rejectMilestone',
);
export const changeOrderUpdate = defineUpdate<ProjectState, [ChangeOrderRequest]>('changeOrder');
/** The API recorded the time entry that crossed the budget's warning threshold. */
export const budgetWarningSignal =
  defineSignal<[{ used: number; budget: number }]>('budgetWarning');
export const projectStateQuery = defineQuery<ProjectState>('projectState');

/** ApplicationFailure types of a refused update. */
export const UNKNOWN_MILESTONE = 'UnknownMilestone';
export const MILESTONE_CONFLICT = 'MilestoneConflict';
/** details[0] is the request field at fault. */
export const INVALID_CHANGE_ORDER = 'InvalidChangeOrder';

/** A milestone as the workflow starts tracking it. */
export function initialMilestoneState(terms: MilestoneTerms, amount: number): MilestoneState {
  return {
    key: terms.key,
    name: terms.name,
    amount,
    status: 'pending',
    completedAt: null,
    approvalRound: 0,
    approvalRequestedAt: null,
    approvalEmailedRound: 0,
    autoApproveAt: null,
    approvedAt: null,
    approvedBy: null,
    rejections: [],
    retained: 0,
    invoiceId: null,
    invoiceNumber: null,
    overdueReminded: false,
  };
}

/** The state a project's workflow starts from (also what POST /v1/projects answers). */
export function initialProjectState(input: ProjectWorkflowInput, startedAt: string): ProjectState {
  const priced = priceProject(input.terms);
  return {
    projectId: input.projectId,
    status: 'active',
    version: 1,
    terms: input.terms,
    deposit: priced.deposit,
    milestones: input.terms.milestones.map((m, i) =>
      initialMilestoneState(m, priced.milestones[i]!.amount),
    ),
    retainageHeld: 0,
    retainageReleased: false,
    invoices: [],
    nextHoursInvoiceAt:
      input.terms.hours?.invoicing === 'monthly' ? nextMonthStart(startedAt, input.timezone) : null,
    budgetWarned: false,
    completedAt: null,
  };
}
