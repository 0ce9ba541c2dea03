// Subscriptions: each one is a row in the database and a durable Temporal workflow that bills
// it. POST creates both in one transaction; pause/resume/cancel are workflow updates, so the
// workflow (not the API) decides which transitions are allowed; GET reads the workflow's live
// state, falling back to the database once the workflow is gone. The use cases are in
// services/subscriptions.ts and services/subscription-changes.ts; this file validates, calls
// one, and answers.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  cancelSubscription,
  changeSubscriptionTerms,
  createSubscription,
  getLiveSubscription,
  listSubscriptions,
  moveSubscriptionToVersion,
  pauseSubscription,
  resumeSubscription,
  type SubscriptionDependencies,
} from '../../services/subscriptions.ts';
import {
  previewSubscriptionChange,
  previewUpcomingInvoice,
} from '../../services/subscription-previews.ts';
import { DEFAULT_LIMIT, described, IdParams, ListOf, problemResponse } from '../schemas/common.ts';
import {
  ActionBody,
  CancelBody,
  ChangeBody,
  changePreviewOf,
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
import { answeringRefusals, answeringUpdates, askedBy, serviceDependencies } from '../services.ts';
import { SUBSCRIPTION_WORKFLOW } from '../temporal-problem.ts';

function dependencies(app: FastifyInstance): SubscriptionDependencies {
  return { ...serviceDependencies(app), tax: app.tax };
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
      const created = await answeringRefusals(() =>
        createSubscription(dependencies(app), request.body),
      );
      return reply.code(201).send(created);
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
      return listSubscriptions(dependencies(app), { customerId, limit, startingAfter });
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
    async (request) =>
      answeringRefusals(() => getLiveSubscription(dependencies(app), request.params.id)),
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
    async (request) =>
      answeringUpdates(SUBSCRIPTION_WORKFLOW, () =>
        pauseSubscription(dependencies(app), request.params.id, askedBy(request)),
      ),
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
    async (request) =>
      answeringUpdates(SUBSCRIPTION_WORKFLOW, () =>
        resumeSubscription(dependencies(app), request.params.id, askedBy(request)),
      ),
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
    async (request) =>
      answeringUpdates(SUBSCRIPTION_WORKFLOW, () =>
        cancelSubscription(dependencies(app), request.params.id, askedBy(request)),
      ),
  );

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
      const change = { ...askedBy(request), subscriptionId: request.params.id };
      return answeringUpdates(SUBSCRIPTION_WORKFLOW, () =>
        changeSubscriptionTerms(serviceDependencies(app), change),
      );
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
      const preview = await answeringUpdates(SUBSCRIPTION_WORKFLOW, () =>
        previewSubscriptionChange(dependencies(app), request.params.id, request.query),
      );
      return changePreviewOf(preview);
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
    async (request) =>
      invoicePreviewOf(
        await answeringUpdates(SUBSCRIPTION_WORKFLOW, () =>
          previewUpcomingInvoice(dependencies(app), request.params.id),
        ),
      ),
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
      const move = { ...askedBy(request), subscriptionId: request.params.id };
      return answeringUpdates(SUBSCRIPTION_WORKFLOW, () =>
        moveSubscriptionToVersion(serviceDependencies(app), move),
      );
    },
  );

  done();
};

export default subscriptions;
