// Test clocks: virtual time for trying billing end to end. A customer created on a clock is
// billed by the same workflows and activities as any other, but on the clock's time: an advance
// walks every boundary up to the new time, in order, and the clock reads ready when done.
// Registered only when test clocks are on (BILLWRIGHT_TEST_CLOCKS; off in production).
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Type } from 'typebox';
import { newId } from '../../db/ids.ts';
import {
  beginAdvance,
  beginDelete,
  clockWorkflowIds,
  deleteTestClockData,
  getTestClock,
  insertTestClock,
  listTestClocks,
} from '../../db/repositories/test-clocks.ts';
import type { TestClock } from '../../db/database.ts';
import { TestClockId } from '../../temporal/search-attributes.ts';
import { BILLING_TASK_QUEUE } from '../../temporal/task-queues.ts';
import { testClockAdvance, testClockAdvanceWorkflowId } from '../../workflows/test-clock.ts';
import { withTemporalDeadline } from '../plugins/temporal.ts';
import { conflict, notFound, serviceUnavailable, unprocessable } from '../problem.ts';
import {
  DEFAULT_LIMIT,
  described,
  IdParams,
  iso,
  ListOf,
  PageQuery,
  NullableTimestamp,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether test clocks are on (BILLWRIGHT_TEST_CLOCKS); off, a testClockId is refused. */
    testClocks: boolean;
  }
}

/** The longest single advance: 10 years of 365.25 days. */
const MAX_ADVANCE_YEARS = 10;
const MAX_ADVANCE_MS = MAX_ADVANCE_YEARS * 365.25 * 86_400_000;

const TestClockSchema = Type.Object(
  {
    id: Type.String({ examples: ['clock_abcdefghijklmnopqrst'] }),
    name: Type.Union([Type.String(), Type.Null()]),
    frozenTime: described(Timestamp, 'The time the clock reads: its customers’ "now".'),
    status: Type.Enum(['ready', 'advancing', 'deleting'], {
      description:
        'ready: time stands still at frozenTime. advancing: the billing between frozenTime and ' +
        'advancingTo is being run, in time order, frozenTime moving to each step as the walk ' +
        'reaches it; the clock reads ready at advancingTo when done.',
    }),
    advancingTo: NullableTimestamp,
    createdAt: Timestamp,
  },
  { $id: 'TestClock', title: 'TestClock' },
);

const Instant = Type.String({
  format: 'date-time',
  description: 'An ISO 8601 instant with a UTC offset.',
  examples: ['2027-01-01T09:00:00+01:00'],
});

const CreateBody = Type.Object(
  {
    frozenTime: Instant,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
const AdvanceBody = Type.Object(
  { frozenTime: described(Instant, 'The new time: later than the clock’s.') },
  { additionalProperties: false },
);

function toTestClock(row: TestClock) {
  return {
    id: row.id,
    name: row.name,
    frozenTime: iso(row.frozen_time),
    status: row.status,
    advancingTo: row.advancing_to ? iso(row.advancing_to) : null,
    createdAt: iso(row.created_at),
  };
}

const testClocks: FastifyPluginCallbackTypebox = (app, _options, done) => {
  async function load(id: string): Promise<TestClock> {
    const row = await getTestClock(app.db, id);
    if (!row) throw notFound(`Test clock ${id} does not exist.`);
    return row;
  }

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
        body: CreateBody,
        response: { 201: described(TestClockSchema, 'The clock, ready.') },
      },
    },
    async (request, reply) => {
      const row = await insertTestClock(app.db, {
        id: newId('clock'),
        name: request.body.name ?? null,
        frozenTime: new Date(request.body.frozenTime).toISOString(),
      });
      return reply.code(201).send(toTestClock(row));
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
      const page = await listTestClocks(app.db, { limit, startingAfter });
      return { data: page.items.map(toTestClock), hasMore: page.hasMore };
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
    async (request) => toTestClock(await load(request.params.id)),
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
        body: AdvanceBody,
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
      const clock = await load(request.params.id);
      const to = new Date(request.body.frozenTime).toISOString();
      if (clock.status !== 'ready') throw conflict(`Test clock ${clock.id} is ${clock.status}.`);
      if (Date.parse(to) <= clock.frozen_time.getTime()) {
        throw unprocessable(
          'frozenTime',
          `must be later than the clock’s time ${iso(clock.frozen_time)}: clocks only move forward`,
        );
      }
      // One advance bills every boundary it crosses: a bound keeps one request from setting the
      // worker to bill centuries of periods.
      if (Date.parse(to) - clock.frozen_time.getTime() > MAX_ADVANCE_MS) {
        throw unprocessable(
          'frozenTime',
          `may be at most ${MAX_ADVANCE_YEARS} years after the clock’s time ${iso(clock.frozen_time)}; advance in steps`,
        );
      }
      // One transaction: the clock reads advancing only if the walk started.
      const advancing = await app.db.transaction().execute(async (trx) => {
        const row = await beginAdvance(trx, clock.id, to);
        if (!row) throw conflict(`Test clock ${clock.id} changed meanwhile; read it again.`);
        try {
          await withTemporalDeadline(app, () =>
            app.temporal.workflow.start(testClockAdvance, {
              taskQueue: BILLING_TASK_QUEUE,
              workflowId: testClockAdvanceWorkflowId(clock.id, to),
              args: [{ clockId: clock.id, to }],
              typedSearchAttributes: [{ key: TestClockId, value: clock.id }],
              staticSummary: `Advance test clock ${clock.id} from ${iso(clock.frozen_time)} to ${to}`,
            }),
          );
        } catch (error) {
          throw serviceUnavailable('Could not start the advance; the clock did not move.', error);
        }
        return row;
      });
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
          200: described(
            Type.Object({
              id: Type.String(),
              deleted: Type.Literal(true),
              customersDeleted: Type.Integer(),
            }),
            'The clock is gone.',
          ),
          404: problemResponse('No test clock has this id.'),
          503: problemResponse('Temporal is unavailable; retry the delete.'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const clock = await beginDelete(app.db, id);
      if (!clock) throw notFound(`Test clock ${id} does not exist.`);
      const ids = await clockWorkflowIds(app.db, id);
      if (clock.advancing_to) ids.unshift(testClockAdvanceWorkflowId(id, iso(clock.advancing_to)));
      try {
        for (const workflowId of ids) {
          await withTemporalDeadline(app, () =>
            app.temporal.workflow.getHandle(workflowId).terminate(`test clock ${id} deleted`),
          ).catch((error: unknown) => {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
          });
        }
      } catch (error) {
        throw serviceUnavailable('Could not stop the clock’s workflows; retry the delete.', error);
      }
      const customersDeleted = await deleteTestClockData(app.db, id);
      return { id, deleted: true as const, customersDeleted };
    },
  );

  done();
};

export default testClocks;
