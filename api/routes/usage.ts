// Usage events: POST /v1/events, one event or a batch of up to 1,000. The use case is in
// services/usage.ts; this file checks each event's shape, hands the well-formed ones over, and
// says what became of every event (accepted, duplicate or rejected):
//   200 when no event was rejected, 207 when some (or all) were. A single event (a body that
//   is the event itself) answers 200, or a problem (400 malformed, 422 unacceptable) naming
//   the field, like any other POST.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LateEventsPolicy } from '../../db/repositories/usage.ts';
import {
  cachedMetrics,
  recordUsage,
  type UsageEvent,
  type UsageOutcome,
} from '../../services/usage.ts';
import { Problem } from '../problem.ts';
import { described, problemResponse } from '../schemas/common.ts';
import {
  MAX_EVENTS_PER_REQUEST,
  shapeErrors,
  UsageBatchSchema,
  UsageEventSchema,
  usageEventsValidator,
  UsageIngestResult,
} from '../schemas/usage.ts';
import { serviceDependencies } from '../services.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** What POST /v1/events does with events in an already invoiced usage period. */
    lateEvents: LateEventsPolicy;
  }
}

interface EventError {
  index: number;
  field: string;
  message: string;
  /** 400 malformed, 422 well-formed but unacceptable: the status a single event answers. */
  status: 400 | 422;
}

/** A single event's errors as one problem: 400 when any is malformed, else 422. */
function singleEventProblem(errors: readonly EventError[]): Problem {
  const status = errors.some((e) => e.status === 400) ? 400 : 422;
  const fields = errors.map(({ field, message }) => ({ field, message }));
  return new Problem({
    status,
    slug: status === 400 ? 'validation-error' : 'unprocessable',
    ...(status === 400 && { title: 'Invalid request' }),
    detail: fields.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors: fields,
  });
}

const usage: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.addSchema(UsageEventSchema);
  const metrics = cachedMetrics(app.db);

  app.post(
    '/events',
    {
      bodyLimit: 8 * 1024 * 1024,
      validatorCompiler: usageEventsValidator,
      schema: {
        tags: ['Usage'],
        summary: 'Send usage events',
        description:
          `One event, or \`{ "events": [...] }\` with 1 to ${MAX_EVENTS_PER_REQUEST}. Events are ` +
          'idempotent by (customer, transactionId): resending one is safe and reports it as a ' +
          'duplicate. In a batch each event stands alone: valid ones are stored even when others ' +
          'are rejected (status 207, `errors` by index). Events timestamped in a usage period ' +
          'already invoiced are rejected, or carried forward into the first open period, as the ' +
          'operator configured (BILLWRIGHT_LATE_EVENTS).',
        body: Type.Union([Type.Ref('UsageEvent'), UsageBatchSchema]),
        response: {
          200: described(UsageIngestResult, 'Every event was stored or was already stored.'),
          207: described(
            UsageIngestResult,
            'Some events were rejected; `errors` says why, by index.',
          ),
          422: problemResponse(
            'A single event is well-formed but not acceptable: unknown customer, subscription or ' +
              'metric, a missing or non-numeric field, or a closed usage period.',
          ),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as UsageEvent | { events: unknown[] };
      const batch = 'events' in body;
      const raw: unknown[] = batch ? body.events : [body];
      const path = (index: number, field: string) =>
        batch ? `events[${index}]${field === '' ? '' : `.${field}`}` : field || 'body';

      const errors: EventError[] = [];
      const valid: { index: number; event: UsageEvent }[] = [];
      raw.forEach((event, index) => {
        const problems = shapeErrors(event);
        if (problems.length === 0) valid.push({ index, event: event as UsageEvent });
        for (const p of problems)
          errors.push({ index, field: path(index, p.field), message: p.message, status: 400 });
      });
      const outcomes = await recordUsage(
        { ...serviceDependencies(app), lateEvents: app.lateEvents, metrics },
        valid.map((v) => v.event),
      );
      const statuses = new Map<number, UsageOutcome>();
      outcomes.forEach((outcome, i) => {
        const { index } = valid[i]!;
        if (outcome.status === 'rejected') {
          const { field, message } = outcome;
          errors.push({ index, field: path(index, field), message, status: 422 });
        } else statuses.set(index, outcome);
      });

      errors.sort((a, b) => a.index - b.index);
      if (!batch && errors.length > 0) throw singleEventProblem(errors);

      let accepted = 0;
      let duplicates = 0;
      const results = raw.map((event, index) => {
        const known = statuses.get(index) ?? { status: 'rejected' as const };
        if (known.status === 'accepted') accepted++;
        else if (known.status === 'duplicate') duplicates++;
        const transactionId = (event as { transactionId?: unknown } | null)?.transactionId;
        return {
          index,
          transactionId: typeof transactionId === 'string' ? transactionId : null,
          ...known,
        };
      });
      const rejected = raw.length - accepted - duplicates;
      return reply.code(rejected > 0 ? 207 : 200).send({
        accepted,
        duplicates,
        rejected,
        results,
        errors: errors.map(({ index, field, message }) => ({ index, field, message })),
      });
    },
  );

  done();
};

export default usage;
