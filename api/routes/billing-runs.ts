// The bill-run view (GET /v1/billing-runs): how the renewals due in a window stand, for operators.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { billingRunsIn, billingWindowIssue, MAX_WINDOW_DAYS } from '../../services/billing-runs.ts';
import { badRequest } from '../problem.ts';
import { BillingRunsQuery, BillingRunsSchema, toBillingRuns } from '../schemas/billing-runs.ts';
import { DEFAULT_LIMIT, problemResponse } from '../schemas/common.ts';

const plugin: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.addSchema(BillingRunsSchema);
  app.get(
    '/billing-runs',
    {
      schema: {
        tags: ['Billing runs'],
        summary: 'Renewals due in a window',
        description:
          'Every invoice a subscription owes at a period boundary (its first period and each ' +
          'renewal) whose due time falls in [`from`, `to`), at most ' +
          `${MAX_WINDOW_DAYS} days: counted by state (issued, retrying, failed, late, ` +
          'scheduled), overall and per currency; the seconds from due to issued (p50, p95, max); ' +
          'and a page of the failing ones with their last error and attempt count.',
        querystring: BillingRunsQuery,
        response: {
          200: Type.Ref('BillingRuns', { description: 'The window’s renewals.' }),
          400: problemResponse(
            `\`to\` is not after \`from\`, or more than ${MAX_WINDOW_DAYS} days after it (or ` +
              'either is not an instant).',
          ),
        },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const from = new Date(request.query.from);
      const to = new Date(request.query.to);
      const issue = billingWindowIssue(from, to);
      if (issue) throw badRequest(`${issue.field} ${issue.message}.`, [issue]);
      return toBillingRuns(await billingRunsIn(app.db, { from, to }, { limit, startingAfter }));
    },
  );
  done();
};

export default plugin;
