// Subscriptions: each one is a row in the database and a durable Temporal workflow that bills
// it. POST creates both in one transaction; pause/resume/cancel are workflow updates, so the
// workflow (not the API) decides which transitions are allowed; GET reads the workflow's live
// state, falling back to the database once the workflow is gone.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  ApplicationFailure,
  isGrpcServiceError,
  QueryNotRegisteredError,
  QueryRejectedError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { newId } from '../../db/ids.ts';
import { getCustomer, taxCustomerOf } from '../../db/repositories/customers.ts';
import { validateTaxCustomer } from '../../domain/tax/validation.ts';
import {
  flatAdvancePrice,
  getPlanByCode,
  getPlanVersion,
  getPlanWithCurrentVersion,
} from '../../db/repositories/plans.ts';
import {
  changeSubscriptionPlanVersion,
  getSubscription,
  insertSubscription,
  listSubscriptions,
  type SubscriptionRecord,
} from '../../db/repositories/subscriptions.ts';
import { INTERVALS } from '../../domain/periods.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import {
  cancelUpdate,
  INVALID_TRANSITION,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
  subscriptionWorkflowId,
  type OperatorAction,
  type ResumeRequest,
  type SubscriptionState,
  type SubscriptionWorkflowInput,
} from '../../workflows/subscription-messages.ts';
import { withTemporalDeadline } from '../plugins/temporal.ts';
import { conflict, notFound, serviceUnavailable, unprocessable, type Problem } from '../problem.ts';
import {
  DEFAULT_LIMIT,
  described,
  IdParams,
  iso,
  Limit,
  ListOf,
  NullablePeriod,
  NullableTimestamp,
  problemResponse,
  StartingAfter,
  Timestamp,
} from '../schemas/common.ts';

const STATUSES = ['active', 'paused', 'canceled'] as const;

export const SubscriptionSchema = Type.Object(
  {
    id: Type.String({ examples: ['sub_abcdefghijklmnopqrst'] }),
    customerId: Type.String(),
    planCode: Type.String(),
    planVersion: Type.Integer({
      minimum: 1,
      description:
        'The plan version the subscription is billed on: the plan’s current version when it was created, until moved explicitly.',
    }),
    quantity: Type.Integer({ minimum: 1, description: 'Seats, for per-seat charges.' }),
    status: Type.Enum([...STATUSES]),
    anchorAt: described(
      Timestamp,
      'The billing anchor: periods start at this local wall time, every interval.',
    ),
    currentPeriod: described(
      NullablePeriod,
      'The period the customer is in now; null unless active.',
    ),
    nextBillingAt: described(
      NullableTimestamp,
      'When the next invoice is issued; null unless active.',
    ),
    invoicesIssued: Type.Integer({ minimum: 0 }),
    pausedAt: described(NullableTimestamp, 'When billing was paused; null unless paused.'),
    canceledAt: described(
      NullableTimestamp,
      'When the subscription was canceled; null unless canceled.',
    ),
    createdAt: Timestamp,
  },
  { $id: 'Subscription', title: 'Subscription' },
);

const Reason = Type.String({
  minLength: 1,
  maxLength: 500,
  description: 'Why, for the audit trail.',
});

const CreateSubscriptionBody = Type.Object(
  {
    customerId: Type.String({ minLength: 1, maxLength: 64 }),
    planCode: Type.String({ minLength: 1, maxLength: 63 }),
    quantity: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        default: 1,
        description:
          'Seats, for per-seat charges (default 1). Stored now; billed once the subscription lifecycle rates per-seat charges.',
      }),
    ),
    startAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'When billing starts (default now), with a UTC offset. It is the billing anchor: the first ' +
          'period starts here and later ones at the same local time in the customer’s time zone.',
      }),
    ),
  },
  { additionalProperties: false },
);

const ListSubscriptionsQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

