// Test clocks: virtual time for trying billing end to end. A customer created on a clock is
// billed by the same workflows and activities as any other, but on the clock's time: an advance
// walks every boundary up to the new time, in order, and the clock reads ready when done.
// Registered only when test clocks are on (BILLWRIGHT_TEST_CLOCKS; off in production). The use
// cases are in services/test-clocks.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  advanceTestClock,
  createTestClock,
  deleteTestClock,
  getTestClock,
  listTestClocks,
} from '../../services/test-clocks.ts';
import {
  pageOf,
  PageQuery,
  DEFAULT_LIMIT,
  described,
  IdParams,
  ListOf,
  problemResponse,
} from '../schemas/common.ts';
import {
  AdvanceTestClockBody,
  CreateTestClockBody,
  DeletedTestClockSchema,
  TestClockSchema,
  toTestClock,
} from '../schemas/test-clocks.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether test clocks are on (BILLWRIGHT_TEST_CLOCKS); off, a testClockId is refused. */
    testClocks: boolean;
  }
}

const testClocks: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/test-clocks',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['Test clocks'],
        summary: 'Create a test clock',
        description:
          'A clock frozen at frozenTime. Customers created with its testClockId are billed on it: ' +
          'their subscriptions start at the clock’s time and renew only when the clock advances.',
        body: CreateTestClockBody,
        response: { 201: described(TestClockSchema, 'The clock, ready.') },
      },
    },
    async (request, reply) => {
      const clock = await createTestClock(serviceDependencies(app), request.body);
      return reply.code(201).send(toTestClock(clock));
    },
  );

  app.get(
    '/test-clocks',
    {
      schema: {
        tags: ['Test clocks'],
        summary: 'List test clocks',
        description: 'Every test clock, newest first.',
        querystring: PageQuery,
        response: { 200: ListOf(TestClockSchema, 'The clocks.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listTestClocks(serviceDependencies(app), { limit, startingAfter });
      return pageOf(page, toTestClock);
    },
  );

  app.get(
    '/test-clocks/:id',
    {
      schema: {
        tags: ['Test clocks'],
        summary: 'Get a test clock',
        description: 'The clock’s time and status: poll it after an advance until ready.',
        params: IdParams,
        response: {
          200: described(TestClockSchema, 'The clock.'),
          404: problemResponse('No test clock has this id.'),
        },
      },
    },
    async (request) =>
      toTestClock(
        await answeringRefusals(() => getTestClock(serviceDependencies(app), request.params.id)),
      ),
  );

  app.post(
    '/test-clocks/:id/advance',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['Test clocks'],
        summary: 'Advance a test clock',
        description:
          'Moves the clock forward to frozenTime. Every boundary in between is billed in time ' +
          'order across the clock’s customers (trial ends, renewals, usage periods, reminders), ' +
          'by the production workflows; the clock reads ready at the new time once all is done. ' +
          'Answers at once with status advancing.',
        params: IdParams,
        body: AdvanceTestClockBody,
        response: {
          202: described(TestClockSchema, 'The clock, advancing.'),
          404: problemResponse('No test clock has this id.'),
          409: problemResponse('The clock is already advancing, or being deleted.'),
          422: problemResponse(
            'frozenTime is not later than the clock’s time, or more than 10 years after it.',
          ),
          503: problemResponse('Temporal is unavailable; the clock did not move.'),
        },
      },
    },
    async (request, reply) => {
      const advancing = await answeringRefusals(() =>
        advanceTestClock(serviceDependencies(app), request.params.id, request.body.frozenTime),
      );
      return reply.code(202).send(toTestClock(advancing));
    },
  );

  app.delete(
    '/test-clocks/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['Test clocks'],
        summary: 'Delete a test clock',
        description:
          'Stops every workflow billed on the clock and deletes the clock, its customers and ' +
          'everything billed to them (subscriptions, invoices, credit notes, emails, usage).',
        params: IdParams,
        response: {
          200: DeletedTestClockSchema,
          404: problemResponse('No test clock has this id.'),
          503: problemResponse('Temporal is unavailable; retry the delete.'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const customersDeleted = await answeringRefusals(() =>
        deleteTestClock(serviceDependencies(app), id),
      );
      return { id, deleted: true as const, customersDeleted };
    },
  );

  done();
};

export default testClocks;
