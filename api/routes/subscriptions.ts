// Subscriptions: each one is a row in the database and a durable Temporal workflow that bills
// it. POST creates both in one transaction; pause/resume/cancel are workflow updates, so the
// workflow (not the API) decides which transitions are allowed; GET reads the workflow's live
// state, falling back to the database once the workflow is gone.
import { COVERAGE_START } from '../../domain/tax/rates.ts';
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  QueryNotRegisteredError,
  QueryRejectedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { newId } from '../../db/ids.ts';
import { getCustomer, taxCustomerOf } from '../../db/repositories/customers.ts';
import { customerNow, getTestClock } from '../../db/repositories/test-clocks.ts';
import { validateTaxCustomer } from '../../domain/tax/validation.ts';
import { getPlanWithCurrentVersion, toCatalogVersion } from '../../db/repositories/plans.ts';
import {
  getSubscription,
  insertSubscription,
  listSubscriptions,
  type SubscriptionRecord,
} from '../../db/repositories/subscriptions.ts';
import type { PlanVersion } from '../../domain/catalog.ts';
import {
  scheduleCycle,
  type ANCHORINGS,
  type Anchoring,
  type BillingSchedule,
} from '../../domain/billing-cycles.ts';
import { INTERVALS, periodBoundary, type BillingCycle } from '../../domain/periods.ts';
import { advancePerPeriod } from '../../domain/invoicing/period-invoice.ts';
import { previewChange, upcomingInvoice } from '../../services/invoice-previews.ts';
import {
  fromDatabase,
  withLiveState,
  type Subscription,
} from '../../services/subscription-views.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import { Refused } from '../../services/refused.ts';
import {
  changeSubscription,
  type SubscriptionChangeOrder,
} from '../../services/subscription-changes.ts';
import {
  cancelUpdate,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
  type CancelRequest,
  type OperatorAction,
  type ResumeRequest,
  type SubscriptionState,
  type SubscriptionWorkflowInput,
} from '../../workflows/subscription-messages.ts';
import { withTemporalDeadline } from '../plugins/temporal.ts';
import {
  conflict,
  notFound,
  refusalProblem,
  serviceUnavailable,
  unprocessable,
} from '../problem.ts';
import { DEFAULT_LIMIT, described, IdParams, ListOf, problemResponse } from '../schemas/common.ts';
import {
  ActionBody,
  CancelBody,
  ChangeBody,
  CreateSubscriptionBody,
  invoicePreviewOf,
  ListSubscriptionsQuery,
  PlanVersionBody,
  PreviewChangeQuery,
  PreviewSchema,
  ResumeBody,
  subscriptionResponses,
  SubscriptionSchema,
  UpcomingSchema,
} from '../schemas/subscriptions.ts';
import { subscriptionWorkflowId } from '../../workflow-contracts/ids.ts';
import { isTemporalUnavailable } from '../../services/temporal-errors.ts';
import { updateProblem } from '../update-problems.ts';
import { serviceDependencies } from '../services.ts';

async function loadSubscription(app: FastifyInstance, id: string): Promise<SubscriptionRecord> {
  const record = await getSubscription(app.db, id);
  if (!record) throw notFound(`Subscription ${id} does not exist.`);
  return record;
}

async function liveSubscription(
  app: FastifyInstance,
  record: SubscriptionRecord,
): Promise<Subscription> {
  // A canceled subscription's workflow has ended: the database has the final word.
  if (record.status === 'canceled' || record.status === 'ended') return fromDatabase(record);
  try {
    const handle = app.temporal.workflow.getHandle<typeof subscriptionWorkflow>(
      subscriptionWorkflowId(record.id),
    );
    const state = await withTemporalDeadline(app, () => handle.query(stateQuery));
    return withLiveState(record, state);
  } catch (error) {
    // The workflow is gone (ended and past retention) or cannot answer queries: the row stands.
    if (
      error instanceof WorkflowNotFoundError ||
      error instanceof QueryNotRegisteredError ||
      error instanceof QueryRejectedError
    ) {
      return fromDatabase(record);
    }
    if (isTemporalUnavailable(error))
      throw serviceUnavailable('Temporal is unavailable; retry later.', error);
    throw error;
  }
}

