// The ledger: the chart of accounts and which account each posting role uses (admin to change),
// the trial balance, an account's statement, and the journal exported as JSON or CSV. Entries
// are posted by the operations that move money, never through these routes. The use cases are in
// services/ledger.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  accountMappings,
  accountStatement,
  createAccount,
  journal,
  journalAsCsv,
  listAccounts,
  replaceAccountMappings,
  trialBalance,
} from '../../services/ledger.ts';
import {
  CodeCursorQuery,
  described,
  ListOf,
  pageAfter,
  problemResponse,
} from '../schemas/common.ts';
import {
  AccountCode,
  AccountSchema,
  CreateAccountBody,
  JournalCsv,
  JournalQuery,
  JournalSchema,
  mappingOf,
  MappingsSchema,
  ReplaceMappingsBody,
  StatementQuery,
  StatementSchema,
  toAccount,
  toJournal,
  toMapping,
  toStatement,
  toTrialBalance,
  TrialBalanceQuery,
  TrialBalanceSchema,
} from '../schemas/ledger.ts';
import { answeringRefusals } from '../services.ts';

const admin = { scope: 'admin' } as const;
const tags = ['Ledger'];
const badPeriod = problemResponse(
  'Not a currency, not a date, or a period ending before it starts.',
);

/** Accept names text/csv and not JSON (a browser's or a spreadsheet's request). */
function wantsCsv(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/csv') && !accept.includes('json');
}

const plugin: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.addSchema(AccountSchema);

  app.get(
    '/ledger/accounts',
    {
      schema: {
        tags,
        summary: 'List the chart of accounts',
        description: 'Every account by code: the seeded defaults and those operators added.',
        querystring: CodeCursorQuery('account', 32),
        response: { 200: ListOf(AccountSchema, 'A page of accounts, by code.') },
      },
    },
    async (request) =>
      pageAfter(await listAccounts(app.db), request.query, (a) => a.code, toAccount),
  );

  app.post(
    '/ledger/accounts',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Add an account',
        description: 'A new account in the chart, to map posting roles to (admin).',
        body: CreateAccountBody,
        response: {
          201: described(AccountSchema, 'The account.'),
          409: problemResponse('An account has this code.'),
        },
      },
    },
    async (request, reply) => {
      const account = await answeringRefusals(() => createAccount(app.db, request.body));
      return reply.code(201).send(toAccount(account));
    },
  );

  app.get(
    '/ledger/mappings',
    {
      schema: {
        tags,
        summary: 'Read the account mappings',
        description:
          'Which account each role posts to, by dimension (plan, origin, tax jurisdiction and ' +
          'rate, payment method); a line takes the most specific mapping, else the role’s default.',
        response: { 200: described(MappingsSchema, 'Every mapping.') },
      },
    },
    async () => ({ data: (await accountMappings(app.db)).map(toMapping) }),
  );

  app.put(
    '/ledger/mappings',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Replace the account mappings',
        description:
          'Replaces every mapping at once (admin); each role needs a default. Entries posted ' +
          'from now on use them; entries already posted keep their accounts.',
        body: ReplaceMappingsBody,
        response: {
          200: described(MappingsSchema, 'The mappings now in force.'),
          422: problemResponse(
            'A dimension the role has no use for, a role without a default, an unknown account, or a duplicate.',
          ),
        },
      },
    },
    async (request) => {
      const mappings = request.body.mappings.map(mappingOf);
      return {
        data: (await answeringRefusals(() => replaceAccountMappings(app.db, mappings))).map(
          toMapping,
        ),
      };
    },
  );

  app.get(
    '/ledger/trial-balance',
    {
      schema: {
        tags,
        summary: 'Trial balance',
        description:
          'Each account’s opening balance, debits, credits and closing balance in a currency, ' +
          'for a period of business dates (open ends unbounded). The totals net to zero.',
        querystring: TrialBalanceQuery,
        response: { 200: described(TrialBalanceSchema, 'The trial balance.'), 422: badPeriod },
      },
    },
    async (request) =>
      toTrialBalance(await answeringRefusals(() => trialBalance(app.db, request.query))),
  );

  app.get(
    '/ledger/accounts/:code/statement',
    {
      schema: {
        tags,
        summary: 'Account statement',
        description:
          'An account’s lines in a currency and period with the running balance, optionally ' +
          'one customer’s only.',
        params: Type.Object({ code: AccountCode }, { additionalProperties: false }),
        querystring: StatementQuery,
        response: {
          200: described(StatementSchema, 'The statement.'),
          404: problemResponse('No account has this code.'),
          422: badPeriod,
        },
      },
    },
    async (request) =>
      toStatement(
        await answeringRefusals(() => accountStatement(app.db, request.params.code, request.query)),
      ),
  );

  app.get(
    '/ledger/journal',
    {
      schema: {
        tags,
        summary: 'Export the journal',
        description:
          'Every journal line of a period (one currency or all) in posting order, as JSON or ' +
          'CSV (format=csv, or Accept: text/csv): the same period exports the same bytes.',
        querystring: JournalQuery,
        produces: ['application/json', 'text/csv'],
        response: {
          200: {
            description: 'The journal’s lines, as JSON or CSV.',
            content: {
              'application/json': { schema: JournalSchema },
              ...JournalCsv.content,
            },
          },
          422: badPeriod,
        },
      },
    },
    async (request, reply) => {
      const { format, ...query } = request.query;
      if (format === 'csv' || (format === undefined && wantsCsv(request.headers.accept))) {
        const text = await answeringRefusals(() => journalAsCsv(app.db, query));
        return reply.type('text/csv; charset=utf-8').send(text);
      }
      return toJournal(query, await answeringRefusals(() => journal(app.db, query)));
    },
  );

  done();
};

export default plugin;
