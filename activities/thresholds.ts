// Threshold billing's side effects (issue #14). Two activities:
// - requestThresholdInvoice (the live balance's): asks the subscription's workflow, by Update,
//   to bill the usage so far; answers what the workflow did.
// - issueThresholdInvoice (the subscription workflow's): rates the open period's arrears from
//   its start to the cut, takes off what earlier interim invoices of the period billed
//   (domain/invoicing/threshold.ts), and creates, taxes, numbers and finalizes the interim
//   invoice in one transaction keyed by (subscription, `<period>/threshold/<n>`): the unique
//   index makes a retry, a replay or a repeated request find the invoice instead of issuing one.
import { ApplicationFailure, log } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Db } from '../db/connect.ts';
import { createPeriodInvoice } from '../db/repositories/invoice-issuing.ts';
import { taxNewInvoice } from '../db/repositories/invoice-tax.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import {
  billingThresholdOf,
  interimBilled,
  interimInvoiceByKey,
} from '../db/repositories/thresholds.ts';
import { segmentsWithUsage } from '../db/repositories/usage-aggregation.ts';
import type { Span } from '../domain/subscriptions/billing-cycles.ts';
import { money } from '../domain/core/money.ts';
import {
  ratePeriodInvoice,
  storedLines,
  type TermsSegment,
} from '../domain/invoicing/period-invoice.ts';
import { interimInvoice, thresholdKey } from '../domain/invoicing/threshold.ts';
import { invoicesIssued } from '../observability/metrics.ts';
import { subscriptionWorkflowId } from '../workflow-contracts/ids.ts';
import {
  thresholdInvoiceUpdate,
  type ThresholdInvoiceAnswer,
  type ThresholdInvoiceRequest,
} from '../workflow-contracts/thresholds.ts';
import { wordLines } from './line-wording.ts';
import type { InvoicingDependencies, IssuedInvoice } from './subscriptions.ts';

export interface ThresholdDependencies extends InvoicingDependencies {
  db: Db;
  /** The balance cannot ask subscriptions to bill without one (a worker with no client). */
  temporal?: Pick<Client, 'workflow'> | undefined;
}

/** One interim invoice: the open period's arrears at the terms in force, usage up to `cut`. */
export interface IssueThresholdInvoiceInput {
  subscriptionId: string;
  customerId: string;
  timezone: string;
  /** The open period's end: with the sequence, the invoice's key. */
  periodEnd: string;
  sequence: number;
  arrears: { period: Span; segments: TermsSegment[] };
  /** The instant the usage so far runs to (the request's, on the customer's clock). */
  cut: string;
}

export function createThresholdActivities(deps: ThresholdDependencies) {
  const { db, tax, seller, invoiceNumbering: numbering } = deps;

  return {
    async issueThresholdInvoice(input: IssueThresholdInvoiceInput): Promise<IssuedInvoice | null> {
      const billingKey = thresholdKey(input.periodEnd, input.sequence);
      const found = await interimInvoiceByKey(db, input.subscriptionId, billingKey);
      if (found) {
        const total = money(found.total, found.currency);
        return { invoiceId: found.id, number: found.number ?? '', total, created: false };
      }
      // A threshold removed while the request waited (behind another invoice) bills nothing
      // now: the period end bills the usage, as for a subscription that never had one.
      if ((await billingThresholdOf(db, input.subscriptionId)) === null) {
        log.info('threshold removed: no interim invoice', { key: billingKey });
        return null;
      }
      const { period, segments } = input.arrears;
      const rated = ratePeriodInvoice({
        timezone: input.timezone,
        roundingMode: tax.rounding.mode,
        arrears: {
          period,
          segments: await segmentsWithUsage(db, {
            customerId: input.customerId,
            segments,
            until: input.cut,
          }),
        },
      });
      const usageCharges = new Set(
        segments.flatMap((s) => s.plan.charges.filter((c) => c.type === 'usage').map((c) => c.key)),
      );
      const billed = await interimBilled(db, input.subscriptionId, input.periodEnd);
      const interim = interimInvoice(rated, billed, usageCharges);
      if (interim.lines.length === 0 || !interim.period) return null;
      const locale = (await getCustomer(db, input.customerId))?.locale ?? 'en';
      const invoice = {
        customerId: input.customerId,
        subscriptionId: input.subscriptionId,
        billingKey,
        currency: interim.currency,
        periodStart: interim.period.start,
        periodEnd: interim.period.end,
        issuedAt: input.cut,
        taxBehavior: segments.at(-1)!.plan.taxBehavior,
        lines: wordLines(locale, storedLines(interim)),
      };
      // Taxed on its own, as every invoice is.
      const taxed = await taxNewInvoice(db, invoice, tax);
      const { invoice: created, created: isNew } = await createPeriodInvoice(db, invoice, {
        tax,
        taxed,
        numbering,
        seller,
      });
      log.info('interim invoice issued', { invoiceId: created.id, key: billingKey, isNew });
      if (isNew) invoicesIssued.inc({ origin: 'subscription', currency: created.currency });
      return {
        invoiceId: created.id,
        number: created.number ?? '',
        total: money(created.total, created.currency),
        created: isNew,
      };
    },

    async requestThresholdInvoice(
      input: ThresholdInvoiceRequest & { subscriptionId: string },
    ): Promise<ThresholdInvoiceAnswer> {
      if (!deps.temporal)
        throw ApplicationFailure.nonRetryable(
          'threshold billing needs a Temporal client in the worker',
          'ThresholdUnavailable',
        );
      const { subscriptionId, ...request } = input;
      const handle = deps.temporal.workflow.getHandle(subscriptionWorkflowId(subscriptionId));
      try {
        // One update id per interim invoice: a retried activity waits on the same request.
        return await handle.executeUpdate(thresholdInvoiceUpdate, {
          args: [request],
          updateId: thresholdKey(request.periodEnd, request.sequence),
        });
      } catch (error) {
        // The workflow refused (not billing: paused, canceled, ended): nothing to bill now.
        if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError)
          return { outcome: 'stale', invoiceId: null, number: null };
        throw error;
      }
    },
  };
}

/** What the subscription and balance workflows call through proxyActivities (import type only). */
export type ThresholdActivities = ReturnType<typeof createThresholdActivities>;
