// One durable workflow per project: the deposit invoiced at start; each milestone moved from
// pending → completed (by the operator) → awaiting approval (when required; approved or rejected
// through a signed link or by the operator, or approved automatically after N days) → invoiced
// (less retainage) through the one invoice pipeline; billable hours invoiced monthly in arrears
// or with the next milestone; change orders versioned; the operator reminded of overdue
// milestones; retainage released and the project closed once every milestone is invoiced.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IssueProjectInvoiceInput, ProjectActivities } from '../activities/projects.ts';
import { formatMoney, money } from '../domain/core/money.ts';
import { localDate } from '../domain/core/periods.ts';
import {
  applyChangeOrder,
  ProjectTermsError,
  retainageOf,
  type ProjectTerms,
} from '../domain/projects/terms.ts';
import {
  daysAfter,
  dueInstant,
  monthEndingAt,
  nextMonthStart,
} from '../domain/projects/calendar.ts';
import { BillingStatus } from '../temporal/search-attributes.ts';
import { quickStep } from './activity-options.ts';
import { workflowClock } from './clock.ts';
import { deliverInvoice } from './invoice-delivery.ts';
import type { CollectionSwitch } from './invoice-collection.ts';
import {
  approveMilestoneUpdate,
  budgetWarningSignal,
  changeOrderUpdate,
  completeMilestoneUpdate,
  initialMilestoneState,
  initialProjectState,
  INVALID_CHANGE_ORDER,
  MILESTONE_CONFLICT,
  projectStateQuery,
  rejectMilestoneUpdate,
  UNKNOWN_MILESTONE,
  type ChangeOrderRequest,
  type MilestoneRequest,
  type MilestoneState,
  type ProjectAction,
  type ProjectState,
  type ProjectWorkflowInput,
} from './project-messages.ts';
import { PROJECT_NAME } from '../workflow-contracts/names.ts';

const acts = proxyActivities<ProjectActivities>(quickStep);

/** History stays bounded: a run takes at most this many steps, then continues as new. */
const STEPS_PER_RUN = 60;
const SYSTEM = 'system';

function refuse(type: string, message: string, field?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    ...(field !== undefined && { details: [field] }),
  });
}