/** Sends one update to the subscription's workflow and answers with the new state. */
async function sendUpdate(
  app: FastifyInstance,
  id: string,
  send: (handle: WorkflowHandle<typeof subscriptionWorkflow>) => Promise<SubscriptionState>,
): Promise<Subscription> {
  await loadSubscription(app, id);
  let state: SubscriptionState;
  try {
    const handle = app.temporal.workflow.getHandle<typeof subscriptionWorkflow>(
      subscriptionWorkflowId(id),
    );
    state = await withTemporalDeadline(app, () => send(handle));
  } catch (error) {
    throw updateProblem(error) ?? error;
  }
  // Re-read: the transition's activity may already have updated the row.
  return withLiveState(await loadSubscription(app, id), state);
}

/** A change through the one use case; its refusals and the workflow's answered as problems. */
async function requestChange(
  app: FastifyInstance,
  order: SubscriptionChangeOrder,
): Promise<Subscription> {
  try {
    const { record, state } = await changeSubscription(serviceDependencies(app), order);
    return withLiveState(record, state);
  } catch (error) {
    if (error instanceof Refused) throw refusalProblem(error);
    throw updateProblem(error) ?? error;
  }
}

/** The subscription's grid of periods; a bad anchoring is the request's fault (422). */
function cycleOf(
  schedule: Omit<BillingSchedule, 'anchoring'>,
  anchoring: { type: (typeof ANCHORINGS)[number]; day?: number | undefined } | undefined,
): BillingCycle {
  if (anchoring?.type === 'billing_day' && anchoring.day === undefined) {
    throw unprocessable('anchoring.day', 'a billing_day anchoring needs a day (1–31)');
  }
  const resolved: Anchoring =
    anchoring?.type === 'billing_day'
      ? { type: 'billing_day', day: anchoring.day! }
      : { type: anchoring?.type ?? 'anniversary' };
  try {
    return scheduleCycle({ ...schedule, anchoring: resolved });
  } catch (error) {
    if (error instanceof RangeError) throw unprocessable('anchoring', error.message);
    throw error;
  }
}

