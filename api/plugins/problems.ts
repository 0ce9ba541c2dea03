// Every error leaves the API as RFC 9457 problem+json: schema validation (400), unknown routes
// (404), a known path with a method it does not take (405 with Allow), Problems thrown by routes,
// framework errors (bad JSON, 413, 415, and from the router: a bad URL 400, a path parameter over
// its length 414), a database that cannot be reached (503 with Retry-After: the client should
// come back, the pool reconnects by itself), and anything unexpected (500, logged, detail
// withheld from the client).
import type {
  FastifyError,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../../db/connect.ts';
import { AmountOverflowError } from '../../domain/core/decimal.ts';
import { Problem, PROBLEM_CONTENT_TYPE, ProblemSchema } from '../problem.ts';
import { problemResponse } from '../schemas/common.ts';
import { MAX_BODY_NUMBER } from '../schemas/common.ts';
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
  // Every amount a request states is bounded; what they multiply to (seats × price) may still
  // pass 2^53: the request asks for more than can be billed exactly, not a fault of ours.
  if (error instanceof AmountOverflowError)
    return new Problem({
      status: 422,
      slug: 'unprocessable',
      detail: `body: the amounts and quantities would total more than ${Number.MAX_SAFE_INTEGER} minor units`,
      errors: [{ field: 'body', message: 'amounts and quantities would total too much' }],
    });
  if (isFastifyError(error) && Array.isArray(error.validation)) {
    const errors = fieldErrors(error.validation, error.validationContext ?? 'body');
    // The request has the right shape but states an amount past the documented maximum: a
    // value we cannot bill (422), not a malformed request.
    const pastTheBound = error.validation.every(
      (e) =>
        (e.keyword === 'maximum' || e.keyword === 'minimum') &&
        Math.abs(Number((e.params as { limit?: unknown }).limit)) === MAX_BODY_NUMBER,
    );
    if (pastTheBound) {
      return new Problem({
        status: 422,
        slug: 'unprocessable',
        detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      });
    }
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
  if (isFastifyError(error) && status !== undefined && status >= 400 && status < 500) {
    // Framework client errors (malformed JSON, body too large, unsupported media type): their
    // messages describe the request, not our internals.
    return new Problem({
      status,
      slug: status === 404 ? 'not-found' : 'bad-request',
      // The router quotes the URL it refused; say what is wrong without echoing it.
      detail:
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'A path parameter is far longer than any id or code.'
          : error.code === 'FST_ERR_BAD_URL'
            ? 'The URL is not valid (a malformed percent-encoding).'
            : error.message,
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

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem) {
  if (problem.status >= 500) {
    request.log.error({ err: problem.cause ?? problem }, problem.detail);
  } else {
    request.log.info({ problem: problem.type, status: problem.status }, problem.detail);
  }
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem.toBody(requestPath(request)));
}

/**
 * Errors the router meets before any route or hook (a malformed URL, a path parameter over
 * maxParamLength): Fastify's `frameworkErrors` option, set where the instance is created.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  error,
  request,
  reply,
) => {
  void sendProblem(request, reply, toProblem(error));
};

/** The routes' paths as patterns, and the methods each takes: for 405 and its Allow header. */
class RouteMethods {
  private readonly routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  add(route: RouteOptions): void {
    let entry = this.routes.get(route.url);
    if (!entry) {
      const source = route.url
        .replace(/\/+$/, '')
        .split(/(:[A-Za-z0-9_]+|\*)/)
        .map((part) =>
          part === '*'
            ? '.*'
            : part.startsWith(':')
              ? '[^/]+'
              : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      entry = { pattern: new RegExp(`^${source}/?$`), methods: new Set() };
      this.routes.set(route.url, entry);
    }
    for (const method of [route.method].flat()) entry.methods.add(method);
  }

  /** The methods routed for this path, sorted; empty when no route has the path. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: routed } of this.routes.values())
      if (pattern.test(path)) for (const m of routed) methods.add(m);
    return [...methods].sort();
  }
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
    const routeMethods = new RouteMethods();
    app.addHook('onRoute', (route) => routeMethods.add(route));

    /** No route for this method and path: 405 with Allow when the path takes other methods. */
    const notRouted = (request: FastifyRequest, reply: FastifyReply) => {
      const path = requestPath(request);
      const allowed = routeMethods.allowed(path);
      const problem =
        allowed.length > 0
          ? new Problem({
              status: 405,
              slug: 'method-not-allowed',
              detail: `${path} does not take ${request.method}; it takes ${allowed.join(', ')}.`,
              headers: { allow: allowed.join(', ') },
            })
          : new Problem({
              status: 404,
              slug: 'not-found',
              detail: `No route for ${request.method} ${path}.`,
            });
      return sendProblem(request, reply, problem);
    };

    app.setErrorHandler((error, request, reply) =>
      // An unrouted request whose body Fastify could not read (QUERY without a Content-Type):
      // the missing route is the answer, not the body.
      request.is404 ? notRouted(request, reply) : sendProblem(request, reply, toProblem(error)),
    );
    app.setNotFoundHandler(notRouted);

    done();
  },
  { name: 'billwright-problems', fastify: '5.x', dependencies: ['billwright-validation'] },
);
