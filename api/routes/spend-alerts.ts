// Spend alerts: POST/GET /v1/spend-alerts, GET/DELETE /v1/spend-alerts/:id. The use cases are in
// services/spend-alerts.ts; how alerts are compared, fired and resolved is in docs/BALANCE.md.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  createSpendAlert,
  removeSpendAlert,
  showSpendAlert,
  spendAlerts as listSpendAlerts,
} from '../../services/spend-alerts.ts';
import { described, IdParams, problemResponse } from '../schemas/common.ts';
import {
  SpendAlertBody,
  SpendAlertListSchema,
  SpendAlertQuery,
  SpendAlertSchema,
  toSpendAlert,
} from '../schemas/spend-alerts.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const HOW =
  'Compared after each read of the live balance: reaching the level records a crossing once ' +
  'per customer and period (webhook `spend_alert.triggered`, an email to the operator); after ' +
  'the period boundary, a period reading under the level resolves it (`spend_alert.resolved`).';

const spendAlerts: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/spend-alerts',
    {
      schema: {
        tags: ['Balance'],
        summary: 'Set a spend alert',
        description:
          'A level of usage (units of one metric this period) or of amount (the period’s rated ' +
          'amount so far, before tax) on a customer, or on a plan (every customer running it), ' +
          `optionally a hard stop on the entitlement. ${HOW}`,
        body: SpendAlertBody,
        response: {
          201: described(SpendAlertSchema, 'The alert, compared from the next balance read.'),
          400: problemResponse('The body is malformed.'),
          422: problemResponse('A value we cannot accept, named in `errors[].field`.'),
        },
      },
    },
    async (request, reply) => {
      const alert = await answeringRefusals(() =>
        createSpendAlert(serviceDependencies(app), request.body),
      );
      return reply.code(201).send(toSpendAlert(alert));
    },
  );

  app.get(
    '/spend-alerts',
    {
      schema: {
        tags: ['Balance'],
        summary: 'List spend alerts',
        description: `Oldest first, optionally of one customer or one plan; deleted ones too. ${HOW}`,
        querystring: SpendAlertQuery,
        response: {
          200: described(SpendAlertListSchema, 'The alerts.'),
          400: problemResponse('A query parameter is malformed.'),
        },
      },
    },
    async (request) => {
      const alerts = await listSpendAlerts(serviceDependencies(app), request.query);
      return { data: alerts.map(toSpendAlert) };
    },
  );

  app.get(
    '/spend-alerts/:id',
    {
      schema: {
        tags: ['Balance'],
        summary: 'Show a spend alert',
        description: HOW,
        params: IdParams,
        response: {
          200: described(SpendAlertSchema, 'The alert.'),
          404: problemResponse('No spend alert has this id.'),
        },
      },
    },
    async (request) =>
      toSpendAlert(
        await answeringRefusals(() => showSpendAlert(serviceDependencies(app), request.params.id)),
      ),
  );

  app.delete(
    '/spend-alerts/:id',
    {
      schema: {
        tags: ['Balance'],
        summary: 'Disable a spend alert',
        description:
          'No longer compared, and its hard stop lifted, from the next balance read (asked for ' +
          'at once). Its crossings stay recorded.',
        params: IdParams,
        response: {
          200: described(SpendAlertSchema, 'The alert, disabled.'),
          404: problemResponse('No spend alert has this id.'),
        },
      },
    },
    async (request) =>
      toSpendAlert(
        await answeringRefusals(() =>
          removeSpendAlert(serviceDependencies(app), request.params.id),
        ),
      ),
  );

  done();
};

export default spendAlerts;