const PlanVersionBody = Type.Object(
  {
    version: Type.Integer({
      minimum: 1,
      maximum: 2_147_483_647,
      description: 'The plan version to bill the subscription on.',
    }),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);

const ActionBody = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false });
const ResumeBody = Type.Object(
  {
    anchor: Type.Optional(
      Type.Enum(['keep', 'reset'], {
        default: 'keep',
        description:
          'keep (default): billing continues on the original anchor from the next period boundary. ' +
          'reset: the anchor moves to now and a new period is invoiced at once.',
      }),
    ),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);

type Subscription = {
  id: string;
  customerId: string;
  planCode: string;
  planVersion: number;
  quantity: number;
  status: (typeof STATUSES)[number];
  anchorAt: string;
  currentPeriod: { start: string; end: string } | null;
  nextBillingAt: string | null;
  invoicesIssued: number;
  pausedAt: string | null;
  canceledAt: string | null;
  createdAt: string;
};

function asStatus(status: string): Subscription['status'] {
  return (STATUSES as readonly string[]).includes(status)
    ? (status as Subscription['status'])
    : 'active';
}

/** What the database knows: enough once the workflow has ended, and for lists. */
export function fromDatabase(record: SubscriptionRecord): Subscription {
  const status = asStatus(record.status);
  const active = status === 'active';
  return {
    id: record.id,
    customerId: record.customerId,
    planCode: record.planCode,
    planVersion: record.planVersion,
    quantity: record.quantity,
    status,
    anchorAt: iso(record.anchorAt),
    currentPeriod:
      active && record.currentPeriodStart && record.currentPeriodEnd
        ? { start: iso(record.currentPeriodStart), end: iso(record.currentPeriodEnd) }
        : null,
    // Billing is in advance: the next invoice falls at the end of the current period, or at
    // the anchor before the first one.
    nextBillingAt: active ? iso(record.currentPeriodEnd ?? record.anchorAt) : null,
    invoicesIssued: record.invoicesIssued,
    pausedAt: status === 'paused' ? iso(record.pausedAt) : null,
    canceledAt: status === 'canceled' ? iso(record.canceledAt) : null,
    createdAt: iso(record.createdAt),
  };
}

/** The workflow's live state over the stored row: the workflow is the source of truth. */
export function withLiveState(record: SubscriptionRecord, state: SubscriptionState): Subscription {
  return {
    ...fromDatabase(record),
    status: state.status,
    anchorAt: new Date(state.cycle.anchor).toISOString(),
    currentPeriod: state.currentPeriod && {
      start: state.currentPeriod.start,
      end: state.currentPeriod.end,
    },
    nextBillingAt: state.nextBillingAt,
    invoicesIssued: state.invoicesIssued,
    pausedAt: state.pausedAt,
    canceledAt: state.canceledAt,
  };
}

function isTemporalUnavailable(error: unknown): boolean {
  return (
    error instanceof ServiceError ||
    error instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
    isGrpcServiceError(error)
  );
}

function mentionsCompleted(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/already completed/i.test(e.message)) return true;
  }
  return false;
}

/**
 * The problem an operator should see for a failed pause/resume/cancel; undefined when the
 * failure is ours (e.g. the workflow failed the update for another reason), to answer as a 500.
 */
export function updateProblem(error: unknown): Problem | undefined {
  if (error instanceof WorkflowUpdateFailedError) {
    const { cause } = error;
    if (cause instanceof ApplicationFailure && cause.type === INVALID_TRANSITION) {
      return conflict(cause.message);
    }
    return undefined;
  }
  if (error instanceof WorkflowNotFoundError || mentionsCompleted(error)) {
    return conflict('The subscription is canceled: its billing workflow has ended.');
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return serviceUnavailable(
      'The subscription’s workflow did not answer in time; the change may still take effect. Check the subscription before retrying.',
      error,
    );
  }
  if (isTemporalUnavailable(error)) {
    return serviceUnavailable('Temporal is unavailable; retry later.', error);
  }
  return undefined;
}

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
  if (record.status === 'canceled') return fromDatabase(record);
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