export async function projectWorkflow(input: ProjectWorkflowInput): Promise<ProjectState> {
  const { projectId, customerId, timezone } = input;
  const clock = workflowClock(input.testClock);
  const collecting: CollectionSwitch = {};
  const state = input.carried ?? initialProjectState(input, clock.nowIso());
  const currency = state.terms.currency;
  /** Bumped by every message, so the loop wakes and looks again. */
  let changes = 0;
  let budgetWarning: { used: number; budget: number } | null = null;
  let steps = 0;
  /** Set while the project closes: nothing may change it any more. */
  let closing = false;

  const termsOf = (key: string) => state.terms.milestones.find((m) => m.key === key)!;
  const show = (amount: number) => formatMoney(money(amount, currency), 'en-GB');
  const day = (instant: string) => localDate(instant, timezone);

  function milestone(key: string): MilestoneState {
    const m = state.milestones.find((x) => x.key === key);
    if (!m) throw refuse(UNKNOWN_MILESTONE, `project ${projectId} has no milestone ${key}`);
    return m;
  }

  function requireActive(): void {
    if (state.status === 'completed' || closing) {
      throw refuse(MILESTONE_CONFLICT, `project ${projectId} is completed`);
    }
  }

  function awaitingApproval(request: MilestoneRequest): MilestoneState {
    requireActive();
    const m = milestone(request.key);
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

  async function record(
    kind: string,
    eventKey: string,
    by: ProjectAction,
    m?: MilestoneState,
    invoiceId?: string,
  ): Promise<void> {
    await acts.recordProjectEvent.executeWithOptions(
      { summary: `Record ${kind}${m ? ` of '${m.name}'` : ''} by ${by.actor}` },
      [
        {
          projectId,
          eventKey: `project/${projectId}/${eventKey}`,
          kind,
          actor: by.actor,
          occurredAt: clock.nowIso(),
          ...(by.reason !== undefined && { reason: by.reason }),
          ...(m && { milestoneKey: m.key, milestoneStatus: m.status }),
          ...(invoiceId && { invoiceId }),
        },
      ],
    );
  }

  setHandler(projectStateQuery, () => state);

  setHandler(
    completeMilestoneUpdate,
    async (request) => {
      const m = milestone(request.key);
      const now = clock.nowIso();
      m.completedAt = now;
      const terms = termsOf(m.key);
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
      changes++;
      await record('milestone_completed', `milestone/${m.key}/completed/${round}`, request, m);
      return state;
    },
    {
      validator: (request: MilestoneRequest) => {
        requireActive();
        const m = milestone(request.key);
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
      const m = milestone(request.key);
      m.status = 'approved';
      m.approvedAt = clock.nowIso();
      m.approvedBy = request.actor;
      changes++;
      await record(
        'milestone_approved',
        `milestone/${m.key}/approved/${m.approvalRound}`,
        request,
        m,
      );
      return state;
    },
    { validator: (request: MilestoneRequest) => void awaitingApproval(request) },
  );

  setHandler(
    rejectMilestoneUpdate,
    async (request) => {
      const m = milestone(request.key);
      const at = clock.nowIso();
      m.status = 'pending';
      m.rejections.push({ reason: request.reason!, actor: request.actor, at });
      m.completedAt = null;
      m.autoApproveAt = null;
      changes++;
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
          `${request.actor} rejected the milestone "${m.name}" of ${PROJECT_NAME} on ${day(at)}.`,
          `Reason: ${request.reason}`,
          'It is back to pending: complete it again once the reason is addressed.',
        ],
        `Tell the operator '${m.name}' was rejected`,
      );
      return state;
    },
    {
      validator: (request: MilestoneRequest) => {
        awaitingApproval(request);
        if (!request.reason?.trim()) {
          throw refuse(MILESTONE_CONFLICT, 'a rejection needs a reason', 'reason');
        }
      },
    },
  );

  /** The terms a change order is priced against: the deposit as invoiced, locked milestones as they stand. */
  function pricingBasis() {
    const locked = new Set(
      state.milestones.filter((m) => m.status !== 'pending').map((m) => m.key),
    );
    const frozen = new Map(
      state.milestones.filter((m) => locked.has(m.key)).map((m) => [m.key, m.amount]),
    );
    const terms: ProjectTerms = {
      ...state.terms,
      ...(state.deposit > 0 ? { deposit: { amount: state.deposit } } : {}),
    };
    return { locked, frozen, terms };
  }

  setHandler(
    changeOrderUpdate,
    async (request) => {
      const { locked, frozen, terms } = pricingBasis();
      const { terms: next, priced } = applyChangeOrder(terms, request.change, locked, frozen);
      const before = state.terms.contractValue;
      state.terms = { ...next, ...(state.terms.deposit && { deposit: state.terms.deposit }) };
      state.version++;
      for (const [i, p] of priced.milestones.entries()) {
        const existing = state.milestones.find((m) => m.key === p.key);
        if (existing) existing.amount = p.amount;
        else state.milestones.push(initialMilestoneState(next.milestones[i]!, p.amount));
      }
      changes++;
      await acts.recordProjectChangeOrder.executeWithOptions(
        { summary: `Record change order v${state.version} by ${request.actor}` },
        [
          {
            projectId,
            version: state.version,
            change: request.change,
            terms: state.terms,
            milestones: state.milestones.map((m) => ({
              key: m.key,
              name: m.name,
              amount: m.amount,
            })),
            contractValueBefore: before,
            actor: request.actor,
            ...(request.reason !== undefined && { reason: request.reason }),
            occurredAt: clock.nowIso(),
          },
        ],
      );
      return state;
    },
    {
      validator: (request: ChangeOrderRequest) => {
        requireActive();
        const { locked, frozen, terms } = pricingBasis();
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
    budgetWarning = warning;
    changes++;
  });

  /** Issues one invoice through the pipeline: created and finalized, rendered, emailed. */
  async function issue(
    summary: string,
    request: Omit<IssueProjectInvoiceInput, 'projectId' | 'customerId' | 'currency' | 'issuedAt'>,
    /** The instant it fell due (an approval, a month start); a test clock may have passed it. */
    at: string = clock.nowIso(),
  ): Promise<{ invoiceId: string; number: string } | null> {
    const issued = await acts.issueProjectInvoice.executeWithOptions({ summary }, [
      { projectId, customerId, currency, issuedAt: at, ...request },
    ]);
    if (!issued) return null;
    state.invoices.push({
      billingKey: request.billingKey,
      invoiceId: issued.invoiceId,
      number: issued.number,
      total: issued.total.amount,
    });
    await deliverInvoice(clock, issued, timezone, { collect: { customerId, collecting } });
    return issued;
  }

  const hoursWithMilestones = () =>
    state.terms.hours?.invoicing === 'with_milestone'
      ? { hours: { beforeDay: null, lines: state.terms.hours.lines } }
      : {};

  async function invoiceMilestone(m: MilestoneState): Promise<void> {
    const retained = retainageOf(m.amount, state.terms.retainagePercent);
    const description =
      retained > 0
        ? `Milestone: ${m.name} (${show(m.amount)} less ${state.terms.retainagePercent} % retainage of ${show(retained)})`
        : `Milestone: ${m.name}`;
    const issued = await issue(
      `Invoice milestone '${m.name}'`,
      {
        billingKey: `milestone/${m.key}`,
        lines: [
          {
            description,
            quantity: '1',
            unitAmount: String(m.amount - retained),
            amount: m.amount - retained,
          },
        ],
        ...hoursWithMilestones(),
      },
      m.approvedAt ?? undefined,
    );
    m.status = 'invoiced';
    m.retained = retained;
    state.retainageHeld += retained;
    m.invoiceId = issued?.invoiceId ?? null;
    m.invoiceNumber = issued?.number ?? null;
    await record(
      'milestone_invoiced',
      `milestone/${m.key}/invoiced`,
      { actor: SYSTEM },
      m,
      m.invoiceId ?? undefined,
    );
  }

  async function requestApproval(m: MilestoneState): Promise<void> {
    m.approvalEmailedRound = m.approvalRound;
    try {
      await acts.emailMilestoneApprovalRequest.executeWithOptions(
        { summary: `Ask the customer to approve '${m.name}'` },
        [
          {
            projectId,
            milestoneKey: m.key,
            milestoneName: m.name,
            round: m.approvalRound,
            amount: m.amount,
            currency,
            autoApproveAt: m.autoApproveAt,
            requestedAt: m.approvalRequestedAt!,
            timezone,
          },
        ],
      );
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      // No link could be sent (no signing secret, bad address): the operator records the answer.
      log.warn('approval request not sent', { milestone: m.key, error: error.message });
    }
  }

  /** Emails the operator once per key; a rejected address is logged, never fatal. */
  async function notify(key: string, subject: string, lines: string[], summary: string) {
    try {
      await acts.notifyOperator.executeWithOptions({ summary }, [
        { key: `project/${projectId}/${key}`, projectId, subject, lines },
      ]);
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('operator notice not sent', { key, error: error.message });
    }
  }

  async function complete(): Promise<void> {
    closing = true;
    if (!state.retainageReleased) {
      const held = state.milestones.filter((m) => m.retained > 0);
      if (held.length > 0) {
        await issue(`Release retainage of ${show(state.retainageHeld)}`, {
          billingKey: 'retainage',
          lines: held.map((m) => ({
            description: `Retainage released: ${m.name}`,
            quantity: '1',
            unitAmount: String(m.retained),
            amount: m.retained,
          })),
        });
      }
      state.retainageReleased = true;
    }
    if (state.terms.hours) {
      await issue('Invoice the hours not yet invoiced', {
        billingKey: 'hours/final',
        lines: [],
        hours: { beforeDay: null, lines: state.terms.hours.lines },
      });
    }
    state.status = 'completed';
    state.completedAt = clock.nowIso();
    showStatus('completed');
    await record('project_completed', 'completed', { actor: SYSTEM });
  }

  /** What the workflow waits for next: the instant and what it is, for the timer's summary. */
  function nextWait(): { at: number | null; summary: string; details: string[] } {
    const waits: { at: number; summary: string }[] = [];
    const details: string[] = [];
    for (const m of state.milestones) {
      if (m.status === 'awaiting_approval') {
        const since = day(m.approvalRequestedAt!);
        const line = `Awaiting approval of '${m.name}' from client since ${since}`;
        if (m.autoApproveAt) {
          const summary = `${line}; auto-approval on ${day(m.autoApproveAt)}`;
          details.push(summary);
          waits.push({ at: Date.parse(m.autoApproveAt), summary });
        } else details.push(line);
      } else if (m.status === 'pending') {
        const due = termsOf(m.key).dueDate;
        if (due && !m.overdueReminded) {
          const summary = `Wait for '${m.name}' to be completed by ${due}`;
          details.push(summary);
          waits.push({ at: Date.parse(dueInstant(due, timezone)), summary });
        }
      }
    }
    if (state.nextHoursInvoiceAt) {
      const month = monthEndingAt(state.nextHoursInvoiceAt, timezone).label;
      const summary = `Invoice ${month} hours on ${day(state.nextHoursInvoiceAt)}`;
      details.push(summary);
      waits.push({ at: Date.parse(state.nextHoursInvoiceAt), summary });
    }
    waits.sort((a, b) => a.at - b.at);
    const first = waits[0];
    return first
      ? { at: first.at, summary: first.summary, details }
      : { at: null, summary: '', details };
  }

  /** The BillingStatus last written: upserted only when it changes, to keep history small. */
  let shownStatus = '';
  function showStatus(status: string): void {
    if (status === shownStatus) return;
    shownStatus = status;
    upsertSearchAttributes([{ key: BillingStatus, value: status }]);
  }

  showStatus(state.status);
  while (state.status === 'active') {
    steps++;
    if (steps > STEPS_PER_RUN || workflowInfo().continueAsNewSuggested) break;
    if (state.deposit > 0 && !state.invoices.some((i) => i.billingKey === 'deposit')) {
      await issue(`Invoice the deposit of ${show(state.deposit)}`, {
        billingKey: 'deposit',
        lines: [
          {
            description: `Deposit for ${PROJECT_NAME}`,
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
    if (budgetWarning) {
      const { used, budget } = budgetWarning;
      budgetWarning = null;
      state.budgetWarned = true;
      await notify(
        'budget-warning',
        `Budget warning: ${PROJECT_NAME}`,
        [
          `Billable hours on ${PROJECT_NAME} have reached ${show(used)} of the ${show(budget)} not-to-exceed budget.`,
        ],
        `Warn the operator: hours at ${show(used)} of ${show(budget)}`,
      );
      continue;
    }
    const now = clock.now();
    const autoDue = state.milestones.find(
      (m) =>
        m.status === 'awaiting_approval' && m.autoApproveAt && Date.parse(m.autoApproveAt) <= now,
    );
    if (autoDue) {
      const days = termsOf(autoDue.key).autoApproveAfterDays;
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
      const due = termsOf(m.key).dueDate;
      return (
        m.status === 'pending' &&
        due &&
        !m.overdueReminded &&
        Date.parse(dueInstant(due, timezone)) <= now
      );
    });
    if (overdue) {
      overdue.overdueReminded = true;
      const due = termsOf(overdue.key).dueDate!;
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
    const wait = nextWait();
    const awaiting = state.milestones.some((m) => m.status === 'awaiting_approval');
    showStatus(awaiting ? 'awaiting_approval' : 'active');
    setCurrentDetails(
      wait.details.length > 0
        ? wait.details.join('\n\n')
        : 'Waiting for the operator to complete a milestone.',
    );
    const seen = changes;
    if (wait.at === null) await clock.waitFor(() => changes !== seen);
    else await clock.sleepUntil(wait.at, () => changes !== seen, wait.summary);
  }

  clock.end(state.status === 'completed' ? 'finished' : 'continuing');
  await condition(allHandlersFinished);
  if (state.status === 'completed') {
    setCurrentDetails(`Completed on ${day(state.completedAt!)}: every milestone invoiced.`);
    return state;
  }
  return continueAsNew<typeof projectWorkflow>({
    ...input,
    ...(clock.testClockId && { testClock: clock.carry() }),
    carried: state,
  });
}
