// Health for orchestrators, public: liveness (the process serves HTTP; restart it when not) and
// readiness (its dependencies answer now; send it traffic only then). Kept apart so that a
// database outage takes instances out of rotation without getting them restarted.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { Problem } from '../problem.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../plugins/problems.ts';
import { problemResponse } from '../schemas/common.ts';

/** How long each readiness check may take before it counts as failed. */
export const READINESS_TIMEOUT_MS = 2_000;

async function within<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const health: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['Health'],
        summary: 'Liveness',
        description:
          'Answers `{ "status": "ok" }` whenever the process serves HTTP, whatever its dependencies do. ' +
          'A failing liveness probe means: restart the process. Needs no API key.',
        response: {
          200: Type.Object(
            { status: Type.Literal('ok') },
            { description: 'The process serves requests.' },
          ),
        },
      },
    },
    () => Promise.resolve({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['Health'],
        summary: 'Readiness',
        description:
          `Answers 200 when the database answers \`select 1\` and Temporal answers GetSystemInfo, ` +
          `each within ${READINESS_TIMEOUT_MS / 1000} s; otherwise 503 naming what does not answer, ` +
          'with `Retry-After`. A failing readiness probe means: send no traffic here for now (the ' +
          'process reconnects by itself). Needs no API key.',
        response: {
          200: Type.Object(
            {
              status: Type.Literal('ready'),
              checks: Type.Object({ database: Type.Literal('ok'), temporal: Type.Literal('ok') }),
            },
            { description: 'The database and Temporal answer.' },
          ),
          503: problemResponse('The database or Temporal does not answer; `detail` says which.'),
        },
      },
    },
    async (request) => {
      const [database, temporal] = await Promise.allSettled([
        within(READINESS_TIMEOUT_MS, 'the database', () => sql`select 1`.execute(app.db)),
        within(READINESS_TIMEOUT_MS, 'Temporal', () =>
          app.temporal.connection.withDeadline(Date.now() + READINESS_TIMEOUT_MS, () =>
            app.temporal.workflowService.getSystemInfo({}),
          ),
        ),
      ]);
      const down = [
        ...(database.status === 'rejected' ? ['the database'] : []),
        ...(temporal.status === 'rejected' ? ['Temporal'] : []),
      ];
      if (down.length > 0) {
        request.log.warn(
          {
            database: database.status === 'rejected' ? String(database.reason) : 'ok',
            temporal: temporal.status === 'rejected' ? String(temporal.reason) : 'ok',
          },
          'not ready',
        );
        throw new Problem({
          status: 503,
          slug: 'service-unavailable',
          detail: `Not ready: ${down.join(' and ')} ${down.length > 1 ? 'do' : 'does'} not answer.`,
          headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
        });
      }
      return { status: 'ready' as const, checks: { database: 'ok', temporal: 'ok' } as const };
    },
  );

  done();
};

export default health;
