// Automatic top-ups of a wallet: PUT/GET/DELETE /v1/wallets/:id/top-up. The use cases are in
// services/wallet-top-ups.ts; how purchases are made is in docs/WALLETS.md.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { removeTopUp, setTopUp, showTopUp } from '../../services/wallet-top-ups.ts';
import { described, IdParams, problemResponse } from '../schemas/common.ts';
import { TopUpBody, TopUpSchema, toTopUp } from '../schemas/wallet-top-ups.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const HOW =
  'Each purchase is an invoice for `amount` (exempt, like any sale of credit), delivered and ' +
  'collected like other invoices; `credit` is granted once it is paid.';

const walletTopUps: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.put(
    '/wallets/:id/top-up',
    {
      schema: {
        tags: ['Wallets'],
        summary: 'Set a wallet’s automatic top-up',
        description:
          'Sets (or replaces) the rule. recurring: one purchase per interval from `anchor`. ' +
          'threshold: one purchase when an invoice draws the balance under `below`, none other ' +
          `while that one is unpaid. ${HOW}`,
        params: IdParams,
        body: TopUpBody,
        response: {
          200: described(TopUpSchema, 'The rule as set.'),
          404: problemResponse('No wallet has this id.'),
          422: problemResponse('A value we cannot accept, named in `errors[].field`.'),
          503: problemResponse('The recurring timer could not start; nothing was set.'),
        },
      },
    },
    async (request) => {
      const rule = await answeringRefusals(() =>
        setTopUp(serviceDependencies(app), request.params.id, request.body),
      );
      return toTopUp(rule);
    },
  );

  app.get(
    '/wallets/:id/top-up',
    {
      schema: {
        tags: ['Wallets'],
        summary: 'Show a wallet’s automatic top-up',
        description: `The wallet's top-up rule, recurring or threshold. ${HOW}`,
        params: IdParams,
        response: {
          200: described(TopUpSchema, 'The rule.'),
          404: problemResponse('No wallet has this id, or it has no rule.'),
        },
      },
    },
    async (request) =>
      toTopUp(
        await answeringRefusals(() => showTopUp(serviceDependencies(app), request.params.id)),
      ),
  );

  app.delete(
    '/wallets/:id/top-up',
    {
      schema: {
        tags: ['Wallets'],
        summary: 'Remove a wallet’s automatic top-up',
        description: 'Nothing more is bought; purchases already invoiced stay as they are.',
        params: IdParams,
        response: {
          204: Type.Null({ description: 'Removed.' }),
          404: problemResponse('No wallet has this id, or it has no rule.'),
        },
      },
    },
    async (request, reply) => {
      await answeringRefusals(() => removeTopUp(serviceDependencies(app), request.params.id));
      return reply.code(204).send(null);
    },
  );

  done();
};

export default walletTopUps;
