// The deferred-revenue waterfall of one currency, month by month. The use case is in
// services/revenue-recognition.ts; the rule (ratable by day, exact to the minor unit) in
// domain/revenue/.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { revenueRecognition } from '../../services/revenue-recognition.ts';
import { described, problemResponse } from '../schemas/common.ts';
import {
  RevenueRecognitionQuery,
  RevenueRecognitionSchema,
  toRevenueRecognition,
} from '../schemas/revenue-recognition.ts';
import { answeringRefusals } from '../services.ts';

const revenueRecognitionRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/finance/revenue-recognition',
    {
      schema: {
        tags: ['Finance'],
        summary: 'Deferred-revenue waterfall',
        description:
          'Per month: billed, credited, recognized and the deferred balance opening and closing; ' +
          'and when the deferred balance at asOf will be recognized. Each line’s net amount is ' +
          'recognized evenly over its service period’s days (lines without one on the invoice ' +
          'date), credit notes reduce it from their date, and a void removes its invoice. ' +
          'See docs/FINANCE.md#revenue-recognition.',
        querystring: RevenueRecognitionQuery,
        response: {
          200: described(RevenueRecognitionSchema, 'The waterfall.'),
          422: problemResponse(
            'An unknown currency, a month or date not in the calendar, to before from, or more than 120 months.',
          ),
        },
      },
    },
    async (request) =>
      toRevenueRecognition(
        await answeringRefusals(() => revenueRecognition(app.db, request.query)),
      ),
  );
  done();
};

export default revenueRecognitionRoutes;
