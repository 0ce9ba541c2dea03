// Wallets of credit: POST/GET /v1/customers/:id/wallets, GET /v1/wallets/:id (with its grants),
// POST /v1/wallets/:id/grants (purchased or promotional), GET /v1/wallets/:id/transactions and
// POST /v1/wallets/:id/grants/:grantId/void. The use cases are in services/wallets.ts; how
// invoices use the credit is in docs/WALLETS.md.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  createWallet,
  getWalletWithGrants,
  grantCredit,
  listWallets,
  voidGrant,
  walletTransactions,
} from '../../services/wallets.ts';
import { DEFAULT_LIMIT, described, IdParams, ListOf, problemResponse } from '../schemas/common.ts';
import {
  CreateWalletBody,
  GrantBody,
  GrantParams,
  GrantSchema,
  toGrant,
  toWallet,
  toWalletTransaction,
  TransactionSchema,
  TransactionsQuery,
  WalletSchema,
  WalletWithGrantsSchema,
} from '../schemas/wallets.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';
import { Type } from 'typebox';

const HOW_USED =
  'When an invoice is finalized, promotional credit is taken off before tax (a discount on its ' +
  'lines) and purchased credit pays what is due after tax (a payment), each wallet in priority ' +
  'order, then earliest expiry, then oldest grant; a wallet never goes below zero.';

const wallets: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/customers/:id/wallets',
    {
      schema: {
        tags: ['Wallets'],
        summary: 'Create a wallet',
        description: `Opens a wallet of credit for the customer, in their currency. ${HOW_USED}`,
        params: IdParams,
        body: CreateWalletBody,
        response: {
          201: described(WalletSchema, 'The created wallet, empty.'),
          404: problemResponse('No customer has this id.'),
          409: problemResponse('The Idempotency-Key was used for another request.'),
          422: problemResponse(
            'A value we cannot accept, named in `errors[].field`: another currency than the ' +
              'customer’s, an unknown plan code.',
          ),
        },
      },
    },
    async (request, reply) => {
      const wallet = await answeringRefusals(() =>
        createWallet(serviceDependencies(app), request.params.id, request.body),
      );
      return reply.code(201).send(toWallet(wallet));
    },
  );

  app.get(
    '/customers/:id/wallets',
    {
      schema: {
        tags: ['Wallets'],
        summary: 'List a customer’s wallets',
        description: 'The customer’s wallets with their balances, in draw (priority) order.',
        params: IdParams,
        response: {
          200: described(
            Type.Object({ data: Type.Array(WalletSchema) }),
            'Every wallet of the customer.',
          ),
          404: problemResponse('No customer has this id.'),
        },
      },
    },
    async (request) => {
      const list = await answeringRefusals(() =>
        listWallets(serviceDependencies(app), request.params.id),
      );
      return { data: list.map(toWallet) };
    },
  );

  app.get(
    '/wallets/:id',
    {
      schema: {
        tags: ['Wallets'],
        summary: 'Get a wallet',
        description: 'The wallet, its balance and every grant into it, oldest first.',
        params: IdParams,
        response: {
          200: described(WalletWithGrantsSchema, 'The wallet and its grants.'),
          404: problemResponse('No wallet has this id.'),
        },
      },
    },
    async (request) => {
      const { wallet, grants } = await answeringRefusals(() =>
        getWalletWithGrants(serviceDependencies(app), request.params.id),
      );
      return { ...toWallet(wallet), grants: grants.map(toGrant) };
    },
  );

  app.post(
    '/wallets/:id/grants',
    {
      schema: {
        tags: ['Wallets'],
        summary: 'Grant credit',
        description:
          'Promotional credit is usable at once. Purchased credit issues an invoice for its ' +
          'amount (exempt from tax when sold: it is taxed as it is used) that is delivered and ' +
          'collected like any invoice; the credit is granted once, when that invoice is paid. ' +
          'With `expiresAt`, a durable timer expires what is left then. ' +
          HOW_USED,
        params: IdParams,
        body: GrantBody,
        response: {
          201: described(GrantSchema, 'The grant: active, or pending its invoice’s payment.'),
          404: problemResponse('No wallet has this id.'),
          409: problemResponse('The Idempotency-Key was used for another request.'),
          422: problemResponse(
            'A value we cannot accept, named in `errors[].field`: promotional credit without a ' +
              '`reason`, an `expiresAt` not after the customer’s now.',
          ),
          503: problemResponse('The expiry timer could not be started; nothing was granted.'),
        },
      },
    },
    async (request, reply) => {
      const { grant } = await answeringRefusals(() =>
        grantCredit(serviceDependencies(app), request.params.id, request.body, {
          temporal: app.temporal,
          tax: app.tax,
          numbering: app.invoicing.numbering,
          seller: app.documents.seller,
          starts: { timeoutMs: app.temporalTimeoutMs },
        }),
      );
      return reply.code(201).send(toGrant(grant));
    },
  );

  app.get(
    '/wallets/:id/transactions',
    {
      schema: {
        tags: ['Wallets'],
        summary: 'List a wallet’s movements',
        description:
          'Every movement of the wallet’s credit, oldest first: grants, consumption by ' +
          'invoices, expiries and voids. Movements are immutable.',
        params: IdParams,
        querystring: TransactionsQuery,
        response: {
          200: ListOf(TransactionSchema, 'A page of movements.'),
          404: problemResponse('No wallet has this id.'),
        },
      },
    },
    async (request) => {
      const page = await answeringRefusals(() =>
        walletTransactions(serviceDependencies(app), request.params.id, {
          limit: request.query.limit ?? DEFAULT_LIMIT,
          startingAfter: request.query.startingAfter,
        }),
      );
      return { data: page.data.map(toWalletTransaction), hasMore: page.hasMore };
    },
  );

  app.post(
    '/wallets/:id/grants/:grantId/void',
    {
      schema: {
        tags: ['Wallets'],
        summary: 'Void a grant',
        description:
          'Takes what is left of a grant out of the wallet. Voided purchased credit was paid ' +
          'for: it becomes the customer’s credit balance (taken off their next invoice, or ' +
          'refunded). Voiding a grant already over returns it.',
        params: GrantParams,
        response: {
          200: described(GrantSchema, 'The grant, voided (or as it ended).'),
          404: problemResponse('The wallet has no such grant.'),
          409: problemResponse(
            'The grant is purchased and its invoice not paid yet: void the invoice instead.',
          ),
        },
      },
    },
    async (request) => {
      const grant = await answeringRefusals(() =>
        voidGrant(serviceDependencies(app), request.params.id, request.params.grantId),
      );
      return toGrant(grant);
    },
  );

  done();
};

export default wallets;
