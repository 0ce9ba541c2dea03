// Every error leaves the API as RFC 9457 problem+json: schema validation (400), unknown routes
// (404), Problems thrown by routes, framework errors (bad JSON, 413, 415), a database that cannot
// be reached (503 with Retry-After: the client should come back, the pool reconnects by itself),
// and anything unexpected (500, logged, detail withheld from the client).
import type { FastifyError, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../../db/connect.ts';
import { Problem, PROBLEM_CONTENT_TYPE, ProblemSchema } from '../problem.ts';
import { problemResponse } from '../schemas/common.ts';
import { fieldErrors } from './validation.ts';

/** The request's path without its query string: a problem's `instance`, an idempotency scope. */
export function requestPath(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  if (isFastifyError(error) && Array.isArray(error.validation)) {
    const errors = fieldErrors(error.validation, error.validationContext ?? 'body');
    return new Problem({
      status: 400,
      slug: 'validation-error',
      title: 'Invalid request',
      detail:
        errors.map((e) => `${e.field}: ${e.message}`).join('; ') ||
        'The request does not match its schema.',
      errors,
    });
  }
  const status = isFastifyError(error) ? error.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    // Framework client errors (malformed JSON, body too large, unsupported media type): their
    // messages describe the request, not our internals.
    return new Problem({
      status,
      slug: status === 404 ? 'not-found' : 'bad-request',
      detail: error instanceof Error ? error.message : 'Bad request',
    });
  }
  if (isDatabaseUnavailable(error)) return databaseUnavailable(error);
  return new Problem({
    status: 500,
    slug: 'internal-error',
    detail: 'An unexpected error occurred; it has been logged.',
    cause: error,
  });
}

/** Seconds a client should wait before retrying while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export function databaseUnavailable(cause: unknown): Problem {
  return new Problem({
    status: 503,
    slug: 'service-unavailable',
    detail: 'The database is unavailable; retry shortly.',
    headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
    cause,
  });
}

/** Adds the responses every documented route can give, unless the route declares its own. */
function documentCommonProblems(route: RouteOptions): void {
  const schema = route.schema as (Record<string, unknown> & { hide?: boolean }) | undefined;
  if (!schema || schema.hide) return;
  const response = (schema.response ??= {}) as Record<string, unknown>;
  const takesInput = schema.body || schema.querystring || schema.params || schema.headers;
  if (takesInput)
    response['400'] ??= problemResponse(
      'The request is malformed or fails its schema; `errors` names each field.',
    );
  response['500'] ??= problemResponse('Unexpected error; details are logged, not returned.');
  response['503'] ??= problemResponse(
    'A dependency is unavailable (the database, or Temporal); `Retry-After` says when to retry.',
  );
}

export default fp(
  (app, _options, done) => {
    app.addSchema(ProblemSchema);
    app.addHook('onRoute', documentCommonProblems);

    app.setErrorHandler((error, request, reply) => {
      const problem = toProblem(error);
      if (problem.status >= 500) {
        request.log.error(
          { err: problem.status === 500 ? error : (problem.cause ?? problem) },
          problem.detail,
        );
      } else {
        request.log.info({ problem: problem.type, status: problem.status }, problem.detail);
      }
      return reply
        .code(problem.status)
        .headers(problem.headers)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem.toBody(requestPath(request)));
    });

    app.setNotFoundHandler((request, reply) => {
      const problem = new Problem({
        status: 404,
        slug: 'not-found',
        detail: `No route for ${request.method} ${requestPath(request)}.`,
      });
      return reply
        .code(404)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem.toBody(requestPath(request)));
    });

    done();
  },
  { name: 'billwright-problems', fastify: '5.x', dependencies: ['billwright-validation'] },
);
