// GET /health: the process answers and the database does too. Public.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { serviceUnavailable } from '../problem.ts';
import { problemResponse } from '../schemas/common.ts';

const health: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['Health'],
        summary: 'Health check',
        description:
          'Answers `{ "status": "ok" }` when the API and its database respond. Needs no API key.',
        response: {
          200: Type.Object(
            { status: Type.Literal('ok') },
            { description: 'The API and its database respond.' },
          ),
          503: problemResponse('The database does not respond.'),
        },
      },
    },
    async () => {
      try {
        await sql`select 1`.execute(app.db);
      } catch (error) {
        throw serviceUnavailable('The database does not respond.', error);
      }
      return { status: 'ok' as const };
    },
  );

  done();
};

export default health;
