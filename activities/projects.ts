// Project billing side effects, each idempotent by a business key: a project's invoices by
// (project, billing key) through the one invoice pipeline (tax, numbering, then the workflow
// renders and emails as for any invoice), events and change orders by key, emails by ledger key.
import { wordLines } from './line-wording.ts';
import { ApplicationFailure, log } from '@temporalio/activity';
import { invoicesIssued } from '../observability/metrics.ts';
import type { NewInvoiceLine } from '../db/repositories/invoice-drafts.ts';
import { createProjectInvoice } from '../db/repositories/invoice-issuing.ts';
import {
  recordChangeOrder,
  recordProjectEvent,
  type ProjectEvent,
} from '../db/repositories/projects.ts';
import { uninvoicedHours } from '../db/repositories/project-time-entries.ts';
import { signMilestoneApprovalLink } from '../documents/hosted-links.ts';
import { escapeHtml } from '../documents/html.ts';
import { formatMoney, money } from '../domain/core/money.ts';
import { translatorFor } from '../i18n/catalogue.ts';
import type { ChangeOrder, HoursTerms, ProjectTerms } from '../domain/projects/terms.ts';
import type { InvoicingDependencies, IssuedInvoice } from './subscriptions.ts';
import { sendDocumentEmail, type EmailDependencies, type EmailResult } from './email.ts';
import { PROJECT_NAME } from '../workflow-contracts/names.ts';

export type ProjectDependencies = InvoicingDependencies & EmailDependencies;

export interface IssueProjectInvoiceInput {
  projectId: string;
  customerId: string;
  currency: string;
  /** "deposit", "milestone/<key>", "retainage", "hours/<yyyy-MM>", "hours/final". */
  billingKey: string;
  issuedAt: string;
  lines: NewInvoiceLine[];
  /** Adds the billable hours not yet invoiced (worked before `beforeDay`, when given). */
  hours?: { beforeDay: string | null; lines: HoursTerms['lines'] };
}

export interface ApprovalRequestInput {
  projectId: string;
  milestoneKey: string;
  milestoneName: string;
  round: number;
  amount: number;
  currency: string;
  /** When it is approved without an answer (stated in the email), or null. */
  autoApproveAt: string | null;
  /** When the approval was requested (the workflow's instant). */
  requestedAt: string;
  timezone: string;
}

/** Approval links stay valid this long after the request (or its auto-approval date). */
const APPROVAL_LINK_DAYS = 60;
const DAY_MS = 86_400_000;

/** Plain paragraphs as HTML and text; a URL in a paragraph becomes a link in the HTML part. */
function paragraphs(text: string[]): { html: string; text: string } {
  const linked = (p: string) =>
    escapeHtml(p).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
  return {
    html: `<!doctype html><html><body style="font-family:sans-serif">${text
      .map((p) => `<p>${linked(p)}</p>`)
      .join('')}</body></html>`,
    text: text.join('\n\n'),
  };
}

