// Accounting sync over HTTP: start a sync to the accounting system (202: a durable workflow
// pushes customers, invoices, payments and credit notes in that order), read where it stands, and
// reconcile a period against what the accounting system holds.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { AccountingSystem } from '../../accounting/port.ts';
import {
  getAccountingSync,
  reconcileAccounts,
  startAccountingSync,
} from '../../services/accounting-sync.ts';
import { described, problemResponse } from '../schemas/common.ts';
import {
  AccountingSyncSchema,
  CreateSyncBody,
  ReconciliationQuery,
  ReconciliationSchema,
  SyncParams,
  toAccountingSync,
  toReconciliation,
} from '../schemas/accounting.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The accounting system syncs push to (QUICKBOOKS_*); undefined: accounting sync is off. */
    accounting: AccountingSystem | undefined;
  }
}

const NOT_CONFIGURED = 'Accounting sync is not configured (no QUICKBOOKS_REALM_ID).';

const accounting: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const deps = () => ({ ...serviceDependencies(app), accounting: app.accounting });

  app.post(
    '/accounting/syncs',
    {
      schema: {
        tags: ['Accounting'],
        summary: 'Sync to the accounting system',
        description:
          'Starts a durable workflow (`accounting-sync-<id>`) that pushes to QuickBooks Online the ' +
          'customers of finalized invoices, then those invoices, then payments, then credit notes, ' +
          'each once: an object whose content QuickBooks already acknowledged is skipped. One sync ' +
          'runs at a time: asked again for the same period while it runs, the running one answers ' +
          '(200). Answers 202 at once; GET the sync for its counts.',
        body: CreateSyncBody,
        response: {
          200: described(AccountingSyncSchema, 'The sync of this period already running.'),
          202: described(AccountingSyncSchema, 'The sync, started.'),
          409: problemResponse(`${NOT_CONFIGURED} Or a sync of another period is running.`),
          422: problemResponse('`period.to` is not after `period.from`.'),
          503: problemResponse('Temporal is unavailable; nothing was stored.'),
        },
      },
    },
    async (request, reply) => {
      const { sync, started } = await answeringRefusals(() =>
        startAccountingSync(deps(), { period: request.body.period, actor: request.apiKey.id }),
      );
      return reply.code(started ? 202 : 200).send(toAccountingSync(sync));
    },
  );

  app.get(
    '/accounting/syncs/:id',
    {
      schema: {
        tags: ['Accounting'],
        summary: 'Get an accounting sync',
        description:
          'Where the sync stands: running or completed, how many customers, invoices, payments and ' +
          'credit notes it pushed, skipped (unchanged) and failed, and why for those that failed.',
        params: SyncParams,
        response: {
          200: described(AccountingSyncSchema, 'The sync.'),
          404: problemResponse('No sync has this id.'),
        },
      },
    },
    async (request) =>
      toAccountingSync(await answeringRefusals(() => getAccountingSync(deps(), request.params.id))),
  );

  app.get(
    '/accounting/reconciliation',
    {
      schema: {
        tags: ['Accounting'],
        summary: 'Reconcile a period with the accounting system',
        description:
          'Billwright’s finalized invoices, payments and credit notes dated in [from, to) against ' +
          'what QuickBooks holds, read now: each document matched, missing in QuickBooks, with a ' +
          'different amount, or held by QuickBooks but unknown to Billwright; and totals per kind ' +
          'and currency.',
        querystring: ReconciliationQuery,
        response: {
          200: described(ReconciliationSchema, 'The reconciliation.'),
          409: problemResponse(NOT_CONFIGURED),
          422: problemResponse('`to` is not after `from`, or more than 366 days after it.'),
          503: problemResponse('QuickBooks could not be read.'),
        },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      return toReconciliation(
        await answeringRefusals(() => reconcileAccounts(deps(), { from, to })),
      );
    },
  );

  done();
};

export default accounting;
