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
import { getCustomer } from '../../db/repositories/customers.ts';
import { getPlanByCode } from '../../db/repositories/plans.ts';
import {
  getSubscription,
  insertSubscription,
  listSubscriptions,
  type SubscriptionRecord,
} from '../../db/repositories/subscriptions.ts';
import { INTERVALS, type Interval } from '../../domain/periods.ts';
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
          'be started, nothing is stored and the answer is 503. The plan must be priced in the customer’s currency.',
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
      const { customerId, planCode, startAt } = request.body;
      const customer = await getCustomer(app.db, customerId);
      if (!customer) throw unprocessable('customerId', `customer ${customerId} does not exist`);
      const plan = await getPlanByCode(app.db, planCode);
      if (!plan) throw unprocessable('planCode', `plan ${planCode} does not exist`);
      if (plan.currency !== customer.currency) {
        throw unprocessable(
          'planCode',
          `plan ${planCode} is priced in ${plan.currency} but customer ${customerId} is billed in ${customer.currency}`,
        );
      }
      if (!(INTERVALS as readonly string[]).includes(plan.interval)) {
        throw new Error(`plan ${plan.code} has an unknown interval ${plan.interval}`);
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
        cycle: {
          interval: plan.interval as Interval,
          intervalCount: plan.interval_count,
          anchor,
          timezone: customer.timezone,
        },
        price: { amount: plan.amount, currency: plan.currency },
      };
      // One transaction: the row commits only if the workflow started. (The workflow's first
      // activities may run before the commit; they retry until the row is visible.)
      await app.db.transaction().execute(async (trx) => {
        await insertSubscription(trx, { id, customerId, planId: plan.id, anchorAt: anchor });
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

  done();
};

export default subscriptions;
