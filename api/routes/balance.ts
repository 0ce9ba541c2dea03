// The live balance: GET /v1/customers/:id/balance and GET /v1/customers/:id/entitlement?metric=,
// answered from the customer's balance workflow's query (services/balance.ts, docs/BALANCE.md).
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { customerBalance, customerEntitlement } from '../../services/balance.ts';
import {
  BalanceSchema,
  EntitlementQuery,
  EntitlementSchema,
  toBalance,
  toEntitlement,
} from '../schemas/balance.ts';
import { described, IdParams, problemResponse } from '../schemas/common.ts';
import { answeringUpdates, serviceDependencies } from '../services.ts';
import type { WorkflowSubject } from '../temporal-problem.ts';

const BALANCE_WORKFLOW: WorkflowSubject = {
  name: 'balance',
  ended: 'The customer’s balance workflow has ended; retry to start it again.',
};

const balance: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/customers/:id/balance',
    {
      schema: {
        tags: ['Balance'],
        summary: 'The customer’s live balance',
        description:
          'What the current period owes so far, per charge and in total, rated exactly as the ' +
          'period-end invoice will be, the wallets’ usable credit, and what would be collected ' +
          'after credit. Kept up to date as usage arrives.',
        params: IdParams,
        response: {
          200: described(BalanceSchema, 'The balance as of `asOf`.'),
          404: problemResponse('No customer has this id.'),
          409: problemResponse('The balance workflow has ended.'),
          503: problemResponse('Temporal is unavailable, or the balance is not read yet.'),
        },
      },
    },
    async (request) =>
      toBalance(
        await answeringUpdates(BALANCE_WORKFLOW, () =>
          customerBalance(serviceDependencies(app), request.params.id),
        ),
      ),
  );

  app.get(
    '/customers/:id/entitlement',
    {
      schema: {
        tags: ['Balance'],
        summary: 'May the customer spend?',
        description:
          'Whether the customer may use more of the metric: always, with no limit, when they ' +
          'have no wallet; otherwise while their credit exceeds what the period owes so far, ' +
          'with the units it still covers.',
        params: IdParams,
        querystring: EntitlementQuery,
        response: {
          200: described(EntitlementSchema, 'The answer, from the live balance.'),
          400: problemResponse('`metric` is missing or malformed.'),
          404: problemResponse('No customer has this id.'),
          409: problemResponse('The balance workflow has ended.'),
          422: problemResponse('No billable metric has this code (`metric`).'),
          503: problemResponse('Temporal is unavailable, or the balance is not read yet.'),
        },
      },
    },
    async (request) =>
      toEntitlement(
        await answeringUpdates(BALANCE_WORKFLOW, () =>
          customerEntitlement(serviceDependencies(app), request.params.id, request.query.metric),
        ),
      ),
  );

  done();
};

export default balance;
