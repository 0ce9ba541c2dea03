// The project workflow's steps that reach the outside world, each through its activities: an
// event or change order recorded, an invoice issued and delivered, a milestone invoiced less
// retainage, the customer asked to approve, the operator told, and the project closed.
import {
  ActivityFailure,
  log,
  proxyActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { IssueProjectInvoiceInput, ProjectActivities } from '../activities/projects.ts';
import { retainageOf } from '../domain/projects/terms.ts';
import { BillingStatus } from '../workflow-contracts/search-attributes.ts';
import { quickStep } from './activity-options.ts';
import type { WorkflowClock } from './clock.ts';
import type { CollectionSwitch } from './invoice-collection.ts';
import { deliverInvoice } from './invoice-delivery.ts';
import type { ChangeOrderRequest, MilestoneState, ProjectAction } from './project-messages.ts';
import { show, SYSTEM, type ProjectRun } from './project-state.ts';

const acts = proxyActivities<ProjectActivities>(quickStep);

export type ProjectSteps = ReturnType<typeof projectSteps>;

export function projectSteps(run: ProjectRun, clock: WorkflowClock) {
  const { state } = run;
  const { projectId, customerId, timezone } = run.input;
  const { currency } = run;
  const collecting: CollectionSwitch = {};

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

  /** The change order just applied to the state, with the contract value it changed. */
  async function recordChangeOrder(request: ChangeOrderRequest, before: number): Promise<void> {
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
  }

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
        ? `Milestone: ${m.name} (${show(run, m.amount)} less ${state.terms.retainagePercent} % retainage of ${show(run, retained)})`
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

  /** The BillingStatus last written: upserted only when it changes, to keep history small. */
  let shownStatus = '';
  function showStatus(status: string): void {
    if (status === shownStatus) return;
    shownStatus = status;
    upsertSearchAttributes([{ key: BillingStatus, value: status }]);
  }

  /** Every milestone invoiced: retainage released, the last hours invoiced, the project closed. */
  async function complete(): Promise<void> {
    run.closing = true;
    if (!state.retainageReleased) {
      const held = state.milestones.filter((m) => m.retained > 0);
      if (held.length > 0) {
        await issue(`Release retainage of ${show(run, state.retainageHeld)}`, {
          billingKey: 'retainage',
          lines: held.map((m) => ({
            description: `Retainage released: ${m.name}`,
            wording: { key: 'lines.retainageReleased', values: { milestone: m.name } },
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

  return {
    record,
    recordChangeOrder,
    issue,
    invoiceMilestone,
    requestApproval,
    notify,
    showStatus,
    complete,
  };
}
