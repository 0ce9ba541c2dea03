// Threshold billing in the subscription workflow (issue #14): the live balance asks, by the
// billThreshold Update, for the usage so far to be billed when it crossed the subscription's
// threshold. The handler queues the request; the main loop issues the interim invoice between
// its other invoices (never during a boundary's), so the period end and an interim invoice are
// never rated at once. The invoice's key (subscription, `<period>/threshold/<n>`) makes a
// repeated request, a retry or a replay find it instead of issuing another.
import { ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ThresholdActivities } from '../activities/thresholds.ts';
import { arrearsSegments } from '../domain/invoicing/boundary.ts';
import { localDate } from '../domain/core/periods.ts';
import { money, toMajorUnitString } from '../domain/core/money.ts';
import { INVALID_TRANSITION } from '../workflow-contracts/names.ts';
import {
  thresholdInvoiceUpdate,
  type ThresholdInvoiceAnswer,
  type ThresholdInvoiceRequest,
} from '../workflow-contracts/thresholds.ts';
import { quickStep } from './activity-options.ts';
import type { WorkflowClock } from './clock.ts';
import type { CollectionSwitch } from './invoice-collection.ts';
import { deliverInvoice } from './invoice-delivery.ts';
import type { SubscriptionRun } from './subscription-state.ts';

const thresholds = proxyActivities<ThresholdActivities>(quickStep);

interface PendingThreshold {
  request: ThresholdInvoiceRequest;
  answer: ThresholdInvoiceAnswer | null;
}

/** The request is for the period still open (compared as instants: ISO strings may differ). */
const isOpen = (run: SubscriptionRun, request: ThresholdInvoiceRequest) =>
  run.openPeriod !== null && Date.parse(run.openPeriod.end) === Date.parse(request.periodEnd);

const STALE: ThresholdInvoiceAnswer = { outcome: 'stale', invoiceId: null, number: null };

export interface ThresholdBilling {
  /** True while a request waits for the main loop. */
  waiting(): boolean;
  /** Issues (and delivers) the interim invoice the oldest request asks for. */
  billNext(): Promise<void>;
}

export function registerThresholdBilling(
  run: SubscriptionRun,
  clock: WorkflowClock,
): ThresholdBilling {
  const { subscriptionId, customerId } = run.input;
  const queue: PendingThreshold[] = [];
  const collecting: CollectionSwitch = {};

  setHandler(
    thresholdInvoiceUpdate,
    async (request) => {
      if (!isOpen(run, request)) return STALE;
      const pending: PendingThreshold = { request, answer: null };
      queue.push(pending);
      await condition(() => pending.answer !== null);
      return pending.answer!;
    },
    {
      validator: (_request: ThresholdInvoiceRequest) => {
        if (run.status !== 'active' && run.status !== 'past_due')
          throw ApplicationFailure.create({
            type: INVALID_TRANSITION,
            message: `a subscription that is ${run.status} is not billed at its threshold`,
            nonRetryable: true,
          });
      },
    },
  );

  async function billNext(): Promise<void> {
    const pending = queue.shift();
    if (!pending) return;
    const { request } = pending;
    const open = run.openPeriod;
    if (!open || !isOpen(run, request)) {
      pending.answer = STALE; // the period's end billed it meanwhile
      return;
    }
    const { timezone } = run.cycle;
    const cut = new Date(Math.min(clock.now(), Date.parse(open.end))).toISOString();
    const unbilled = toMajorUnitString(money(request.unbilled, request.currency));
    const invoice = await thresholds.issueThresholdInvoice.executeWithOptions(
      {
        summary: `Interim invoice #${request.sequence} of the period from ${localDate(open.start, timezone)}: billing threshold reached (${request.currency} ${unbilled} unbilled)`,
      },
      [
        {
          subscriptionId,
          customerId,
          timezone,
          periodEnd: open.end,
          sequence: request.sequence,
          arrears: { period: open, segments: arrearsSegments(open, run.openTerms) },
          cut,
        },
      ],
    );
    // Answered once issued: its email may wait for business hours, the balance need not.
    pending.answer = invoice
      ? { outcome: 'issued', invoiceId: invoice.invoiceId, number: invoice.number }
      : { outcome: 'nothing_due', invoiceId: null, number: null };
    if (!invoice) return;
    await deliverInvoice(clock, invoice, timezone, {
      collect: { customerId, subscriptionId, collecting },
      wake: () => run.status === 'canceled',
    });
    if (invoice.created) run.invoicesIssued++;
  }

  return { waiting: () => queue.length > 0, billNext };
}