const subscriptions: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/subscriptions',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Subscribe a customer to a plan',
        description:
          'Creates the subscription and starts its billing workflow, atomically: if the workflow cannot ' +
          'be started, nothing is stored and the answer is 503. The plan must be priced in the customer’s currency. ' +
          'The subscription is pinned to the plan’s current version and stays on it when the plan is edited.',
        body: CreateSubscriptionBody,
        response: {
          201: described(
            SubscriptionSchema,
            'The created subscription, as stored; GET it for the live state.',
          ),
          422: problemResponse(
            'Unknown customer (customerId) or plan (planCode), or a plan in another currency (planCode).',
          ),
          503: problemResponse('Temporal is unavailable; nothing was created.'),
        },
      },
    },
    async (request, reply) => {
      const { customerId, planCode, quantity = 1, startAt, trialDays, anchoring } = request.body;
      const customer = await getCustomer(app.db, customerId);
      if (!customer) throw unprocessable('customerId', `customer ${customerId} does not exist`);
      // Clean data, checked again at the start: the seller's registrations may have changed.
      const taxIssues = validateTaxCustomer(taxCustomerOf(customer), app.tax.seller);
      if (taxIssues.length > 0) {
        throw unprocessable(
          'customerId',
          `customer ${customerId} cannot be taxed: ${taxIssues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        );
      }
      const current = await getPlanWithCurrentVersion(app.db, planCode);
      if (!current) throw unprocessable('planCode', `plan ${planCode} does not exist`);
      const { plan, version } = current;
      if (version.currency !== customer.currency) {
        throw unprocessable(
          'planCode',
          `plan ${planCode} is priced in ${version.currency} but customer ${customerId} is billed in ${customer.currency}`,
        );
      }
      const { interval, intervalCount } = version.billingCycle;
      if (!(INTERVALS as readonly string[]).includes(interval)) {
        throw new Error(`plan ${plan.code} has an unknown interval ${interval}`);
      }
      // A customer on a test clock starts on the clock's time, and waits for it to stand still.
      const clock = customer.test_clock_id
        ? await getTestClock(app.db, customer.test_clock_id)
        : undefined;
      if (clock && clock.status !== 'ready') {
        throw conflict(
          `The customer's test clock ${clock.id} is ${clock.status}; retry when ready.`,
        );
      }
      const now = clock ? clock.frozen_time.getTime() : Date.now();
      const startMs = startAt === undefined ? now : Date.parse(startAt);
      if (!Number.isFinite(startMs))
        throw unprocessable('startAt', 'must be an ISO 8601 instant with a UTC offset');
      // Periods before the tax rates on record could never be invoiced: the workflow would retry
      // its first invoice for ever (and a cancel wait on it).
      if (startMs < Date.parse(COVERAGE_START))
        throw unprocessable(
          'startAt',
          `must not be before ${COVERAGE_START} (tax rates start then)`,
        );

      const id = newId('sub');
      // With a trial, the first paid period starts (and billing is anchored) when it ends.
      const trialEnd =
        trialDays === undefined
          ? undefined
          : DateTime.fromMillis(startMs, { zone: customer.timezone })
              .plus({ days: trialDays })
              .toUTC()
              .toISO()!;
      // Billing starts when the trial ends (or at the start); the anchoring lays out the periods.
      const billingStart = trialEnd ?? new Date(startMs).toISOString();
      const cycle = cycleOf(
        { interval, intervalCount, timezone: customer.timezone, startAt: billingStart },
        anchoring,
      );
      const anchor = cycle.anchor;
      const input: SubscriptionWorkflowInput = {
        subscriptionId: id,
        customerId,
        planCode: plan.code,
        planName: plan.name,
        cycle,
        ...(anchor !== billingStart && { startAt: billingStart }),
        price: advancePerPeriod({ plan: toCatalogVersion(version), quantity }),
        plan: toCatalogVersion(version),
        quantity,
        ...(trialEnd !== undefined && { trialEnd }),
        ...(clock && { testClock: { id: clock.id, now: new Date(now).toISOString() } }),
      };
      // One transaction: the row commits only if the workflow started. (The workflow's first
      // activities may run before the commit; they retry until the row is visible.)
      await app.db.transaction().execute(async (trx) => {
        await insertSubscription(trx, {
          id,
          customerId,
          planId: plan.id,
          planVersion: version.version,
          quantity,
          // A first stub period (calendar or billing-day anchoring started mid-grid) is billed
          // from the start; the anchor customers see is the first full period's start.
          anchorAt:
            Date.parse(billingStart) > Date.parse(anchor) ? periodBoundary(cycle, 1) : anchor,
          ...(trialEnd !== undefined && { status: 'trialing' }),
        });
        try {
          await withTemporalDeadline(app, () =>
            app.temporal.workflow.start<typeof subscriptionWorkflow>(
              'subscriptionWorkflow',
              subscriptionStartOptions(input),
            ),
          );
        } catch (error) {
          throw serviceUnavailable(
            'Could not start the subscription’s billing workflow; nothing was created. Retry later.',
            error,
          );
        }
      });
      const record = await loadSubscription(app, id);
      return reply.code(201).send(fromDatabase(record));
    },
  );

  app.get(
    '/subscriptions',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'List subscriptions',
        description:
          'Subscriptions, newest first, optionally of one customer. Statuses are as stored; GET one for its live state.',
        querystring: ListSubscriptionsQuery,
        response: { 200: ListOf(SubscriptionSchema, 'A page of subscriptions.') },
      },
    },
    async (request) => {
      const { customerId, limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listSubscriptions(app.db, { customerId, limit, startingAfter });
      return { data: page.items.map(fromDatabase), hasMore: page.hasMore };
    },
  );

  app.get(
    '/subscriptions/:id',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Get a subscription',
        description:
          'The subscription with its workflow’s live state (status, current period, next billing date, ' +
          'invoices issued). Once the workflow has ended the stored state is returned.',
        params: IdParams,
        response: {
          200: described(SubscriptionSchema, 'The subscription.'),
          404: problemResponse('No subscription has this id.'),
          503: problemResponse('Temporal is unavailable.'),
        },
      },
    },
    async (request) => liveSubscription(app, await loadSubscription(app, request.params.id)),
  );

  app.post(
    '/subscriptions/:id/pause',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Pause billing',
        description:
          'Stops issuing invoices until resumed. Rejected (409) unless the subscription is active.',
        params: IdParams,
        body: ActionBody,
        response: subscriptionResponses('pause'),
      },
    },
    async (request) => {
      const action: OperatorAction = { actor: request.apiKey.id, ...request.body };
      return sendUpdate(app, request.params.id, (handle) =>
        handle.executeUpdate(pauseUpdate, { args: [action] }),
      );
    },
  );

  app.post(
    '/subscriptions/:id/resume',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Resume billing',
        description:
          'Resumes a paused subscription, keeping its anchor or resetting it to now. Rejected (409) unless paused.',
        params: IdParams,
        body: ResumeBody,
        response: subscriptionResponses('resume'),
      },
    },
    async (request) => {
      const { anchor = 'keep', reason } = request.body;
      const resume: ResumeRequest = {
        actor: request.apiKey.id,
        anchor,
        ...(reason !== undefined && { reason }),
      };
      return sendUpdate(app, request.params.id, (handle) =>
        handle.executeUpdate(resumeUpdate, { args: [resume] }),
      );
    },
  );

  app.post(
    '/subscriptions/:id/cancel',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Cancel the subscription',
        description:
          'Cancels now (final invoice with usage to date, unused advance charges credited; then ended) ' +
          'or at period end (status canceled until the period closes, then ended). A canceled subscription answers 409.',
        params: IdParams,
        body: CancelBody,
        response: subscriptionResponses('cancellation'),
      },
    },
    async (request) => {
      const action: CancelRequest = { actor: request.apiKey.id, ...request.body };
      return sendUpdate(app, request.params.id, (handle) =>
        handle.executeUpdate(cancelUpdate, { args: [action] }),
      );
    },
  );

  /** The workflow's live state; 409 once billing has ended. */
  async function lifecycleState(id: string) {
    const record = await loadSubscription(app, id);
    if (record.status === 'canceled' || record.status === 'ended') {
      throw conflict(`Subscription ${id} is ${record.status}.`);
    }
    const handle = app.temporal.workflow.getHandle<typeof subscriptionWorkflow>(
      subscriptionWorkflowId(id),
    );
    let state: SubscriptionState;
    try {
      state = await withTemporalDeadline(app, () => handle.query(stateQuery));
    } catch (error) {
      throw updateProblem(error) ?? error;
    }
    return { record, state, plan: state.plan, quantity: state.quantity };
  }

  async function targetTerms(
    current: { plan: PlanVersion; quantity: number },
    planCode: string | undefined,
    quantity: number | undefined,
  ) {
    let plan = current.plan;
    if (planCode !== undefined) {
      const found = await getPlanWithCurrentVersion(app.db, planCode);
      if (!found) throw unprocessable('planCode', `plan ${planCode} does not exist`);
      plan = toCatalogVersion(found.version);
    }
    return { plan, quantity: quantity ?? current.quantity };
  }

  app.post(
    '/subscriptions/:id/change',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Change plan or quantity',
        description:
          'Moves the subscription to the current version of another plan and/or another quantity. ' +
          'An upgrade applies now: the unused part of the current advance charges is credited (credit ' +
          'note) and the new terms are invoiced for the rest of the period. A downgrade applies at the ' +
          'next boundary unless applyAt is now. Same currency and billing interval only (409 otherwise).',
        params: IdParams,
        body: ChangeBody,
        response: { ...subscriptionResponses('change'), 422: problemResponse('Unknown plan.') },
      },
    },
    async (request) => {
      const { planCode, quantity, applyAt, reason } = request.body;
      return requestChange(app, {
        subscriptionId: request.params.id,
        planCode,
        quantity,
        applyAt,
        reason,
        actor: request.apiKey.id,
      });
    },
  );

  app.get(
    '/subscriptions/:id/preview-change',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['Subscriptions'],
        summary: 'Preview a change of plan or quantity',
        description:
          'What POST /change would credit and charge now (before tax), from the workflow’s state; changes nothing.',
        params: IdParams,
        querystring: PreviewChangeQuery,
        response: {
          200: described(PreviewSchema, 'The money a change would move.'),
          404: problemResponse('No subscription has this id.'),
          409: problemResponse('The subscription is canceled.'),
          422: problemResponse('Unknown plan.'),
        },
      },
    },
    async (request) => {
      const live = await lifecycleState(request.params.id);
      const next = await targetTerms(live, request.query.planCode, request.query.quantity);
      const at = (await customerNow(app.db, live.record.customerId)).toISOString();
      const preview = await previewChange(
        {
          db: app.db,
          tax: app.tax,
          customerId: live.record.customerId,
          subscriptionId: live.record.id,
        },
        live.state,
        next,
        at,
      );
      return { ...preview, invoice: preview.invoice && invoicePreviewOf(preview.invoice) };
    },
  );

  app.get(
    '/subscriptions/:id/upcoming-invoice',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Price the current period so far',
        description:
          'The current period’s charges (advance charges and usage to date), before tax. Changes nothing.',
        params: IdParams,
        response: {
          200: described(UpcomingSchema, 'The current period so far.'),
          404: problemResponse('No subscription has this id.'),
          409: problemResponse('The subscription is canceled or not billing yet.'),
        },
      },
    },
    async (request) => {
      const live = await lifecycleState(request.params.id);
      const now = await customerNow(app.db, live.record.customerId);
      const upcoming = await upcomingInvoice(
        {
          db: app.db,
          tax: app.tax,
          customerId: live.record.customerId,
          subscriptionId: live.record.id,
        },
        live.state,
        now.toISOString(),
      );
      if (!upcoming) throw conflict('The subscription has no billed period yet.');
      return invoicePreviewOf(upcoming);
    },
  );

  app.post(
    '/subscriptions/:id/plan-version',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Move the subscription to another version of its plan',
        description:
          'Running subscriptions stay on the plan version they were pinned to when a plan is edited; ' +
          'this moves one, at the next boundary (default: the new version is billed from the next ' +
          'period, shown as `pendingChange` until then) or now (the unused part of the current advance ' +
          'charges credited on a credit note, the new version invoiced for the rest of the period), ' +
          'with the current quantity. The subscription’s workflow applies it and records who asked. ' +
          'Moving to the version the subscription is on (or already moving to) changes nothing. ' +
          'Validation and answers as POST /change; POST /v1/plans/{code}/migrations moves them all.',
        params: IdParams,
        body: PlanVersionBody,
        response: {
          ...subscriptionResponses('move'),
          422: problemResponse('The plan has no such version (`version`).'),
        },
      },
    },
    async (request) => {
      const { version, applyAt = 'period_end', reason } = request.body;
      return requestChange(app, {
        subscriptionId: request.params.id,
        version,
        applyAt,
        reason,
        actor: request.apiKey.id,
      });
    },
  );

  done();
};

export default subscriptions;