const subscriptionResponses = (action: string) => ({
  200: described(SubscriptionSchema, `The subscription after the ${action}.`),
  404: problemResponse('No subscription has this id.'),
  409: problemResponse(
    `The ${action} conflicts with the subscription’s state (e.g. already paused, or canceled), or the Idempotency-Key conflicts.`,
  ),
  503: problemResponse('Temporal is unavailable or did not answer in time.'),
});

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
            'Unknown customer (customerId) or plan (planCode), a plan in another currency (planCode), ' +
              'or a plan whose current version is not one flat charge billed in advance (planCode): ' +
              'usage, per-seat and multi-charge plans are billed by the subscription lifecycle, not yet available.',
          ),
          503: problemResponse('Temporal is unavailable; nothing was created.'),
        },
      },
    },
    async (request, reply) => {
      const { customerId, planCode, quantity = 1, startAt } = request.body;
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
      // The running workflow bills one flat price in advance (SubscriptionWorkflowInput.price);
      // other charges need the subscription lifecycle's rating, which is not there yet.
      const flatPrice = flatAdvancePrice(version.charges);
      if (flatPrice === undefined) {
        throw unprocessable(
          'planCode',
          'plans with usage or per-seat charges are billed by the subscription lifecycle, not yet available',
        );
      }
      const { interval, intervalCount } = version.billingCycle;
      if (!(INTERVALS as readonly string[]).includes(interval)) {
        throw new Error(`plan ${plan.code} has an unknown interval ${interval}`);
      }
      const startMs = startAt === undefined ? Date.now() : Date.parse(startAt);
      if (!Number.isFinite(startMs))
        throw unprocessable('startAt', 'must be an ISO 8601 instant with a UTC offset');

      const id = newId('sub');
      const anchor = new Date(startMs).toISOString();
      const input: SubscriptionWorkflowInput = {
        subscriptionId: id,
        customerId,
        planCode: plan.code,
        planName: plan.name,
        cycle: { interval, intervalCount, anchor, timezone: customer.timezone },
        price: { amount: flatPrice, currency: version.currency },
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
          anchorAt: anchor,
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
          'Ends the subscription: no further invoices. Final; a canceled subscription answers 409.',
        params: IdParams,
        body: ActionBody,
        response: subscriptionResponses('cancellation'),
      },
    },
    async (request) => {
      const action: OperatorAction = { actor: request.apiKey.id, ...request.body };
      return sendUpdate(app, request.params.id, (handle) =>
        handle.executeUpdate(cancelUpdate, { args: [action] }),
      );
    },
  );

  app.post(
    '/subscriptions/:id/plan-version',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Move the subscription to another plan version',
        description:
          'Running subscriptions stay on the plan version they were pinned to when a plan is edited; ' +
          'this moves one explicitly and records who did it and why. ' +
          '**Until the subscription lifecycle can apply new terms to a running billing workflow, only ' +
          'moves that leave what the workflow bills unchanged are accepted**: the target version must ' +
          'be one flat charge billed in advance with the same price, interval and interval count as ' +
          'the version the subscription is on (a version that changes tax behaviour or a description, ' +
          'say). Any other move is a 409 and changes nothing; the workflow is never touched. Moving to ' +
          'the version the subscription is already on is a 200 that records nothing.',
        params: IdParams,
        body: PlanVersionBody,
        response: {
          200: described(SubscriptionSchema, 'The subscription, as stored, on its new version.'),
          404: problemResponse('No subscription has this id.'),
          409: problemResponse(
            'The subscription is canceled, or the move would change what its running workflow bills ' +
              '(not yet possible), or another move happened at the same time, or the Idempotency-Key conflicts.',
          ),
          422: problemResponse('The plan has no such version (`version`).'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { version: to, reason } = request.body;
      const record = await loadSubscription(app, id);
      if (record.status === 'canceled')
        throw conflict(`Subscription ${id} is canceled: its plan version can no longer change.`);
      const plan = await getPlanByCode(app.db, record.planCode);
      if (!plan) throw new Error(`subscription ${id} refers to a missing plan ${record.planCode}`);
      const target = await getPlanVersion(app.db, plan, to);
      if (!target) throw unprocessable('version', `plan ${plan.code} has no version ${to}`);
      if (to === record.planVersion) return fromDatabase(record);
      const pinned = await getPlanVersion(app.db, plan, record.planVersion);
      const billed = pinned && flatAdvancePrice(pinned.charges);
      const next = flatAdvancePrice(target.charges);
      const sameBilling =
        pinned !== undefined &&
        billed !== undefined &&
        next === billed &&
        target.currency === pinned.currency &&
        target.billingCycle.interval === pinned.billingCycle.interval &&
        target.billingCycle.intervalCount === pinned.billingCycle.intervalCount;
      if (!sameBilling) {
        throw conflict(
          `Moving subscription ${id} from version ${record.planVersion} to ${to} of plan ${plan.code} ` +
            'would change what its running billing workflow bills; applying new terms to a running ' +
            'subscription comes with the subscription lifecycle. Nothing was changed.',
        );
      }
      const moved = await changeSubscriptionPlanVersion(app.db, {
        subscriptionId: id,
        fromVersion: record.planVersion,
        toVersion: to,
        actor: request.apiKey.id,
        reason,
      });
      if (!moved)
        throw conflict(`Subscription ${id} changed plan version meanwhile; read it and retry.`);
      return fromDatabase(await loadSubscription(app, id));
    },
  );

  done();
};

export default subscriptions;