export function createProjectActivities(deps: ProjectDependencies) {
  const { db, seller, invoiceNumbering: numbering, publicBaseUrl, signingSecret, tax } = deps;

  async function customerOf(projectId: string) {
    return db
      .selectFrom('projects')
      .innerJoin('customers', 'customers.id', 'projects.customer_id')
      .select([
        'customers.email',
        'customers.locale',
        'customers.name',
        'projects.name as projectName',
      ])
      .where('projects.id', '=', projectId)
      .executeTakeFirstOrThrow();
  }

  /** The workflow's texts name the project by PROJECT_NAME: its name stays out of history. */
  async function nameProject(projectId: string, texts: string[]): Promise<string[]> {
    if (!texts.some((t) => t.includes(PROJECT_NAME))) return texts;
    const { name } = await db
      .selectFrom('projects')
      .select('name')
      .where('id', '=', projectId)
      .executeTakeFirstOrThrow();
    return texts.map((t) => t.replaceAll(PROJECT_NAME, name));
  }

  async function namedLines(projectId: string, lines: NewInvoiceLine[]): Promise<NewInvoiceLine[]> {
    const names = await nameProject(
      projectId,
      lines.map((l) => l.description),
    );
    return lines.map((l, i) => ({ ...l, description: names[i]! }));
  }

  return {
    /**
     * Creates and finalizes one invoice of a project (taxed for the customer, numbered, due after
     * the payment terms), keyed by (project, billing key): a retry returns the same invoice, and
     * hours are claimed in the same transaction, so none is invoiced twice. Null when nothing is due.
     */
    async issueProjectInvoice(input: IssueProjectInvoiceInput): Promise<IssuedInvoice | null> {
      const customer = await customerOf(input.projectId);
      const formatRate = (amount: number) =>
        formatMoney(money(amount, input.currency), customer.locale);
      const hooks = input.hours
        ? uninvoicedHours(input.projectId, input.hours.beforeDay, input.hours.lines, formatRate)
        : {};
      const result = await createProjectInvoice(
        db,
        {
          customerId: input.customerId,
          projectId: input.projectId,
          billingKey: input.billingKey,
          currency: input.currency,
          issuedAt: input.issuedAt,
          lines: await namedLines(input.projectId, wordLines(customer.locale, input.lines)),
        },
        { tax, numbering, seller },
        hooks,
      );
      if (!result) return null;
      const { invoice, created } = result;
      log.info('project invoice issued', { invoiceId: invoice.id, key: input.billingKey, created });
      if (created) invoicesIssued.inc({ origin: 'project', currency: invoice.currency });
      return {
        invoiceId: invoice.id,
        number: invoice.number ?? '',
        total: { amount: invoice.total, currency: invoice.currency },
        created,
      };
    },

    async recordProjectEvent(event: ProjectEvent): Promise<void> {
      await recordProjectEvent(db, event);
    },

    async recordProjectChangeOrder(order: {
      projectId: string;
      version: number;
      change: ChangeOrder;
      terms: ProjectTerms;
      milestones: { key: string; name: string; amount: number }[];
      contractValueBefore: number;
      actor: string;
      reason?: string;
      occurredAt: string;
    }): Promise<void> {
      await recordChangeOrder(db, order);
    },

    /** Asks the customer to approve a completed milestone, once per round, with a signed link. */
    async emailMilestoneApprovalRequest(input: ApprovalRequestInput): Promise<EmailResult> {
      if (!signingSecret) {
        throw ApplicationFailure.nonRetryable(
          'approval links need BILLWRIGHT_SIGNING_SECRET; the operator can record the approval instead',
          'ApprovalLinksNotConfigured',
        );
      }
      const project = await db
        .selectFrom('projects')
        .select('customer_id')
        .where('id', '=', input.projectId)
        .executeTakeFirstOrThrow();
      return sendDocumentEmail(deps, {
        kind: 'milestone_approval_request',
        idempotencyKey: `project/${input.projectId}/milestone/${input.milestoneKey}/approval/${input.round}`,
        invoiceId: null,
        customerId: project.customer_id,
        tags: { project: input.projectId, milestone: input.milestoneKey },
        async compose() {
          const customer = await customerOf(input.projectId);
          // From the request's own dates, so every attempt writes the very same link.
          const from = Date.parse(input.autoApproveAt ?? input.requestedAt);
          const link = signMilestoneApprovalLink(
            publicBaseUrl,
            { projectId: input.projectId, milestoneKey: input.milestoneKey, round: input.round },
            new Date(from + APPROVAL_LINK_DAYS * DAY_MS),
            signingSecret,
          );
          const t = translatorFor(customer.locale);
          const values = {
            name: customer.name,
            milestone: input.milestoneName,
            project: customer.projectName,
            amount: formatMoney(money(input.amount, input.currency), customer.locale),
            link,
          };
          const autoLine = input.autoApproveAt
            ? t('email.approval.autoApprove', {
                date: new Intl.DateTimeFormat(customer.locale, {
                  dateStyle: 'long',
                  timeZone: input.timezone,
                }).format(new Date(input.autoApproveAt)),
              })
            : t('email.approval.invoicedOnApproval');
          const body = paragraphs([
            t('email.hello', values),
            t('email.approval.complete', values),
            t('email.approval.askHere', values),
            autoLine,
          ]);
          return {
            to: customer.email,
            message: { subject: t('email.approval.subject', values), ...body },
          };
        },
      });
    },

    /** A notice to the operator (the seller's billing address), once per key. */
    async notifyOperator(input: {
      key: string;
      projectId: string;
      subject: string;
      lines: string[];
    }): Promise<EmailResult> {
      const [subject, ...lines] = await nameProject(input.projectId, [
        input.subject,
        ...input.lines,
      ]);
      return sendDocumentEmail(deps, {
        kind: 'operator_notice',
        idempotencyKey: input.key,
        // To the seller, about no one customer: dated in real time.
        invoiceId: null,
        compose: () =>
          Promise.resolve({
            to: seller.email,
            message: { subject: subject!, ...paragraphs(lines) },
          }),
      });
    },
  };
}

/** What the project workflow calls through proxyActivities (import type only). */
export type ProjectActivities = ReturnType<typeof createProjectActivities>;
