// One error shape for the whole API: RFC 9457 problem details (application/problem+json).
// Routes throw a Problem; the error handler (api/plugins/problems.ts) renders it. Anything else
// thrown becomes a 500 that names no internals.
import { STATUS_CODES } from 'node:http';
import { Type } from 'typebox';
import type { Refused } from '../services/refused.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A request field at fault: a dotted path into the body (`email`, `lines[0].amount`), or the
 * name of a query parameter, path parameter or header. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * Problem types are relative URI references (`/problems/<slug>`), stable identifiers that
 * clients may switch on; RFC 9457 does not require them to resolve.
 */
export type ProblemSlug =
  | 'validation-error'
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'gone'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'idempotency-key-reused'
  | 'request-in-progress'
  | 'unprocessable'
  | 'too-many-requests'
  | 'internal-error'
  | 'service-unavailable';

export function problemType(slug: ProblemSlug): string {
  return `/problems/${slug}`;
}

export interface ProblemInit {
  status: number;
  slug: ProblemSlug;
  detail: string;
  title?: string;
  errors?: FieldError[];
  /** Extra response headers, e.g. WWW-Authenticate on a 401. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class Problem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'Problem';
    this.status = init.status;
    this.type = problemType(init.slug);
    this.title = init.title ?? STATUS_CODES[init.status] ?? 'Error';
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
  }

  /** The response body; `instance` is the request path the problem occurred on. */
  toBody(instance?: string): ProblemBody {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance === undefined ? {} : { instance }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export function badRequest(detail: string, errors?: FieldError[]): Problem {
  return new Problem({ status: 400, slug: 'bad-request', detail, ...(errors && { errors }) });
}

export function unauthorized(detail: string, error?: 'invalid_token'): Problem {
  return new Problem({
    status: 401,
    slug: 'unauthorized',
    detail,
    // RFC 6750 §3: the challenge, with error="invalid_token" when a key was presented.
    headers: {
      'www-authenticate': error
        ? `Bearer realm="billwright", error="${error}"`
        : 'Bearer realm="billwright"',
    },
  });
}

/** The key lacks the scope the route needs (read, write or admin). */
export function missingScope(scope: string): Problem {
  return new Problem({
    status: 403,
    slug: 'forbidden',
    detail: `This API key lacks the "${scope}" scope this request needs.`,
  });
}

export function tooManyRequests(detail: string, retryAfterSeconds: number): Problem {
  return new Problem({
    status: 429,
    slug: 'too-many-requests',
    detail,
    headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) },
  });
}

export function notFound(detail: string): Problem {
  return new Problem({ status: 404, slug: 'not-found', detail });
}

export function conflict(
  detail: string,
  slug: 'conflict' | 'idempotency-key-reused' | 'request-in-progress' = 'conflict',
): Problem {
  return new Problem({ status: 409, slug, detail });
}

/** Semantic validation: the request is well-formed but `field` holds a value we cannot accept. */
export function unprocessable(field: string, message: string): Problem {
  return new Problem({
    status: 422,
    slug: 'unprocessable',
    detail: `${field}: ${message}`,
    errors: [{ field, message }],
  });
}

export function serviceUnavailable(detail: string, cause?: unknown): Problem {
  return new Problem({ status: 503, slug: 'service-unavailable', detail, cause });
}

/** A use case's refusal as the problem the client sees. */
export function refusalProblem(refusal: Refused): Problem {
  switch (refusal.kind) {
    case 'not_found':
      return notFound(refusal.message);
    case 'conflict':
      return conflict(refusal.message);
    case 'unprocessable':
      return refusal.fields
        ? new Problem({
            status: 422,
            slug: 'unprocessable',
            detail: refusal.message,
            errors: refusal.fields,
          })
        : unprocessable(refusal.field ?? 'body', refusal.message);
    case 'unavailable':
      return serviceUnavailable(refusal.message, refusal.cause);
  }
}

export const FieldErrorSchema = Type.Object({
  field: Type.String({ description: 'Dotted path into the body, or a parameter or header name.' }),
  message: Type.String(),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String({
      description: 'Problem type, a URI reference such as /problems/not-found.',
    }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String({ description: 'The request path.' })),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { $id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details.' },
);

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}
