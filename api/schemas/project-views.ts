// Projects and time entries as the API answers them (the shapes of schemas/projects.ts).
import type { ProjectRow } from '../../db/repositories/projects.ts';
import type { TimeEntryRow } from '../../db/repositories/project-time-entries.ts';
import { priceProject, type ProjectTerms } from '../../domain/projects/terms.ts';
import type { RecordedTimeEntry } from '../../services/project-time-entries.ts';
import type { ProjectSnapshot } from '../../services/projects.ts';
import type { ProjectState } from '../../workflows/project-messages.ts';
import { iso, pageAfter } from './common.ts';

function depositOf(state: ProjectState | undefined, terms: ProjectTerms) {
  const amount = state ? state.deposit : priceProject(terms).deposit;
  return amount > 0 ? { amount, currency: terms.currency } : null;
}

export function projectView({ row, state, used, milestones: stored }: ProjectSnapshot) {
  const terms = row.terms as ProjectTerms;
  const money = (amount: number) => ({ amount, currency: row.currency });
  const budget = terms.hours?.budget;
  const termsNow = state?.terms ?? terms;
  const milestones = state
    ? state.milestones
    : stored.map((m) => ({
        key: m.key,
        name: m.name,
        amount: m.amount,
        status: m.status,
        completedAt: null,
        approvalRequestedAt: null,
        autoApproveAt: null,
        approvedAt: null,
        approvedBy: null,
        rejections: [],
        retained: 0,
        invoiceId: m.invoice_id,
        invoiceNumber: null,
      }));
  return {
    id: row.id,
    customerId: row.customer_id,
    name: row.name,
    currency: row.currency,
    status: state?.status ?? row.status,
    version: state?.version ?? row.version,
    contractValue: money(termsNow.contractValue),
    deposit: depositOf(state, terms),
    retainagePercent: termsNow.retainagePercent ?? null,
    retainageHeld: money(state?.retainageHeld ?? 0),
    retainageReleased: state?.retainageReleased ?? row.status === 'completed',
    milestones: milestones.map((m) => {
      const t = termsNow.milestones.find((x) => x.key === m.key);
      return {
        key: m.key,
        name: m.name,
        amount: money(m.amount),
        status: m.status,
        dueDate: t?.dueDate ?? null,
        requiresApproval: t?.requiresApproval ?? false,
        completedAt: m.completedAt,
        approvalRequestedAt: m.approvalRequestedAt,
        autoApproveAt: m.autoApproveAt,
        approvedAt: m.approvedAt,
        approvedBy: m.approvedBy,
        rejections: m.rejections,
        retained: money(m.retained),
        invoiceId: m.invoiceId,
        invoiceNumber: m.invoiceNumber,
      };
    }),
    invoices: (state?.invoices ?? []).map((i) => ({ ...i, total: money(i.total) })),
    budget: budget
      ? {
          amount: money(budget.amount),
          used: money(used),
          warnAtPercent: budget.warnAtPercent,
          hardStop: budget.hardStop,
        }
      : null,
    nextHoursInvoiceAt: state?.nextHoursInvoiceAt ?? null,
    createdAt: iso(row.created_at),
    completedAt: state?.completedAt ?? (row.completed_at ? iso(row.completed_at) : null),
  };
}

export function projectSummaryView(r: ProjectRow) {
  return {
    id: r.id,
    customerId: r.customer_id,
    name: r.name,
    status: r.status,
    contractValue: { amount: r.contract_value, currency: r.currency },
    version: r.version,
    createdAt: iso(r.created_at),
  };
}

export function timeEntryView(row: TimeEntryRow, currency: string) {
  return {
    id: row.id,
    projectId: row.project_id,
    person: row.person,
    role: row.role,
    date: row.work_date,
    minutes: row.minutes,
    billedMinutes: row.billed_minutes,
    hourlyRate: { amount: row.hourly_rate, currency },
    amount: { amount: row.amount, currency },
    description: row.description,
    billable: row.billable,
    invoiceId: row.invoice_id,
    createdAt: iso(row.created_at),
  };
}

export function recordedTimeEntryView({ project, entry, used, budget }: RecordedTimeEntry) {
  const money = (amount: number) => ({ amount, currency: project.currency });
  return {
    entry: timeEntryView(entry, project.currency),
    budget: budget
      ? {
          amount: money(budget.amount),
          used: money(used),
          warning: used * 100 >= budget.amount * budget.warnAtPercent,
        }
      : null,
  };
}

export function projectEventView(e: {
  id: number | string;
  kind: string;
  milestone_key: string | null;
  actor: string;
  reason: string | null;
  occurred_at: Date;
}) {
  return {
    id: String(e.id),
    kind: e.kind,
    milestoneKey: e.milestone_key,
    actor: e.actor,
    reason: e.reason,
    occurredAt: iso(e.occurred_at),
  };
}

export function changeOrderView(
  c: {
    version: number;
    change: unknown;
    contract_value_before: number;
    contract_value_after: number;
    actor: string;
    reason: string | null;
    occurred_at: Date;
  },
  currency: string,
) {
  const money = (amount: number) => ({ amount, currency });
  return {
    version: c.version,
    change: c.change,
    contractValueBefore: money(c.contract_value_before),
    contractValueAfter: money(c.contract_value_after),
    actor: c.actor,
    reason: c.reason,
    occurredAt: iso(c.occurred_at),
  };
}

type PageQuery = Parameters<typeof pageAfter>[1];

/** A page of a project's events, oldest first (cursor: an event's id). */
export function projectEventPage(
  events: Parameters<typeof projectEventView>[0][],
  query: PageQuery,
) {
  return pageAfter(events, query, (e) => String(e.id), projectEventView);
}

/** A page of a project's change orders, oldest first (cursor: the version one produced). */
export function changeOrderPage(
  { row, changeOrders }: { row: ProjectRow; changeOrders: Parameters<typeof changeOrderView>[0][] },
  query: PageQuery,
) {
  const view = (c: (typeof changeOrders)[number]) => changeOrderView(c, row.currency);
  return pageAfter(changeOrders, query, (c) => String(c.version), view);
}

/** A page of a project's time entries, by day worked (cursor: an entry's id). */
export function timeEntryPage(
  { row, entries }: { row: ProjectRow; entries: TimeEntryRow[] },
  query: PageQuery,
) {
  return pageAfter(
    entries,
    query,
    (e) => e.id,
    (e) => timeEntryView(e, row.currency),
  );
}
